// RewindPoint — the weights a lottery-ticket strategy rewinds the surviving units to (Frankle & Carbin:
// the initialisation; Frankle et al., "linear mode connectivity": the weights after k updates).
//
// keep() stores a deep CPU copy of the whole model (parameters and buffers). Every time the model is
// physically pruned (prune/apply_plan.h), prune() applies the same plan to the copy, so the copy always
// has the model's shapes and restore_into() is a plain copy by name: each surviving head and neuron gets
// exactly the values it had at the rewind point (apply_plan copies surviving values exactly), whatever
// the number of rounds. restore_into() checks that every tensor is there with the model's shape (one-line
// Error naming the tensor otherwise) and leaves the parameters the same leaf tensors (copy_).
#pragma once

#include <cstdint>
#include <optional>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/prune/pruning_plan.h"

namespace earlybert {

class RewindPoint {
 public:
  /// Keeps a CPU copy of `model` as it is after `step` updates.
  void keep(const AnyBertModel& model, int64_t step);
  bool kept() const { return copy_.has_value(); }
  /// The step the weights were kept at; -1 when nothing is kept.
  int64_t step() const { return step_; }

  /// Prunes the kept copy by `plan` (the plan the model was just pruned by). Error when nothing is kept.
  void prune(const PruningPlan& plan);

  /// Copies the kept parameters and buffers into `model` (on the model's device). Error when nothing is
  /// kept, or a tensor is missing or has another shape.
  void restore_into(AnyBertModel& model) const;

 private:
  std::optional<AnyBertModel> copy_;
  int64_t step_ = -1;
};

}  // namespace earlybert
