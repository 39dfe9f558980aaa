// BertConfig — the shape and hyper-parameters of a BERT model, read and written as config.json.
//
// Field names are Hugging Face's (transformers.BertConfig), so a Hugging Face config.json loads as is
// and ours loads in Hugging Face. A model pruned by EarlyBERT no longer has the same number of heads
// and FFN neurons in every layer; that is what the per-layer fields are for:
//
//   heads_per_layer      "earlybert_heads_per_layer"     kept heads per layer (empty = all uniform)
//   intermediate_sizes   "earlybert_intermediate_sizes"  FFN width per layer (empty = all uniform)
//   pruned_heads         "pruned_heads" (Hugging Face)   original indices of removed heads per layer;
//                                                        Hugging Face prunes these at load, so a
//                                                        head-pruned checkpoint still loads there
//   slimming             "earlybert_slimming"            whether the slimming coefficients exist
//
// head_dim() stays hidden_size / num_attention_heads of the unpruned model: pruning removes whole
// heads, it never narrows them. Every problem found while reading or validating is an earlybert::Error
// naming the file and the key ("config.json: key 'hidden_size': ...").
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/base/enum_names.h"

namespace earlybert {

/// Hugging Face's problem_type of a sequence-classification head: which loss its labels get.
enum class ProblemType { Regression, SingleLabelClassification, MultiLabelClassification };
template <>
struct EnumNames<ProblemType> {
  static constexpr const char* what = "problem type";
  static constexpr std::array<EnumName<ProblemType>, 3> values{
      {{ProblemType::Regression, "regression"},
       {ProblemType::SingleLabelClassification, "single_label_classification"},
       {ProblemType::MultiLabelClassification, "multi_label_classification"}}};
};
inline std::string to_string(ProblemType t) { return enum_to_string(t); }

struct BertConfig {
  // --- Hugging Face fields (defaults are Hugging Face's) ---
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;  ///< heads per layer of the unpruned model
  int64_t intermediate_size = 3072;  ///< FFN width of the unpruned model
  std::string hidden_act = "gelu";   ///< "gelu" (exact, erf), "gelu_new"/"gelu_pytorch_tanh" (tanh), "relu"
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  double initializer_range = 0.02;
  int64_t pad_token_id = 0;
  std::optional<double> classifier_dropout;              ///< unset: the classifier uses hidden_dropout_prob
  int64_t num_labels = 2;                                ///< written as id2label/label2id like Hugging Face
  std::vector<std::string> id2label;                     ///< label names (empty: "LABEL_i")
  std::optional<ProblemType> problem_type;               ///< unset: inferred from num_labels and the labels
  std::vector<std::string> architectures;                ///< e.g. {"BertForPreTraining"}
  std::map<int64_t, std::vector<int64_t>> pruned_heads;  ///< layer -> removed original head indices

  // --- EarlyBERT extensions ---
  bool slimming = true;                     ///< slimming coefficients present in the model
  std::vector<int64_t> heads_per_layer;     ///< empty: num_attention_heads in every layer
  std::vector<int64_t> intermediate_sizes;  ///< empty: intermediate_size in every layer

  /// Width of one attention head: hidden_size / num_attention_heads (of the unpruned model).
  int64_t head_dim() const { return hidden_size / num_attention_heads; }
  /// Heads kept in `layer`.
  int64_t layer_heads(int64_t layer) const;
  /// FFN width of `layer`.
  int64_t layer_intermediate_size(int64_t layer) const;
  /// True when some layer has fewer heads or FFN neurons than the unpruned model.
  bool is_pruned() const;

  /// Throws Error("<source>: key '<k>': ...") for the first inconsistent field.
  void validate(const std::string& source = "BertConfig") const;

  /// Google's BERT sizes: bert-tiny, bert-mini, bert-small, bert-medium, bert-base, bert-large.
  /// An unknown name is an Error that lists the valid ones.
  static BertConfig preset(const std::string& name);
  static std::vector<std::string> preset_names();

  /// Parses config.json text; `source` names the file in errors. Validates.
  static BertConfig from_json(const std::string& text, const std::string& source = "config.json");
  /// Reads and validates a config.json file.
  static BertConfig load(const std::string& path);
  /// Hugging Face-compatible config.json text (sorted keys, 2-space indent).
  std::string to_json() const;
  /// Writes to_json() atomically.
  void save(const std::string& path) const;

  bool operator==(const BertConfig& other) const;
  bool operator!=(const BertConfig& other) const { return !(*this == other); }
};

}  // namespace earlybert
