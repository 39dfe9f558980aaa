// Physical pruning: applying a PruningPlan makes the matrices really smaller.
//
// Per layer, with d = head_dim and kept heads H, kept neurons N:
//   attention.self.{query,key,value}.{weight,bias}  keep rows h·d … h·d+d−1 for h in H
//   attention.output.dense.weight                   keeps those columns
//   attention.self.slimming_coef                    keeps entries H
//   intermediate.dense.{weight,bias}                keep rows N
//   output.dense.weight                             keeps columns N
//   slimming_coef (FFN)                             keeps entries N
// Surviving values are copied exactly. Parameters are changed in place (Tensor::set_data), so they
// stay the same leaf tensors with requires_grad, the tied decoder stays tied, and their .grad is
// cleared; optimizer state is not touched (create a new optimizer after pruning). The model's
// BertConfig is updated (earlybert_heads_per_layer, earlybert_intermediate_sizes, and Hugging Face's
// pruned_heads in original head numbering, when the config knows that numbering), so its config.json
// rebuilds the same shapes.
// The invariant, tested for every model kind: in eval mode the pruned model computes what the
// unpruned model computes with the pruned units' coefficients set to zero.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/bert_model.h"
#include "earlybert/prune/pruning_plan.h"

namespace earlybert {

struct PruneReport {
  struct Change {
    std::string name;  ///< full parameter name, e.g. "bert.encoder.layer.0.attention.self.query.weight"
    std::vector<int64_t> old_shape;
    std::vector<int64_t> new_shape;
  };
  std::vector<Change> changed;  ///< every parameter whose shape changed, in layer order
  int64_t params_before = 0;    ///< parameter count of the body before
  int64_t params_after = 0;
};

/// Prunes `bert` in place. The plan is validated against bert's config first (Error, model untouched,
/// when it does not fit). `prefix` is prepended to the reported names ("bert." inside task models).
PruneReport apply_plan(BertModelImpl& bert, const PruningPlan& plan, const std::string& prefix = "");
PruneReport apply_plan(BertModel& bert, const PruningPlan& plan);
PruneReport apply_plan(BertForPreTraining& model, const PruningPlan& plan);
PruneReport apply_plan(BertForMaskedLM& model, const PruningPlan& plan);
PruneReport apply_plan(BertForSequenceClassification& model, const PruningPlan& plan);
PruneReport apply_plan(BertForQuestionAnswering& model, const PruningPlan& plan);
PruneReport apply_plan(BertForTokenClassification& model, const PruningPlan& plan);
PruneReport apply_plan(AnyBertModel& model, const PruningPlan& plan);

/// A pruned deep copy; `model` is left as it is.
template <typename Holder>
Holder pruned_clone(const Holder& model, const PruningPlan& plan) {
  Holder copy(std::dynamic_pointer_cast<typename Holder::ContainedType>(model->clone()));
  apply_plan(copy, plan);
  return copy;
}
AnyBertModel pruned_clone(const AnyBertModel& model, const PruningPlan& plan);

}  // namespace earlybert
