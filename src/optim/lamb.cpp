// LAMB optimizer — see include/earlybert/optim/lamb.h.
#include "earlybert/optim/lamb.h"

#include "optim/optim_state_key.h"

#include <sstream>
#include <string>
#include <type_traits>

namespace earlybert {
namespace {

template <typename T>
T read_value(torch::serialize::InputArchive& archive, const char* key) {
  c10::IValue v;
  archive.read(key, v);
  if constexpr (std::is_same_v<T, double>)
    return v.toDouble();
  else if constexpr (std::is_same_v<T, bool>)
    return v.toBool();
  else if constexpr (std::is_same_v<T, int64_t>)
    return v.toInt();
  else
    return v.toTensor();
}

}  // namespace

LambOptions::LambOptions(double lr) : lr_(lr) {}

void LambOptions::serialize(torch::serialize::OutputArchive& archive) const {
  archive.write("lr", c10::IValue(lr()));
  archive.write("beta1", c10::IValue(std::get<0>(betas())));
  archive.write("beta2", c10::IValue(std::get<1>(betas())));
  archive.write("eps", c10::IValue(eps()));
  archive.write("weight_decay", c10::IValue(weight_decay()));
  archive.write("always_adapt", c10::IValue(always_adapt()));
}

void LambOptions::serialize(torch::serialize::InputArchive& archive) {
  lr(read_value<double>(archive, "lr"));
  betas(std::make_tuple(read_value<double>(archive, "beta1"), read_value<double>(archive, "beta2")));
  eps(read_value<double>(archive, "eps"));
  weight_decay(read_value<double>(archive, "weight_decay"));
  always_adapt(read_value<bool>(archive, "always_adapt"));
}

double LambOptions::get_lr() const { return lr(); }
void LambOptions::set_lr(const double new_lr) { lr(new_lr); }

void LambParamState::serialize(torch::serialize::OutputArchive& archive) const {
  archive.write("step", c10::IValue(step()));
  archive.write("exp_avg", c10::IValue(exp_avg()));
  archive.write("exp_avg_sq", c10::IValue(exp_avg_sq()));
}

void LambParamState::serialize(torch::serialize::InputArchive& archive) {
  step(read_value<int64_t>(archive, "step"));
  exp_avg(read_value<torch::Tensor>(archive, "exp_avg"));
  exp_avg_sq(read_value<torch::Tensor>(archive, "exp_avg_sq"));
}

Lamb::Lamb(std::vector<torch::optim::OptimizerParamGroup> param_groups, LambOptions defaults)
    : torch::optim::Optimizer(std::move(param_groups), std::make_unique<LambOptions>(defaults)) {
  TORCH_CHECK(defaults.lr() >= 0, "Invalid learning rate: ", defaults.lr());
  TORCH_CHECK(defaults.eps() >= 0, "Invalid epsilon value: ", defaults.eps());
  TORCH_CHECK(0 <= std::get<0>(defaults.betas()) && std::get<0>(defaults.betas()) < 1.0, "Invalid beta1");
  TORCH_CHECK(0 <= std::get<1>(defaults.betas()) && std::get<1>(defaults.betas()) < 1.0, "Invalid beta2");
  TORCH_CHECK(defaults.weight_decay() >= 0, "Invalid weight_decay value: ", defaults.weight_decay());
}

Lamb::Lamb(std::vector<torch::Tensor> params, LambOptions defaults)
    : Lamb(std::vector<torch::optim::OptimizerParamGroup>{torch::optim::OptimizerParamGroup(std::move(params))},
           defaults) {}

torch::Tensor Lamb::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss = {};
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const LambOptions&>(group.options());
    const double beta1 = std::get<0>(options.betas());
    const double beta2 = std::get<1>(options.betas());
    const double wd = options.weight_decay();
    const bool adapt = options.always_adapt() || wd != 0.0;
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto& grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "LAMB does not support sparse gradients");
      const auto key = train_detail::optimizer_state_key<std::decay_t<decltype(state_)>>(p);
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto fresh = std::make_unique<LambParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state_.emplace(key, std::move(fresh)).first;
      }
      auto& state = static_cast<LambParamState&>(*it->second);
      state.step(state.step() + 1);
      auto& m = state.exp_avg();
      auto& v = state.exp_avg_sq();
      m.mul_(beta1).add_(grad, 1.0 - beta1);
      v.mul_(beta2).addcmul_(grad, grad, 1.0 - beta2);
      const double bc1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
      const double bc2 = 1.0 - std::pow(beta2, static_cast<double>(state.step()));
      auto update = (m / bc1) / ((v / bc2).sqrt() + options.eps());
      if (wd != 0.0) update.add_(p, wd);
      if (adapt) {
        // Kept on the device (no .item()): one fused scale, no host synchronisation per tensor.
        const auto w_norm = p.norm();
        const auto u_norm = update.norm();
        const auto ratio = torch::where(w_norm.gt(0) & u_norm.gt(0), w_norm / u_norm, torch::ones_like(w_norm));
        p.sub_(update * (ratio * options.lr()));
      } else {
        p.sub_(update, options.lr());
      }
    }
  }
  return loss;
}

void Lamb::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<LambParamState, LambOptions>(archive, *this);
}

void Lamb::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<LambParamState, LambOptions>(archive, *this);
}

}  // namespace earlybert
