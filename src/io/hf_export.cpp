// Hugging Face export: fold coefficients, complete pruned_heads, pad FFN layers — see
// include/earlybert/io/hf_export.h.
#include "earlybert/io/hf_export.h"

#include <ATen/ATen.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/io/checkpoint.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// "bert." for task models, "" for a bare BertModel: whatever precedes the encoder's keys.
std::string body_prefix(const TensorMap& state) {
  for (const auto& kv : state) {
    const auto at = kv.key().find("encoder.layer.");
    if (at != std::string::npos) return kv.key().substr(0, at);
  }
  fail("model state", "has no encoder.layer.* tensors (not a BERT model)");
}

const at::Tensor& need(const TensorMap& state, const std::string& key) {
  if (!state.contains(key)) fail("model state", "tensor '" + key + "' is missing");
  return state[key];
}

void expect_shape(const at::Tensor& t, std::vector<int64_t> shape, const std::string& key) {
  if (t.sizes() != at::IntArrayRef(shape)) {
    fail("model state: tensor '" + key + "'",
         "shape " + c10::str(t.sizes()) + " does not match the config (" + c10::str(at::IntArrayRef(shape)) + ")");
  }
}

/// The removed original heads of `layer`: the config's record when it is complete, otherwise the
/// last heads (any choice computes the same function; see the header).
std::vector<int64_t> removed_heads(const BertConfig& c, int64_t layer) {
  const int64_t removed = c.num_attention_heads - c.layer_heads(layer);
  if (removed == 0) return {};
  if (auto it = c.pruned_heads.find(layer);
      it != c.pruned_heads.end() && static_cast<int64_t>(it->second.size()) == removed) {
    return it->second;
  }
  std::vector<int64_t> out;
  for (int64_t h = c.num_attention_heads - removed; h < c.num_attention_heads; ++h) out.push_back(h);
  return out;
}

std::string dtype_name(at::ScalarType t) {
  switch (t) {
    case at::kFloat:
      return "float32";
    case at::kHalf:
      return "float16";
    case at::kBFloat16:
      return "bfloat16";
    case at::kDouble:
      return "float64";
    default:
      return "";
  }
}

bool is_regular_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

}  // namespace

HfExportState hf_export_state(const BertConfig& config, const TensorMap& state, const HfExportOptions& options) {
  const std::string p = body_prefix(state);
  const int64_t layers = config.num_hidden_layers;
  const int64_t d = config.head_dim();
  int64_t width = config.intermediate_size;
  for (int64_t l = 0; l < layers; ++l) width = std::max(width, config.layer_intermediate_size(l));

  // Start from every tensor except the coefficients, then replace the ones that change.
  HfExportState out;
  for (const auto& kv : state) {
    if (kv.key() == "slimming_coef" || ends_with(kv.key(), ".slimming_coef")) continue;
    out.tensors.insert(kv.key(), kv.value().detach());
  }
  at::NoGradGuard no_grad;
  for (int64_t l = 0; l < layers; ++l) {
    const std::string base = p + "encoder.layer." + std::to_string(l) + ".";
    const int64_t heads = config.layer_heads(l), ffn = config.layer_intermediate_size(l);
    const std::string q = base + "attention.self.query.weight";
    expect_shape(need(state, q), {heads * d, config.hidden_size}, q);

    const std::string attn_out = base + "attention.output.dense.weight";
    const at::Tensor& wo = need(state, attn_out);
    expect_shape(wo, {config.hidden_size, heads * d}, attn_out);
    if (state.contains(base + "attention.self.slimming_coef")) {
      const at::Tensor& c = state[base + "attention.self.slimming_coef"];
      expect_shape(c, {heads}, base + "attention.self.slimming_coef");
      // c_h repeated over head h's d columns, in the weight's dtype: what BertAttention multiplies by.
      const auto scale = c.detach().to(wo.scalar_type()).unsqueeze(1).expand({heads, d}).reshape({-1});
      out.tensors[attn_out] = wo.detach() * scale;
    }

    const std::string inter_w = base + "intermediate.dense.weight", inter_b = base + "intermediate.dense.bias";
    const std::string ffn_out = base + "output.dense.weight";
    const at::Tensor& wi = need(state, inter_w);
    const at::Tensor& bi = need(state, inter_b);
    expect_shape(wi, {ffn, config.hidden_size}, inter_w);
    expect_shape(need(state, ffn_out), {config.hidden_size, ffn}, ffn_out);
    at::Tensor w2 = state[ffn_out].detach();
    if (state.contains(base + "slimming_coef")) {
      const at::Tensor& c = state[base + "slimming_coef"];
      expect_shape(c, {ffn}, base + "slimming_coef");
      w2 = w2 * c.detach().to(w2.scalar_type());
    }
    if (!options.keep_pruned && ffn < width) {
      // Zero neurons: zero pre-activation (weight row and bias), and a zero column in output.dense.
      const int64_t pad = width - ffn;
      out.tensors[inter_w] = at::cat({wi.detach(), at::zeros({pad, config.hidden_size}, wi.options())}, 0);
      out.tensors[inter_b] = at::cat({bi.detach(), at::zeros({pad}, bi.options())}, 0);
      w2 = at::cat({w2, at::zeros({config.hidden_size, pad}, w2.options())}, 1);
    }
    out.tensors[ffn_out] = w2;
  }

  BertConfig c = config;
  c.slimming = false;
  c.pruned_heads.clear();
  for (int64_t l = 0; l < layers; ++l) {
    auto removed = removed_heads(config, l);
    if (!removed.empty()) c.pruned_heads[l] = std::move(removed);
  }
  if (!options.keep_pruned) {
    c.intermediate_size = width;
    c.intermediate_sizes.clear();
  }
  c.validate("exported config");
  out.config = std::move(c);
  return out;
}

