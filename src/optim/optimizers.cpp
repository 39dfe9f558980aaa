// Optimizer construction, learning rate, clipping, state files — see include/earlybert/optim/optimizers.h.
#include "earlybert/optim/optimizers.h"

#include <cmath>
#include <sstream>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/optim/lamb.h"
#include "earlybert/optim/multi_tensor_adamw.h"
#include "optim/optim_state_key.h"

namespace earlybert {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

OptimizerKind optimizer_kind(const torch::optim::Optimizer& optimizer, const std::string& path) {
  if (dynamic_cast<const torch::optim::AdamW*>(&optimizer) != nullptr) return OptimizerKind::AdamW;
  if (dynamic_cast<const Lamb*>(&optimizer) != nullptr) return OptimizerKind::Lamb;
  fail(path, "not an optimizer earlybert saves (AdamW or LAMB)");
}

/// First line of a c10::Error message, without LibTorch's backtrace.
std::string first_line(const c10::Error& e) {
  std::string msg = e.what_without_backtrace();
  const auto nl = msg.find('\n');
  return nl == std::string::npos ? msg : msg.substr(0, nl);
}

constexpr const char* kKindKey = "earlybert_optimizer";

/// LibTorch maps saved state to parameters by position only; a state saved for other shapes (a model
/// before the draw, say) would load "successfully" and fail later inside step(). Check it here.
template <typename State>
void check_state_shapes(torch::optim::Optimizer& optimizer, const std::string& path) {
  auto& state = optimizer.state();
  size_t index = 0;
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) {
      auto it = state.find(train_detail::optimizer_state_key<std::decay_t<decltype(state)>>(p));
      if (it != state.end()) {
        const auto* s = dynamic_cast<const State*>(it->second.get());
        if (s == nullptr || !s->exp_avg().defined() || s->exp_avg().sizes() != p.sizes())
          fail(path, "optimizer state of parameter #" + std::to_string(index) + " does not match its shape " +
                         c10::str(p.sizes()));
      }
      ++index;
    }
  }
}

}  // namespace

bool excluded_from_weight_decay(const std::string& name) {
  return ends_with(name, "bias") || name.find("LayerNorm") != std::string::npos ||
         name.find("slimming_coef") != std::string::npos;
}

WeightDecayGroups split_weight_decay_groups(const torch::OrderedDict<std::string, torch::Tensor>& named) {
  WeightDecayGroups g;
  for (const auto& item : named) {
    if (!item.value().requires_grad()) continue;
    if (excluded_from_weight_decay(item.key())) {
      g.no_decay_names.push_back(item.key());
      g.no_decay.push_back(item.value());
    } else {
      g.decay_names.push_back(item.key());
      g.decay.push_back(item.value());
    }
  }
  return g;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const torch::OrderedDict<std::string, torch::Tensor>& named,
                                                        const OptimizerOptions& o) {
  auto groups = split_weight_decay_groups(named);
  const auto betas = std::make_tuple(o.beta1, o.beta2);
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  if (o.kind == OptimizerKind::AdamW) {
    // The decayed group's options are also the optimizer's defaults: LibTorch 2.x merges group options
    // that equal the constructor defaults with the optimizer defaults, and this way the merge cannot
    // change anything.
    auto decay = torch::optim::AdamWOptions(o.learning_rate).betas(betas).eps(o.epsilon).weight_decay(o.weight_decay);
    auto no_decay = decay;
    no_decay.weight_decay(0.0);
    param_groups.emplace_back(groups.decay, std::make_unique<torch::optim::AdamWOptions>(decay));
    param_groups.emplace_back(groups.no_decay, std::make_unique<torch::optim::AdamWOptions>(no_decay));
    return std::make_unique<MultiTensorAdamW>(std::move(param_groups), decay);
  }
  auto decay = LambOptions(o.learning_rate).betas(betas).eps(o.epsilon).weight_decay(o.weight_decay);
  auto no_decay = decay;
  no_decay.weight_decay(0.0);
  param_groups.emplace_back(groups.decay, std::make_unique<LambOptions>(decay));
  param_groups.emplace_back(groups.no_decay, std::make_unique<LambOptions>(no_decay));
  return std::make_unique<Lamb>(std::move(param_groups), decay);
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

double learning_rate(const torch::optim::Optimizer& optimizer) {
  if (optimizer.param_groups().empty()) return 0.0;
  return optimizer.param_groups().front().options().get_lr();
}

std::vector<torch::Tensor> optimizer_parameters(const torch::optim::Optimizer& optimizer) {
  std::vector<torch::Tensor> out;
  for (const auto& group : optimizer.param_groups())
    out.insert(out.end(), group.params().begin(), group.params().end());
  return out;
}

double clip_grad_norm(const std::vector<torch::Tensor>& parameters, double max_norm) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  // Per-tensor norms, then the norm of the norms, on the first gradient's device (as LibTorch does).
  std::vector<torch::Tensor> norms;
  norms.reserve(grads.size());
  const auto device = grads.front().device();
  for (const auto& g : grads) norms.push_back(g.norm(2).to(device));
  const torch::Tensor total = norms.size() == 1 ? norms.front() : torch::stack(norms).norm(2);
  const double total_norm = total.item<double>();
  if (max_norm > 0.0 && std::isfinite(total_norm)) {
    const auto coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
    for (auto& g : grads) g.mul_(coef.to(g.device()));
  }
  return total_norm;
}

void save_optimizer_state(const torch::optim::Optimizer& optimizer, const std::string& path) {
  std::ostringstream bytes;
  try {
    torch::serialize::OutputArchive archive;
    archive.write(kKindKey, c10::IValue(to_string(optimizer_kind(optimizer, path))));
    optimizer.save(archive);
    archive.save_to(bytes);
  } catch (const c10::Error& e) {
    fail(path, "cannot serialize optimizer state: " + first_line(e));
  }
  write_file_atomic(path, bytes.str());
}

void load_optimizer_state(torch::optim::Optimizer& optimizer, const std::string& path) {
  std::istringstream bytes(read_file(path));
  c10::optional<torch::Device> device;
  for (const auto& group : optimizer.param_groups())
    if (!group.params().empty()) {
      device = group.params().front().device();
      break;
    }
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(bytes, device);
    c10::IValue kind;
    if (!archive.try_read(kKindKey, kind) || !kind.isString()) fail(path, "not an earlybert optimizer state file");
    const OptimizerKind expected = optimizer_kind(optimizer, path);
    OptimizerKind saved = expected;
    if (!try_parse_enum(kind.toStringRef(), saved) || saved != expected)
      fail(path, "optimizer state is for '" + kind.toStringRef() + "', this run uses '" + to_string(expected) + "'");
    optimizer.load(archive);
    if (expected == OptimizerKind::AdamW) check_state_shapes<torch::optim::AdamWParamState>(optimizer, path);
    if (expected == OptimizerKind::Lamb) check_state_shapes<LambParamState>(optimizer, path);
  } catch (const c10::Error& e) {
    fail(path, "cannot load optimizer state: " + first_line(e));
  }
}

}  // namespace earlybert
