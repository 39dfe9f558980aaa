// The one evaluation loop every task runs its model through.
//
// A task says how to build a batch from item indices and what to keep of the model's outputs; the loop
// does the rest the same way for every task: eval mode (no dropout) for its duration, no gradients,
// batches of per_device_eval_batch_size moved to the model's device, the forward passes under the
// run's autocast precision (the evaluation's autocast guard point), and the outputs brought back to
// the CPU and concatenated in item order. With several data-parallel ranks each rank evaluates its own
// contiguous shard of the items and the outputs are gathered from all ranks, so every rank returns
// the same rows — evaluation is sharded, not repeated (with fewer items than ranks every rank evaluates
// them all).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "earlybert/distributed/communicator.h"
#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/batch.h"
#include "earlybert/runtime/precision.h"

namespace earlybert {

/// How a task evaluates: batch size, precision, and the ranks that share the work.
struct EvalContext {
  int64_t batch_size = 8;                 ///< per_device_eval_batch_size
  Precision precision = Precision::Fp32;  ///< autocast of the forward passes
  Communicator* communicator = nullptr;   ///< null (or one rank): this process evaluates every item
};

/// Outputs of one batch (or of all batches, concatenated): each tensor's first dimension counts rows
/// — one per item (logits) or one per batch (a loss sum) — and rows of the same position are
/// concatenated. Every batch must return the same number of tensors with the same trailing shapes.
using EvalRows = std::vector<torch::Tensor>;

using EvalCollate = std::function<Batch(const std::vector<int64_t>& indices)>;
using EvalForward = std::function<EvalRows(const Batch& batch)>;

/// Runs `forward` over the items [0, count) (see above). Returns CPU tensors; bf16/fp16 outputs (of a
/// mixed-precision forward) are returned in fp32, the others in their own dtype. Error naming
/// 'per_device_eval_batch_size' when batch_size < 1.
EvalRows run_evaluation(AnyBertModel& model, int64_t count, const EvalContext& context, const EvalCollate& collate,
                        const EvalForward& forward);

/// True on the process that writes prediction files (no communicator, or rank 0).
inline bool writes_files(const EvalContext& context) {
  return context.communicator == nullptr || context.communicator->is_main();
}

/// The device of the model's first parameter (CPU for a model without parameters).
torch::Device model_device(const AnyBertModel& model);

}  // namespace earlybert
