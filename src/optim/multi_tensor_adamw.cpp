// Multi-tensor AdamW — see include/earlybert/optim/multi_tensor_adamw.h.
#include "earlybert/optim/multi_tensor_adamw.h"

#include <ATen/ATen.h>

#include <cmath>
#include <map>

#include "earlybert/optim/fused_adamw.h"
#include "optim/optim_state_key.h"

namespace earlybert {

namespace {

// The tensors of one group that share a step count (all of them, except after an unusual resume).
struct Bucket {
  std::vector<at::Tensor> params, grads, exp_avgs, exp_avg_sqs;
};

}  // namespace

torch::Tensor MultiTensorAdamW::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    if (options.amsgrad()) {
      // Not used by this project's configs; keep LibTorch's per-tensor path for it.
      return torch::optim::AdamW::step(nullptr);
    }
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    const double lr = options.lr();
    const double beta1 = std::get<0>(options.betas());
    const double beta2 = std::get<1>(options.betas());
    std::map<int64_t, Bucket> buckets;  // by step count after this update
    std::vector<at::Tensor> decayed;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      TORCH_CHECK(!p.grad().is_sparse(), "AdamW does not support sparse gradients");
      const auto key = train_detail::optimizer_state_key<std::decay_t<decltype(state_)>>(p);
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state_.emplace(key, std::move(fresh)).first;
      }
      auto& state = static_cast<torch::optim::AdamWParamState&>(*it->second);
      state.step(state.step() + 1);
      Bucket& b = buckets[state.step()];
      b.params.push_back(p);
      b.grads.push_back(p.grad());
      b.exp_avgs.push_back(state.exp_avg());
      b.exp_avg_sqs.push_back(state.exp_avg_sq());
      decayed.push_back(p);
    }
    // On one CUDA device with LibTorch >= 2.1, one fused kernel per bucket (weight decay included).
    const bool fused = fused_adamw_available(decayed);
    // Decoupled weight decay first, as torch::optim::AdamW does.
    if (!fused && options.weight_decay() != 0.0 && !decayed.empty()) {
      at::_foreach_mul_(decayed, 1.0 - lr * options.weight_decay());
    }
    for (auto& [step, b] : buckets) {
      if (fused) {
        fused_adamw_step(b.params, b.grads, b.exp_avgs, b.exp_avg_sqs, step,
                         {lr, beta1, beta2, options.weight_decay(), options.eps()});
        continue;
      }
      const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(step));
      const double bias_correction2 = 1.0 - std::pow(beta2, static_cast<double>(step));
      at::_foreach_mul_(b.exp_avgs, beta1);
      at::_foreach_add_(b.exp_avgs, b.grads, 1.0 - beta1);
      at::_foreach_mul_(b.exp_avg_sqs, beta2);
      at::_foreach_addcmul_(b.exp_avg_sqs, b.grads, b.grads, 1.0 - beta2);
      auto denom = at::_foreach_sqrt(b.exp_avg_sqs);
      at::_foreach_div_(denom, std::sqrt(bias_correction2));
      at::_foreach_add_(denom, options.eps());
      at::_foreach_addcdiv_(b.params, b.exp_avgs, denom, -lr / bias_correction1);
    }
  }
  return loss;
}

}  // namespace earlybert
