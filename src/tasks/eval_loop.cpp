// The shared evaluation loop — see include/earlybert/tasks/eval_loop.h.
#include "earlybert/tasks/eval_loop.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>

#include "earlybert/base/error.h"
#include "earlybert/distributed/gather.h"
#include "earlybert/distributed/rank_shard.h"

namespace earlybert {
namespace {

/// Eval mode for a scope; the previous mode comes back when it ends.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(const AnyBertModel& model) : module_(model.module()), was_training_(module_->is_training()) {
    module_->eval();
  }
  ~EvalModeGuard() { module_->train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  std::shared_ptr<torch::nn::Module> module_;
  bool was_training_;
};

}  // namespace

torch::Device model_device(const AnyBertModel& model) {
  const auto params = model.module()->parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

EvalRows run_evaluation(AnyBertModel& model, int64_t count, const EvalContext& context, const EvalCollate& collate,
                        const EvalForward& forward) {
  if (context.batch_size < 1) fail("per_device_eval_batch_size", "must be at least 1");
  // Several ranks: each evaluates its contiguous block and the blocks are gathered in rank order. With
  // fewer items than ranks a rank would have nothing to tell the others the outputs' shapes, so every
  // rank then evaluates them all (a few items: the repetition costs nothing).
  Communicator* comm = context.communicator;
  const bool sharded = comm != nullptr && comm->world_size() > 1 && count >= comm->world_size();
  const ShardRange range = sharded ? eval_shard_range(count, comm->rank(), comm->world_size()) : ShardRange{0, count};
  EvalModeGuard mode(model);
  torch::NoGradGuard no_grad;
  const torch::Device device = model_device(model);
  std::vector<std::vector<torch::Tensor>> parts;
  for (int64_t begin = range.begin; begin < range.end; begin += context.batch_size) {
    std::vector<int64_t> indices;
    for (int64_t i = begin; i < std::min(range.end, begin + context.batch_size); ++i) indices.push_back(i);
    const Batch batch = collate(indices).to(device);
    EvalRows rows;
    {
      AutocastGuard autocast(context.precision, device);
      rows = forward(batch);
    }
    if (parts.empty()) parts.resize(rows.size());
    if (rows.size() != parts.size()) fail("evaluation", "the task's outputs changed in number between batches");
    for (size_t k = 0; k < rows.size(); ++k) {
      torch::Tensor t = rows[k].detach().to(torch::kCPU);
      if (t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf) t = t.to(torch::kFloat);
      parts[k].push_back(t.contiguous());
    }
  }
  EvalRows out;
  for (auto& p : parts) out.push_back(torch::cat(p, 0));
  if (sharded) {
    // Every rank has at least one item, so every rank knows the number of outputs; the tensors are
    // gathered one after the other in the same order on every rank.
    for (auto& t : out) t = gather_in_rank_order(*comm, t).to(torch::kCPU);
  }
  return out;
}

}  // namespace earlybert
