// AnyBertModel — one of the five task models behind one handle, for code that is generic over the
// task (the trainer, the benchmark, checkpoint loading).
//
// Each kind keeps its own typed forward() and output struct; AnyBertModel adds what generic code
// needs: the kind, the module (parameters(), train(), to()), the BertModel body, the config, and
// loss(batch).
#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <variant>

#include "earlybert/model/batch.h"
#include "earlybert/model/bert_for_masked_lm.h"
#include "earlybert/model/bert_for_pretraining.h"
#include "earlybert/model/bert_for_question_answering.h"
#include "earlybert/model/bert_for_sequence_classification.h"
#include "earlybert/model/bert_for_token_classification.h"

namespace earlybert {

/// The order is the variant's: kind() is the index of the model held.
enum class ModelKind { PreTraining, MaskedLM, SequenceClassification, QuestionAnswering, TokenClassification };

/// Hugging Face class name: "BertForPreTraining", "BertForMaskedLM", "BertForSequenceClassification",
/// "BertForQuestionAnswering", "BertForTokenClassification".
std::string architecture_name(ModelKind kind);
/// Inverse of architecture_name(); an unknown name is an Error naming `where`.
ModelKind model_kind_from_architecture(const std::string& name, const std::string& where = "architectures");

class AnyBertModel {
 public:
  using Variant = std::variant<BertForPreTraining, BertForMaskedLM, BertForSequenceClassification,
                               BertForQuestionAnswering, BertForTokenClassification>;

  AnyBertModel(BertForPreTraining m) : model_(std::move(m)) {}
  AnyBertModel(BertForMaskedLM m) : model_(std::move(m)) {}
  AnyBertModel(BertForSequenceClassification m) : model_(std::move(m)) {}
  AnyBertModel(BertForQuestionAnswering m) : model_(std::move(m)) {}
  AnyBertModel(BertForTokenClassification m) : model_(std::move(m)) {}

  /// A freshly initialised model of `kind`.
  static AnyBertModel create(ModelKind kind, const BertConfig& config);

  ModelKind kind() const;
  std::shared_ptr<torch::nn::Module> module() const;
  BertModel bert() const;
  const BertConfig& config() const;

  /// Runs forward() and returns its loss; Error when the batch lacks the labels the kind needs.
  torch::Tensor loss(const Batch& batch);

  /// A deep copy (parameters copied, pruned shapes kept).
  AnyBertModel clone() const;

  Variant& variant() { return model_; }
  const Variant& variant() const { return model_; }
  template <typename M>
  M& get() {
    return std::get<M>(model_);
  }

 private:
  Variant model_;
};

}  // namespace earlybert
