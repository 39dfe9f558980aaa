// Checkpoint directories and Hugging Face-compatible state-dict loading — see
// include/earlybert/io/checkpoint.h.
#include "earlybert/io/checkpoint.h"

#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/io/weight_files.h"
#include "earlybert/model/bert_heads.h"

namespace earlybert {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// `key` or `key` ending in ".<name>".
bool is_or_ends_with(const std::string& key, const std::string& name) {
  return key == name || ends_with(key, "." + name);
}

bool is_slimming_key(const std::string& key) { return is_or_ends_with(key, "slimming_coef"); }

/// Embeddings and encoder weights: what every BERT checkpoint must provide.
bool is_body_key(const std::string& key) {
  const std::string k = starts_with(key, "bert.") ? key.substr(5) : key;
  return starts_with(k, "embeddings.") || starts_with(k, "encoder.");
}

/// Buffers Hugging Face's BertEmbeddings registers; positions and default token types are computed
/// per forward here, so these carry nothing we need.
bool is_hf_embedding_buffer(const std::string& key) {
  return is_or_ends_with(key, "embeddings.position_ids") || is_or_ends_with(key, "embeddings.token_type_ids");
}

/// TensorFlow-era names of LayerNorm parameters, read as today's (Hugging Face's _fix_key).
std::string modern_name(const std::string& key) {
  if (ends_with(key, ".gamma")) return key.substr(0, key.size() - 6) + ".weight";
  if (ends_with(key, ".beta")) return key.substr(0, key.size() - 5) + ".bias";
  return key;
}

std::string shape_text(torch::IntArrayRef sizes) {
  std::ostringstream s;
  s << sizes;
  return s.str();
}

/// "a, b, c (and 4 more)" for messages that must stay one readable line.
std::string key_list(const std::vector<std::string>& keys, size_t shown = 5) {
  std::string out;
  for (size_t i = 0; i < keys.size() && i < shown; ++i) out += (i ? ", " : "") + keys[i];
  if (keys.size() > shown) out += " (and " + std::to_string(keys.size() - shown) + " more)";
  return out;
}

/// "<dir>" without trailing slashes, so that "<dir>.tmp.<pid>" is a sibling.
std::string without_trailing_slash(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

void require_checkpoint_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) fail(dir, "checkpoint directory does not exist");
  if (!std::filesystem::is_directory(dir, ec)) {
    fail(dir, "not a checkpoint directory (expected a directory with config.json and model.safetensors)");
  }
}

}  // namespace

std::vector<std::string> LoadReport::missing_slimming_keys() const {
  std::vector<std::string> out;
  for (const auto& k : missing_keys) {
    if (is_slimming_key(k)) out.push_back(k);
  }
  return out;
}

std::vector<std::string> LoadReport::missing_body_keys() const {
  std::vector<std::string> out;
  for (const auto& k : missing_keys) {
    if (!is_slimming_key(k) && is_body_key(k)) out.push_back(k);
  }
  return out;
}

std::vector<std::string> LoadReport::missing_head_keys() const {
  std::vector<std::string> out;
  for (const auto& k : missing_keys) {
    if (!is_slimming_key(k) && !is_body_key(k)) out.push_back(k);
  }
  return out;
}

std::string LoadReport::summary() const {
  std::string s = "loaded " + std::to_string(loaded) + " tensors";
  s += "; missing " + std::to_string(missing_keys.size());
  if (!missing_keys.empty()) s += " (" + key_list(missing_keys) + ")";
  s += "; unexpected " + std::to_string(unexpected_keys.size());
  if (!unexpected_keys.empty()) s += " (" + key_list(unexpected_keys) + ")";
  s += "; ignored " + std::to_string(ignored_keys.size());
  return s;
}

void LoadReport::enforce(const LoadPolicy& policy, const std::string& source) const {
  std::vector<std::string> problems;
  const auto body = missing_body_keys();
  if (!body.empty()) {
    problems.push_back(std::to_string(body.size()) + " body weights missing: " + key_list(body));
  }
  const auto heads = missing_head_keys();
  if (!heads.empty() && !policy.allow_missing_heads) {
    problems.push_back(std::to_string(heads.size()) + " head weights missing: " + key_list(heads));
  }
  const auto slimming = missing_slimming_keys();
  if (!slimming.empty() && !policy.allow_missing_slimming) {
    problems.push_back(std::to_string(slimming.size()) + " slimming coefficients missing: " + key_list(slimming));
  }
  if (!unexpected_keys.empty() && !policy.allow_unexpected) {
    problems.push_back(std::to_string(unexpected_keys.size()) + " unexpected tensors: " + key_list(unexpected_keys));
  }
  if (problems.empty()) return;
  std::string what = "checkpoint does not fit the model: ";
  for (size_t i = 0; i < problems.size(); ++i) what += (i ? "; " : "") + problems[i];
  fail(source, what);
}

