// Building the optimizer of a run, setting its learning rate, clipping gradients, and saving/loading
// its state.
//
// Parameter groups follow Hugging Face and the official EarlyBERT trainer: weight decay applies to
// every trainable tensor except biases, LayerNorm weights and the slimming coefficients (a decayed
// coefficient would be pulled to zero by the decay as well as by the L1 term, changing the search).
// The rule is by name: a name that ends in "bias", contains "LayerNorm" or contains "slimming_coef".
// Group 0 is decayed, group 1 is not; both exist even when empty, so a saved state always has two
// groups.
//
// The optimizer is rebuilt after the draw (the pruned tensors have new shapes): call make_optimizer()
// again with the pruned model's parameters — fresh state, as EarlyBERT's efficient stage starts.
#pragma once

#include <torch/torch.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "earlybert/base/enum_names.h"

namespace earlybert {

/// Key `optim`.
enum class OptimizerKind { AdamW, Lamb };
template <>
struct EnumNames<OptimizerKind> {
  static constexpr const char* what = "optimizer";
  static constexpr std::array<EnumName<OptimizerKind>, 3> values{
      {{OptimizerKind::AdamW, "adamw"}, {OptimizerKind::AdamW, "adamw_torch"}, {OptimizerKind::Lamb, "lamb"}}};
};
inline std::string to_string(OptimizerKind kind) { return enum_to_string(kind); }

/// The optimizer's hyper-parameters (keys optim, learning_rate, weight_decay, adam_beta1/2, adam_epsilon).
struct OptimizerOptions {
  OptimizerKind kind = OptimizerKind::AdamW;
  double learning_rate = 5e-5;
  double weight_decay = 0.0;  ///< decoupled; not on bias, LayerNorm or slimming coefficients
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
};

/// True for names excluded from weight decay (bias, LayerNorm, slimming coefficients).
bool excluded_from_weight_decay(const std::string& parameter_name);

/// Trainable parameters (requires_grad) split by the rule above, names kept for logs and tests.
struct WeightDecayGroups {
  std::vector<std::string> decay_names;
  std::vector<torch::Tensor> decay;
  std::vector<std::string> no_decay_names;
  std::vector<torch::Tensor> no_decay;
};
WeightDecayGroups split_weight_decay_groups(const torch::OrderedDict<std::string, torch::Tensor>& named_parameters);

/// AdamW (MultiTensorAdamW, a torch::optim::AdamW) or LAMB (earlybert::Lamb) per options.kind, with learning_rate,
/// adam_beta1/2, adam_epsilon and weight_decay from `args`.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(
    const torch::OrderedDict<std::string, torch::Tensor>& named_parameters, const OptimizerOptions& options);

/// Sets the learning rate of every parameter group (called once per update with schedule.lr(step)).
void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);

/// Learning rate of the first parameter group.
double learning_rate(const torch::optim::Optimizer& optimizer);

/// Global L2 norm of the gradients of `parameters` (tensors without a gradient are skipped), computed
/// as torch::nn::utils::clip_grad_norm_ does; when max_norm > 0 and the norm exceeds it, gradients
/// are scaled by max_norm / (norm + 1e-6). Returns the norm before clipping (inf/nan are returned as
/// they are: the caller decides to skip the update).
double clip_grad_norm(const std::vector<torch::Tensor>& parameters, double max_norm);

/// Every parameter of every group, in group order (what clip_grad_norm needs).
std::vector<torch::Tensor> optimizer_parameters(const torch::optim::Optimizer& optimizer);

/// Writes the optimizer state (moments, step counts, group options) to `path` atomically, tagged
/// with the optimizer kind ("adamw" or "lamb").
void save_optimizer_state(const torch::optim::Optimizer& optimizer, const std::string& path);

/// Reads state written by save_optimizer_state into an optimizer over the same parameters (same
/// kind, group count and group sizes); tensors go to the device of the first parameter. One-line
/// Error naming the path on a missing file, another optimizer kind or a mismatch.
void load_optimizer_state(torch::optim::Optimizer& optimizer, const std::string& path);

}  // namespace earlybert
