// Checkpoints: a directory with config.json + model.safetensors, Hugging Face's layout (read also with
// pytorch_model.bin or sharded weights instead: io/weight_files.h).
//
//   save_pretrained(dir, model)            writes both files into "<dir>.tmp.<pid>", then commits
//   it as
//                                          <dir> with one rename (a checkpoint is complete or
//                                          absent)
//   load_pretrained(dir)                   the validated BertConfig of <dir>/config.json
//   load_pretrained_model(dir, kind, ...)  builds a model of `kind` from that config, loads the
//   weights load_weights(dir, module, config)      loads <dir>'s weights into an existing model,
//   after checking
//                                          that its config.json describes the same shapes
//   load_state_dict(module, tensors)       the tensor-map → module step under all of them
//
// load_state_dict works on any torch::nn::Module (every model kind, or a bare BertModel) and
// follows Hugging Face's from_pretrained rules, so that Hugging Face BERT directories load as they
// are:
//   * base_model_prefix "bert": a base-model file (keys "embeddings.…", "encoder.…") loading into a
//     task model (keys "bert.…") gets the prefix added; a "bert."-prefixed file loading into a bare
//     BertModel gets it removed (the file's head tensors are then unexpected);
//   * legacy LayerNorm names "….gamma"/"….beta" are read as "….weight"/"….bias";
//   * Hugging Face buffers we do not keep ("embeddings.position_ids", "embeddings.token_type_ids")
//     are ignored, and so is the tied "cls.predictions.decoder.weight" when the word embeddings are
//     present (it is loaded into them when they are not); see tied_parameter_aliases();
//   * each tensor is converted to its parameter's dtype and device;
//   * a shape mismatch is an Error naming the key and both shapes, raised before anything is copied
//     (the module is untouched when loading fails).
// Missing and unexpected keys are not errors by themselves: they come back in a LoadReport, and a
// LoadPolicy says which of them the caller accepts (slimming coefficients are absent from Hugging
// Face files and simply stay at 1.0; a new classifier is absent from a pre-trained checkpoint).
#pragma once

#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "earlybert/io/safetensors.h"
#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/bert_config.h"
#include "earlybert/model/bert_model.h"

namespace earlybert {

/// File names inside a checkpoint directory.
inline constexpr const char* kConfigFileName = "config.json";
inline constexpr const char* kWeightsFileName = "model.safetensors";

/// Which differences between a checkpoint and a model are acceptable (see LoadReport::enforce).
/// The BERT body (embeddings and encoder weights) must always be complete: a body key that is
/// missing means the checkpoint is not this model's, and LoadPolicy never allows it.
struct LoadPolicy {
  /// Slimming coefficients absent from the file keep their current value (1.0 when fresh). Hugging
  /// Face checkpoints never have them.
  bool allow_missing_slimming = true;
  /// Parameters outside the body (pooler, classifier, qa_outputs, cls.*) absent from the file keep
  /// their initialisation: a new task head on a pre-trained body.
  bool allow_missing_heads = false;
  /// Tensors in the file with no place in the model (e.g. the pre-training heads of a checkpoint
  /// used to initialise a classifier) are dropped.
  bool allow_unexpected = false;

  /// Everything must match, slimming coefficients included: resuming our own checkpoint.
  static LoadPolicy exact() { return {false, false, false}; }
  /// Initialising a model from pre-trained weights, as Hugging Face's from_pretrained does.
  static LoadPolicy initialise() { return {true, true, true}; }
};

/// What load_state_dict did. Keys are the model's names, except unexpected_keys and the first of
/// each renamed pair, which are the file's.
struct LoadReport {
  /// Model tensors the file does not provide (left unchanged).
  std::vector<std::string> missing_keys;
  /// File tensors with no place in the model (dropped).
  std::vector<std::string> unexpected_keys;
  /// File tensors known to be unneeded: Hugging Face buffers, redundant tied aliases.
  std::vector<std::string> ignored_keys;
  /// File key → model key, for every loaded tensor whose names differ.
  std::vector<std::pair<std::string, std::string>> renamed_keys;
  /// Model tensors assigned from the file.
  int64_t loaded = 0;

