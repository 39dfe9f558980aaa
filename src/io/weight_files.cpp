// Weight-file discovery and sharded checkpoints — see include/earlybert/io/weight_files.h.
#include "earlybert/io/weight_files.h"

#include <filesystem>
#include <map>
#include <set>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/io/pytorch_bin.h"

namespace earlybert {
namespace {

bool is_regular_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

TensorMap read_one(const std::string& path, bool safetensors) {
  return safetensors ? read_safetensors(path).tensors : read_pytorch_bin(path);
}

TensorMap read_sharded(const std::string& index_path, bool safetensors) {
  using json_fields::json;
  const json doc = json_fields::parse_file(index_path);
  const json_fields::JsonReader r(doc, index_path);
  const json_fields::JsonReader map = r.child("weight_map");
  // Shard file -> the tensors the index says it holds (shards read in name order).
  std::map<std::string, std::set<std::string>> shards;
  for (const auto& [tensor, file] : map.object().items()) {
    const auto name = json_fields::convert<std::string>(file, map.where(tensor));
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      fail(map.where(tensor), "shard '" + name + "' is not a file name in the checkpoint directory");
    }
    shards[name].insert(tensor);
  }
  if (shards.empty()) fail(r.where("weight_map"), "is empty");

  const size_t slash = index_path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : index_path.substr(0, slash);
  TensorMap out;
  for (const auto& [file, listed] : shards) {
    const std::string path = join_path(dir, file);
    if (!path_exists(path)) fail(path, "missing (listed in " + index_path + ")");
    const TensorMap shard = read_one(path, safetensors);
    for (const auto& kv : shard) {
      if (!listed.count(kv.key())) {
        fail(path, "holds tensor '" + kv.key() + "', which " + index_path + " does not list for this shard");
      }
      if (out.contains(kv.key())) fail(path, "tensor '" + kv.key() + "' is in two shards");
      out.insert(kv.key(), kv.value());
    }
    for (const auto& name : listed) {
      if (!shard.contains(name)) fail(path, "lacks tensor '" + name + "', which " + index_path + " puts there");
    }
  }
  return out;
}

}  // namespace

std::optional<WeightFiles> find_weight_files(const std::string& dir) {
  const std::pair<const char*, WeightFormat> candidates[] = {
      {"model.safetensors", WeightFormat::Safetensors},
      {kSafetensorsIndexFileName, WeightFormat::ShardedSafetensors},
      {kPytorchBinFileName, WeightFormat::PytorchBin},
      {kPytorchBinIndexFileName, WeightFormat::ShardedPytorchBin},
  };
  for (const auto& [name, format] : candidates) {
    const std::string path = join_path(dir, name);
    if (is_regular_file(path)) return WeightFiles{format, path};
  }
  return std::nullopt;
}

TensorMap read_weight_files(const WeightFiles& files) {
  switch (files.format) {
    case WeightFormat::Safetensors:
      return read_one(files.path, true);
    case WeightFormat::ShardedSafetensors:
      return read_sharded(files.path, true);
    case WeightFormat::PytorchBin:
      return read_one(files.path, false);
    case WeightFormat::ShardedPytorchBin:
      return read_sharded(files.path, false);
  }
  fail(files.path, "unknown weight format");
}

}  // namespace earlybert
