// Fresh weights for a ticket's structure — see include/earlybert/prune/reinit.h.
#include "earlybert/prune/reinit.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include <map>
#include <mutex>

#include "earlybert/base/error.h"

namespace earlybert {

void reinitialize(AnyBertModel& model, uint64_t seed) {
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  at::Tensor saved_state;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    saved_state = gen.get_state();
  }
  torch::manual_seed(seed);
  const AnyBertModel fresh = AnyBertModel::create(model.kind(), model.config());
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(saved_state);
  }
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> init;
  for (const auto& item : fresh.module()->named_parameters()) init[item.key()] = item.value();
  for (auto& item : model.module()->named_parameters()) {
    const auto it = init.find(item.key());
    if (it == init.end() || !it->second.sizes().equals(item.value().sizes()))
      fail("reinit", "a new model of the same config has no '" + item.key() + "' of that shape");
    item.value().copy_(it->second);
  }
}

}  // namespace earlybert