std::string hf_export_config_json(const BertConfig& config, const HfExportOptions& options,
                                  const std::string& torch_dtype) {
  auto j = nlohmann::json::parse(config.to_json());
  if (!options.keep_pruned) {
    for (auto it = j.begin(); it != j.end();) {
      it = starts_with(it.key(), "earlybert_") ? j.erase(it) : std::next(it);
    }
  }
  if (!torch_dtype.empty()) j["torch_dtype"] = torch_dtype;
  return j.dump(2) + "\n";
}

HfExportSummary export_hf_directory(const std::string& model_dir, const std::string& out_dir,
                                    const HfExportOptions& options) {
  std::error_code ec;
  if (fs::exists(out_dir, ec) && fs::equivalent(model_dir, out_dir, ec)) {
    fail(out_dir, "is the model directory itself; export into a new directory");
  }
  if (fs::exists(out_dir, ec) && !(fs::is_directory(out_dir, ec) && fs::is_empty(out_dir, ec)) && !options.overwrite) {
    fail(out_dir, "exists and is not empty (choose a new directory, or overwrite it)");
  }
  const BertConfig config = load_pretrained(model_dir);
  const SafetensorsContents weights = read_pretrained_weights(model_dir);
  HfExportState exported = hf_export_state(config, weights.tensors, options);

  HfExportSummary summary;
  summary.config = exported.config;
  for (const auto& kv : weights.tensors) {
    if (ends_with(kv.key(), "slimming_coef")) summary.folded_coefficients += kv.value().numel();
  }
  if (!options.keep_pruned) {
    for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
      summary.padded_neurons += exported.config.intermediate_size - config.layer_intermediate_size(l);
    }
  }
  std::string dtype;
  for (const auto& kv : exported.tensors) {
    if (at::isFloatingType(kv.value().scalar_type())) {
      dtype = dtype_name(kv.value().scalar_type());
      break;
    }
  }

  std::string final_dir = out_dir;
  while (final_dir.size() > 1 && final_dir.back() == '/') final_dir.pop_back();
  const std::string tmp = final_dir + ".tmp." + std::to_string(::getpid());
  remove_all(tmp);
  try {
    make_directories(tmp);
    write_file_atomic(join_path(tmp, kConfigFileName), hf_export_config_json(exported.config, options, dtype));
    write_safetensors(join_path(tmp, kWeightsFileName), exported.tensors, {{"format", "pt"}});
    summary.files = {kConfigFileName, kWeightsFileName};
    for (const char* name : {"vocab.txt", "spiece.model", "tokenizer_config.json", "special_tokens_map.json"}) {
      const std::string src = join_path(model_dir, name);
      if (!is_regular_file(src)) continue;
      write_file_atomic(join_path(tmp, name), read_file(src));
      summary.files.push_back(name);
    }
    if (is_regular_file(join_path(tmp, "vocab.txt")) && !is_regular_file(join_path(tmp, "tokenizer_config.json"))) {
      nlohmann::ordered_json tc;
      tc["do_lower_case"] = options.do_lower_case;
      tc["model_max_length"] = config.max_position_embeddings;
      tc["tokenizer_class"] = "BertTokenizer";
      write_file_atomic(join_path(tmp, "tokenizer_config.json"), tc.dump(2) + "\n");
      summary.files.push_back("tokenizer_config.json");
    }
    commit_directory(tmp, final_dir);
  } catch (...) {
    remove_all(tmp);
    throw;
  }
  return summary;
}

}  // namespace earlybert