TensorMap module_state(const torch::nn::Module& module) {
  TensorMap out;
  for (const auto& p : module.named_parameters(/*recurse=*/true)) {
    if (p.value().defined()) out.insert(p.key(), p.value());
  }
  for (const auto& b : module.named_buffers(/*recurse=*/true)) {
    if (b.value().defined()) out.insert(b.key(), b.value());
  }
  return out;
}

LoadReport load_state_dict(torch::nn::Module& module, const TensorMap& tensors, const std::string& source,
                           const std::string& base_model_prefix) {
  TensorMap targets = module_state(module);
  const std::string prefix = base_model_prefix.empty() ? "" : base_model_prefix + ".";
  auto any_prefixed = [&](const std::vector<std::string>& keys) {
    return !prefix.empty() &&
           std::any_of(keys.begin(), keys.end(), [&](const std::string& k) { return starts_with(k, prefix); });
  };
  const bool model_prefixed = any_prefixed(targets.keys());

  // Each file tensor with the model key it maps to.
  struct Source {
    const std::string* file_key;
    std::string key;
    const torch::Tensor* tensor;
  };
  std::vector<Source> sources;
  std::vector<std::string> mapped;
  sources.reserve(tensors.size());
  for (const auto& kv : tensors) {
    sources.push_back({&kv.key(), modern_name(kv.key()), &kv.value()});
    mapped.push_back(sources.back().key);
  }
  const bool file_prefixed = any_prefixed(mapped);

  // base_model_prefix, as Hugging Face applies it: a base-model file into a task model gains the
  // prefix (only where the prefixed name exists), a task-model file into the base model loses it.
  if (model_prefixed && !file_prefixed) {
    for (auto& s : sources) {
      if (targets.contains(prefix + s.key)) s.key = prefix + s.key;
    }
  } else if (!model_prefixed && file_prefixed) {
    for (auto& s : sources) {
      if (starts_with(s.key, prefix)) s.key = s.key.substr(prefix.size());
    }
  }

  std::set<std::string> provided;
  for (const auto& s : sources) {
    if (targets.contains(s.key)) provided.insert(s.key);
  }

  LoadReport report;
  std::vector<const Source*> matched;
  std::map<std::string, const Source*> owner;
  for (auto& s : sources) {
    if (!targets.contains(s.key)) {
      // A tied alias: dropped when its target is in the file too, loaded into the target otherwise.
      bool handled = false;
      for (const auto& [alias, target] : tied_parameter_aliases()) {
        if (s.key != alias) continue;
        const std::string t = (!model_prefixed && starts_with(target, prefix)) ? target.substr(prefix.size()) : target;
        if (provided.count(t)) {
          report.ignored_keys.push_back(*s.file_key);
          handled = true;
        } else if (targets.contains(t)) {
          s.key = t;
        }
        break;
      }
      if (handled) continue;
    }
    if (!targets.contains(s.key)) {
      if (is_hf_embedding_buffer(s.key)) {
        report.ignored_keys.push_back(*s.file_key);
      } else {
        report.unexpected_keys.push_back(*s.file_key);
      }
      continue;
    }
    auto [it, inserted] = owner.emplace(s.key, &s);
    if (!inserted) {
      fail(source, "tensors '" + *it->second->file_key + "' and '" + *s.file_key + "' both map to '" + s.key + "'");
    }
    matched.push_back(&s);
  }

  // Check every shape before copying anything, so that a failed load leaves the module as it was.
  for (const Source* s : matched) {
    const torch::Tensor& target = targets[s->key];
    if (target.sizes() != s->tensor->sizes()) {
      std::string what = "shape " + shape_text(s->tensor->sizes()) + " in the checkpoint, " +
                         shape_text(target.sizes()) + " in the model";
      if (*s->file_key != s->key) what += " (file key '" + *s->file_key + "')";
      fail(source + ": key '" + s->key + "'", what);
    }
  }
  {
    torch::NoGradGuard no_grad;
    for (const Source* s : matched) {
      targets[s->key].copy_(*s->tensor);  // converts dtype and moves to the parameter's device
      if (*s->file_key != s->key) report.renamed_keys.emplace_back(*s->file_key, s->key);
    }
  }
  report.loaded = static_cast<int64_t>(matched.size());
  for (const auto& kv : targets) {
    if (!owner.count(kv.key())) report.missing_keys.push_back(kv.key());
  }
  return report;
}

