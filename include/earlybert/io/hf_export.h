// Exporting a model this tool wrote as a stock Hugging Face BERT directory.
//
// A model trained here differs from a Hugging Face BERT in three ways, and the export removes each
// without changing what the model computes:
//   * slimming coefficients. Head h's coefficient scales that head's context before
//     attention.output.dense, and FFN neuron i's coefficient scales its activation before
//     output.dense (model/bert_attention.h, model/bert_layer.h apply them exactly so: as
//     W·diag(c) on the dense weight's input columns). The export multiplies them into those columns
//     for good, W ← W·diag(c), in the weight's dtype as the forward pass does, and drops the
//     `slimming_coef` tensors;
//   * pruned heads. Hugging Face supports them natively: config.json `pruned_heads` maps a layer to
//     the original indices of its removed heads, from_pretrained prunes those heads from a fresh model
//     before loading, and the checkpoint holds the smaller query/key/value/output matrices, which is
//     exactly our layout. Heads are interchangeable (the attention output is a sum over heads), so a
//     layer whose original numbering is unknown gets its last heads listed as the removed ones;
//   * pruned FFN neurons. Hugging Face has one intermediate_size for all layers, so each layer is
//     padded back to it with zero rows in intermediate.dense (weight and bias) and zero columns in
//     output.dense. This is exact: a zero pre-activation gives GELU(0) = ReLU(0) = 0, and a zero
//     column adds nothing.
// The config.json written keeps every Hugging Face field and drops the earlybert_* ones, so
// transformers' BertFor*.from_pretrained(dir) loads it as is (docs/HF_EXPORT.md says how the format
// was checked). With keep_pruned the compact layout stays instead (earlybert_heads_per_layer,
// earlybert_intermediate_sizes; coefficients folded, earlybert_slimming false): smaller and faster,
// for this tool only unless no FFN neuron was pruned.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "earlybert/io/safetensors.h"
#include "earlybert/model/bert_config.h"

namespace earlybert {

struct HfExportOptions {
  /// Keep the pruned FFN widths (earlybert layout) instead of zero-padding them.
  bool keep_pruned = false;
  /// Replace an existing, non-empty output directory.
  bool overwrite = false;
  /// Written into tokenizer_config.json when the model directory has none (with vocab.txt).
  bool do_lower_case = true;
};

/// A model's exported config and tensors.
struct HfExportState {
  BertConfig config;
  TensorMap tensors;
};

/// The pure step: folds the coefficients of `state` (a module_state() of any model kind, keys with or
/// without the "bert." prefix) into the dense weights, drops them, pads pruned FFN layers unless
/// keep_pruned, and returns the matching config (pruned_heads complete, slimming false). Error naming
/// the tensor when a shape does not match `config`.
HfExportState hf_export_state(const BertConfig& config, const TensorMap& state, const HfExportOptions& options = {});

/// config.json text of an exported config: BertConfig::to_json() without the earlybert_* keys (all
/// kept with keep_pruned), plus "torch_dtype" when given (e.g. "float32").
std::string hf_export_config_json(const BertConfig& config, const HfExportOptions& options = {},
                                  const std::string& torch_dtype = "");

struct HfExportSummary {
  std::vector<std::string> files;   ///< names written into the output directory
  BertConfig config;                ///< the exported config
  int64_t folded_coefficients = 0;  ///< slimming coefficients multiplied into weights
  int64_t padded_neurons = 0;       ///< zero FFN neurons added (all layers)
};

/// Reads the model directory `model_dir` (config.json + weights, any format load_pretrained reads),
/// exports it, and writes `out_dir` atomically: config.json, model.safetensors, and the tokenizer
/// files found in model_dir (vocab.txt or spiece.model, tokenizer_config.json — written when absent
/// with do_lower_case and model_max_length —, special_tokens_map.json). Error when out_dir is
/// model_dir, or exists and is not empty without `overwrite`.
HfExportSummary export_hf_directory(const std::string& model_dir, const std::string& out_dir,
                                    const HfExportOptions& options = {});

}  // namespace earlybert
