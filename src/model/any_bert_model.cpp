// AnyBertModel: the task-generic handle over the five model kinds.
#include "earlybert/model/any_bert_model.h"

#include "earlybert/base/error.h"

namespace earlybert {

namespace {
template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;
}  // namespace

std::string architecture_name(ModelKind kind) {
  switch (kind) {
    case ModelKind::PreTraining:
      return "BertForPreTraining";
    case ModelKind::MaskedLM:
      return "BertForMaskedLM";
    case ModelKind::SequenceClassification:
      return "BertForSequenceClassification";
    case ModelKind::QuestionAnswering:
      return "BertForQuestionAnswering";
    case ModelKind::TokenClassification:
      return "BertForTokenClassification";
  }
  return "";
}

ModelKind model_kind_from_architecture(const std::string& name, const std::string& where) {
  for (auto k : {ModelKind::PreTraining, ModelKind::MaskedLM, ModelKind::SequenceClassification,
                 ModelKind::QuestionAnswering, ModelKind::TokenClassification}) {
    if (architecture_name(k) == name) return k;
  }
  fail(where, "unsupported architecture '" + name +
                  "' (supported: BertForPreTraining, BertForMaskedLM, BertForSequenceClassification, "
                  "BertForQuestionAnswering, BertForTokenClassification)");
}

AnyBertModel AnyBertModel::create(ModelKind kind, const BertConfig& config) {
  switch (kind) {
    case ModelKind::PreTraining:
      return AnyBertModel(BertForPreTraining(config));
    case ModelKind::MaskedLM:
      return AnyBertModel(BertForMaskedLM(config));
    case ModelKind::SequenceClassification:
      return AnyBertModel(BertForSequenceClassification(config));
    case ModelKind::QuestionAnswering:
      return AnyBertModel(BertForQuestionAnswering(config));
    case ModelKind::TokenClassification:
      return AnyBertModel(BertForTokenClassification(config));
  }
  fail("model kind", "unknown");
}

ModelKind AnyBertModel::kind() const { return static_cast<ModelKind>(model_.index()); }

std::shared_ptr<torch::nn::Module> AnyBertModel::module() const {
  return std::visit([](const auto& m) -> std::shared_ptr<torch::nn::Module> { return m.ptr(); }, model_);
}

BertModel AnyBertModel::bert() const {
  return std::visit([](const auto& m) { return m->bert; }, model_);
}

const BertConfig& AnyBertModel::config() const {
  return std::visit([](const auto& m) -> const BertConfig& { return m->config(); }, model_);
}

torch::Tensor AnyBertModel::loss(const Batch& batch) {
  auto need = [](const torch::Tensor& t, const char* field, ModelKind kind) {
    if (!t.defined()) fail("batch", architecture_name(kind) + " needs " + field + " to compute a loss");
  };
  const ModelKind k = kind();
  return std::visit(overloaded{[&](BertForPreTraining& m) {
                                 if (!batch.labels.defined() && !batch.next_sentence_label.defined())
                                   need(batch.labels, "labels", k);
                                 return m->forward(batch).loss;
                               },
                               [&](BertForMaskedLM& m) {
                                 need(batch.labels, "labels", k);
                                 return m->forward(batch).loss;
                               },
                               [&](BertForSequenceClassification& m) {
                                 need(batch.labels, "labels", k);
                                 return m->forward(batch).loss;
                               },
                               [&](BertForQuestionAnswering& m) {
                                 need(batch.start_positions, "start_positions", k);
                                 need(batch.end_positions, "end_positions", k);
                                 return m->forward(batch).loss;
                               },
                               [&](BertForTokenClassification& m) {
                                 need(batch.labels, "labels", k);
                                 return m->forward(batch).loss;
                               }},
                    model_);
}

AnyBertModel AnyBertModel::clone() const {
  return std::visit(
      [](const auto& m) -> AnyBertModel {
        using Holder = std::decay_t<decltype(m)>;
        return AnyBertModel(Holder(std::dynamic_pointer_cast<typename Holder::ContainedType>(m->clone())));
      },
      model_);
}

}  // namespace earlybert
