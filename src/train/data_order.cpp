// Training data order — see data_order.h.
#include "train/data_order.h"

#include "earlybert/data/pretraining_sampler.h"

namespace earlybert::train_detail {

std::vector<int64_t> training_order(int64_t n, int64_t seed, int64_t epoch) {
  const auto order = epoch_order(static_cast<size_t>(n), static_cast<uint64_t>(seed), static_cast<uint64_t>(epoch), true);
  return std::vector<int64_t>(order.begin(), order.end());
}

}  // namespace earlybert::train_detail
