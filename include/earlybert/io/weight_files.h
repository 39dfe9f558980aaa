// The weight files of a model directory, in any of the layouts Hugging Face writes.
//
// Looked for in Hugging Face's order of preference (from_pretrained with safetensors available):
//   model.safetensors                   one safetensors file (what this tool writes)
//   model.safetensors.index.json        sharded safetensors: {"weight_map": {tensor: shard file}}
//   pytorch_model.bin                   torch.save() zip archive (io/pytorch_bin.h)
//   pytorch_model.bin.index.json        sharded torch.save() archives
// A sharded index must name shard files inside the same directory (no path separators), and every
// tensor it lists must be in its shard; tensors a shard holds beyond its list are an Error too, as
// is a tensor found in two shards: a checkpoint that loads "almost" right is worse than one that
// does not load.
#pragma once

#include <optional>
#include <string>

#include "earlybert/io/safetensors.h"

namespace earlybert {

enum class WeightFormat { Safetensors, ShardedSafetensors, PytorchBin, ShardedPytorchBin };

struct WeightFiles {
  WeightFormat format = WeightFormat::Safetensors;
  std::string path;  ///< the weights file, or the index of a sharded checkpoint
};

/// The file names above, in order.
inline constexpr const char* kSafetensorsIndexFileName = "model.safetensors.index.json";
inline constexpr const char* kPytorchBinFileName = "pytorch_model.bin";
inline constexpr const char* kPytorchBinIndexFileName = "pytorch_model.bin.index.json";

/// The preferred weight files of directory `dir`, or nothing when it has none of them.
std::optional<WeightFiles> find_weight_files(const std::string& dir);

/// Every tensor of `files` (all shards merged), CPU, contiguous. Errors name the file at fault.
TensorMap read_weight_files(const WeightFiles& files);

}  // namespace earlybert
