// The shared evaluation loop — see include/earlybert/tasks/eval_loop.h.
#include "earlybert/tasks/eval_loop.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>

#include "earlybert/base/error.h"

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
  if (context.communicator != nullptr && context.communicator->world_size() > 1)
    fail("evaluation", "sharded evaluation over several ranks is not available in this build");
  EvalModeGuard mode(model);
  torch::NoGradGuard no_grad;
  const torch::Device device = model_device(model);
  std::vector<std::vector<torch::Tensor>> parts;
  for (int64_t begin = 0; begin < count; begin += context.batch_size) {
    std::vector<int64_t> indices;
    for (int64_t i = begin; i < std::min(count, begin + context.batch_size); ++i) indices.push_back(i);
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
  return out;
}

}  // namespace earlybert
