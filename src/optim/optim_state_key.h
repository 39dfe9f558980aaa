// Private helper: the key of a parameter in a torch::optim::Optimizer's state map.
//
// The map is keyed by the parameter's TensorImpl: a std::string (its printed address) in LibTorch
// 1.x and a void* in 2.x. The key type is taken from the map itself, so no version macro is needed.
#pragma once

#include <torch/torch.h>

#include <sstream>
#include <string>
#include <type_traits>

namespace earlybert::train_detail {

template <typename Map>
typename Map::key_type optimizer_state_key(const torch::Tensor& p) {
  using Key = typename Map::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream s;
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return p.unsafeGetTensorImpl();
  }
}

}  // namespace earlybert::train_detail