void require_same_shapes(const BertConfig& checkpoint, const BertConfig& model, const std::string& source) {
  auto same = [&](const std::string& key, int64_t ours, int64_t theirs) {
    if (ours != theirs) {
      fail(source + ": key '" + key + "'", "the checkpoint has " + std::to_string(ours) + ", the model has " +
                                               std::to_string(theirs) + "; the weights do not fit this model");
    }
  };
  same("vocab_size", checkpoint.vocab_size, model.vocab_size);
  same("hidden_size", checkpoint.hidden_size, model.hidden_size);
  same("num_hidden_layers", checkpoint.num_hidden_layers, model.num_hidden_layers);
  same("num_attention_heads", checkpoint.num_attention_heads, model.num_attention_heads);
  same("max_position_embeddings", checkpoint.max_position_embeddings, model.max_position_embeddings);
  same("type_vocab_size", checkpoint.type_vocab_size, model.type_vocab_size);
  const bool per_layer_heads = !checkpoint.heads_per_layer.empty() || !model.heads_per_layer.empty();
  const bool per_layer_ffn = !checkpoint.intermediate_sizes.empty() || !model.intermediate_sizes.empty();
  for (int64_t i = 0; i < checkpoint.num_hidden_layers; ++i) {
    const std::string n = "[" + std::to_string(i) + "]";
    same(per_layer_heads ? "earlybert_heads_per_layer" + n : "num_attention_heads", checkpoint.layer_heads(i),
         model.layer_heads(i));
    same(per_layer_ffn ? "earlybert_intermediate_sizes" + n : "intermediate_size",
         checkpoint.layer_intermediate_size(i), model.layer_intermediate_size(i));
  }
}

void require_vocab_fits(int64_t vocab_tokens, const std::string& vocab_source, const BertConfig& config,
                        const std::string& config_source) {
  if (vocab_tokens > config.vocab_size) {
    fail(vocab_source, "the vocabulary has " + std::to_string(vocab_tokens) + " tokens, but " + config_source +
                           " says vocab_size " + std::to_string(config.vocab_size) +
                           ": token ids would run past the embedding table (wrong vocabulary for "
                           "this checkpoint?)");
  }
}

void write_pretrained(const std::string& dir, const BertConfig& config, const torch::nn::Module& module) {
  make_directories(dir);
  config.save(join_path(dir, kConfigFileName));
  // "format": "pt" is what Hugging Face's loader expects of a PyTorch safetensors file.
  write_safetensors(join_path(dir, kWeightsFileName), module_state(module), {{"format", "pt"}});
}

void save_pretrained(const std::string& dir, const BertConfig& config, const torch::nn::Module& module) {
  const std::string final_dir = without_trailing_slash(dir);
  const std::string tmp = final_dir + ".tmp." + std::to_string(::getpid());
  remove_all(tmp);  // a leftover of an earlier crash with the same pid
  try {
    write_pretrained(tmp, config, module);
    commit_directory(tmp, final_dir);
  } catch (...) {
    remove_all(tmp);
    throw;
  }
}

void save_pretrained(const std::string& dir, const AnyBertModel& model) {
  BertConfig config = model.config();
  config.architectures = {architecture_name(model.kind())};
  save_pretrained(dir, config, *model.module());
}

void save_pretrained(const std::string& dir, const BertModel& model) {
  BertConfig config = model->config();
  config.architectures = {"BertModel"};
  save_pretrained(dir, config, *model);
}

BertConfig load_pretrained(const std::string& dir) {
  require_checkpoint_dir(dir);
  const std::string path = join_path(dir, kConfigFileName);
  if (!path_exists(path)) fail(path, "missing (a checkpoint directory holds config.json and model.safetensors)");
  return BertConfig::load(path);
}

SafetensorsContents read_pretrained_weights(const std::string& dir) {
  require_checkpoint_dir(dir);
  const auto files = find_weight_files(dir);
  if (!files) {
    fail(join_path(dir, kWeightsFileName),
         "missing (a checkpoint directory holds config.json and model.safetensors, pytorch_model.bin or a "
         "sharded *.index.json)");
  }
  if (files->format == WeightFormat::Safetensors) return read_safetensors(files->path);
  return {read_weight_files(*files), {}};
}

/// The file a directory's weights are read from, for messages.
static std::string weights_source(const std::string& dir) {
  const auto files = find_weight_files(dir);
  return files ? files->path : join_path(dir, kWeightsFileName);
}

LoadReport load_weights(const std::string& dir, torch::nn::Module& module, const BertConfig& model_config) {
  const BertConfig checkpoint = load_pretrained(dir);
  require_same_shapes(checkpoint, model_config, join_path(dir, kConfigFileName));
  const SafetensorsContents weights = read_pretrained_weights(dir);
  return load_state_dict(module, weights.tensors, weights_source(dir));
}

LoadReport load_weights(const std::string& dir, AnyBertModel& model) {
  return load_weights(dir, *model.module(), model.config());
}

LoadReport load_weights(const std::string& dir, BertModel& model) { return load_weights(dir, *model, model->config()); }

PretrainedModel load_pretrained_model(const std::string& dir, ModelKind kind, const LoadPolicy& policy,
                                      const std::function<void(BertConfig&)>& adjust) {
  BertConfig config = load_pretrained(dir);
  if (adjust) {
    adjust(config);
    config.validate(join_path(dir, kConfigFileName) + " (adjusted)");
  }
  AnyBertModel model = AnyBertModel::create(kind, config);
  LoadReport report = load_weights(dir, model);
  report.enforce(policy, weights_source(dir));
  return {std::move(model), std::move(report)};
}

}  // namespace earlybert