  /// Missing keys that are slimming coefficients.
  std::vector<std::string> missing_slimming_keys() const;
  /// Missing keys of the BERT body (embeddings, encoder), slimming coefficients excluded.
  std::vector<std::string> missing_body_keys() const;
  /// Missing keys outside the body (pooler and task heads).
  std::vector<std::string> missing_head_keys() const;
  /// Nothing missing and nothing unexpected.
  bool exact() const { return missing_keys.empty() && unexpected_keys.empty(); }
  /// One line: "loaded 37 tensors; missing 4 (…); unexpected 0; ignored 1".
  std::string summary() const;
  /// Error naming `source` and the offending keys unless `policy` accepts every missing and
  /// unexpected key.
  void enforce(const LoadPolicy& policy, const std::string& source) const;
};

/// The module's parameters and buffers (defined ones) by their full names: what save_pretrained
/// writes.
TensorMap module_state(const torch::nn::Module& module);

/// Loads `tensors` into `module` by name with the rules above. `source` names the file in errors;
/// `base_model_prefix` is Hugging Face's ("bert").
LoadReport load_state_dict(torch::nn::Module& module, const TensorMap& tensors, const std::string& source,
                           const std::string& base_model_prefix = "bert");

/// Error "<source>: key '<field>': the checkpoint has X, the model has Y" for the first field that
/// fixes a parameter shape and differs: vocab_size, hidden_size, num_hidden_layers,
/// num_attention_heads, max_position_embeddings, type_vocab_size, the per-layer head counts and
/// FFN widths. Other fields (dropouts, labels, activation) do not decide whether weights fit.
void require_same_shapes(const BertConfig& checkpoint, const BertConfig& model, const std::string& source);

/// The vocabulary / checkpoint mismatch: Error "<vocab_source>: the vocabulary has N tokens, but
/// <config_source> says vocab_size M" when a tokenizer would produce ids past the embedding table.
/// A vocabulary smaller than vocab_size is fine (vocab sizes are often padded to a multiple of 8).
void require_vocab_fits(int64_t vocab_tokens, const std::string& vocab_source, const BertConfig& config,
                        const std::string& config_source);

/// Writes <dir>/config.json and <dir>/model.safetensors (each atomically) into `dir`, which is
/// created if needed. For callers that add files of their own (trainer state) and commit the
/// directory themselves.
void write_pretrained(const std::string& dir, const BertConfig& config, const torch::nn::Module& module);

/// Writes a complete checkpoint directory atomically: both files go into "<dir>.tmp.<pid>", which
/// then replaces `dir` (commit_directory). `config` must describe `module`'s shapes.
void save_pretrained(const std::string& dir, const BertConfig& config, const torch::nn::Module& module);
/// The same with the model's own config; "architectures" is set to the model's class name.
void save_pretrained(const std::string& dir, const AnyBertModel& model);
void save_pretrained(const std::string& dir, const BertModel& model);

/// The validated config of checkpoint directory `dir`. Error naming the path when the directory or
/// its config.json is missing, and naming the key for a missing or wrongly typed field.
BertConfig load_pretrained(const std::string& dir);

/// Reads <dir>'s weights: model.safetensors, or else a sharded safetensors index, pytorch_model.bin or
/// its sharded index (io/weight_files.h; metadata only for model.safetensors). Error naming the path
/// when none is there or the file is corrupt.
SafetensorsContents read_pretrained_weights(const std::string& dir);

/// Loads <dir>'s weights into `module`, whose shapes `model_config` describes, after
/// require_same_shapes(<dir>/config.json, model_config). Returns the report; enforces nothing.
LoadReport load_weights(const std::string& dir, torch::nn::Module& module, const BertConfig& model_config);
LoadReport load_weights(const std::string& dir, AnyBertModel& model);
LoadReport load_weights(const std::string& dir, BertModel& model);

struct PretrainedModel {
  AnyBertModel model;
  LoadReport report;
};

/// Builds a `kind` model from <dir>/config.json, changed by `adjust` first when given (e.g. set
/// num_labels for a new classifier; shapes of the body must stay as they are), loads the weights
/// and enforces `policy` (Error naming the weights file otherwise).
PretrainedModel load_pretrained_model(const std::string& dir, ModelKind kind,
                                      const LoadPolicy& policy = LoadPolicy::initialise(),
                                      const std::function<void(BertConfig&)>& adjust = {});

}  // namespace earlybert
