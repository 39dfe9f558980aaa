// LAMB: Adam with a layer-wise trust ratio, for large-batch BERT pre-training (You et al., ICLR 2020,
// "Large Batch Optimization for Deep Learning: Training BERT in 76 minutes").
//
// One update of a parameter tensor w with gradient g at step t (1-based), as NVIDIA's FusedLAMB
// (apex.optimizers.FusedLAMB, the optimizer of NVIDIA's BERT pre-training) computes it with its
// defaults (bias_correction, grad_averaging, decoupled weight decay):
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g^2
//   u = (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps) + weight_decay * w
//   r = ||w|| / ||u||   (1 when either norm is 0)
//   w = w - lr * r * u
// As in FusedLAMB (use_nvlamb=False), the trust ratio is applied only to tensors with weight decay;
// the no-decay group (bias, LayerNorm, slimming coefficients) gets a plain Adam step (r = 1).
// `always_adapt(true)` applies it to every tensor, as the paper's algorithm does.
// Gradient clipping is not done here: the trainer clips the global norm before step().
//
// A torch::optim::Optimizer, so parameter groups, zero_grad, set_lr and torch::save/load work as for
// the built-in optimizers (LibTorch 1.13 and 2.x).
#pragma once

#include <torch/torch.h>

#include <tuple>
#include <utility>
#include <vector>

namespace earlybert {

struct LambOptions : public torch::optim::OptimizerCloneableOptions<LambOptions> {
  LambOptions(double lr = 1e-3);  // NOLINT: implicit, as LibTorch's optimizers (serialize needs Options(0))
  TORCH_ARG(double, lr) = 1e-3;
  typedef std::tuple<double, double> betas_t;
  TORCH_ARG(betas_t, betas) = std::make_tuple(0.9, 0.999);
  TORCH_ARG(double, eps) = 1e-6;
  TORCH_ARG(double, weight_decay) = 0.01;
  TORCH_ARG(bool, always_adapt) = false;

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override;
  void set_lr(const double lr) override;
};

struct LambParamState : public torch::optim::OptimizerCloneableParamState<LambParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, exp_avg);
  TORCH_ARG(torch::Tensor, exp_avg_sq);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class Lamb : public torch::optim::Optimizer {
 public:
  explicit Lamb(std::vector<torch::optim::OptimizerParamGroup> param_groups, LambOptions defaults = {});
  explicit Lamb(std::vector<torch::Tensor> params, LambOptions defaults = {});

  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
};

}  // namespace earlybert
