// Shuffled, rank-split, resumable reading order — see include/earlybert/data/pretraining_sampler.h.
#include "earlybert/data/pretraining_sampler.h"

#include <numeric>
#include <string>

#include "earlybert/base/error.h"
#include "earlybert/data/pretraining_random.h"

namespace earlybert {

std::vector<uint32_t> epoch_order(size_t n, uint64_t seed, uint64_t epoch, bool shuffle) {
  if (n > UINT32_MAX) fail("sampler", "datasets of 2^32 examples or more are not supported");
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  if (shuffle) {
    PretrainingRng rng(mix_seed(seed ^ 0x6F72646572000000ULL /* "order" */, epoch));
    rng.shuffle(order);
  }
  return order;
}

DistributedSampler::DistributedSampler(size_t dataset_size, uint64_t seed, size_t rank, size_t world_size, bool shuffle)
    : size_(dataset_size), seed_(seed), rank_(rank), world_(world_size), shuffle_(shuffle) {
  if (world_ == 0) fail("sampler", "world size must be at least 1");
  if (rank_ >= world_)
    fail("sampler", "rank " + std::to_string(rank_) + " outside a world of " + std::to_string(world_));
  if (size_ < world_)
    fail("sampler", "dataset has " + std::to_string(size_) + " examples, fewer than the " + std::to_string(world_) +
                        " ranks reading it");
}

void DistributedSampler::load_epoch(uint64_t epoch) {
  if (loaded_epoch_ == epoch) return;
  order_ = epoch_order(size_, seed_, epoch, shuffle_);
  loaded_epoch_ = epoch;
}

SampledIndex DistributedSampler::next() {
  if (position_.index >= per_rank()) {
    position_.epoch += 1;
    position_.index = 0;
  }
  load_epoch(position_.epoch);
  SampledIndex s{order_[position_.index * world_ + rank_], position_.epoch};
  position_.index += 1;
  return s;
}

void DistributedSampler::set_position(const StreamPosition& position) {
  if (position.index > per_rank())
    fail("sampler", "saved data position " + std::to_string(position.index) + " is beyond the " +
                        std::to_string(per_rank()) +
                        " examples per rank and epoch (did the data or world size change?)");
  position_ = position;
}

std::vector<size_t> DistributedSampler::epoch_indices(uint64_t epoch) const {
  const std::vector<uint32_t> order = epoch_order(size_, seed_, epoch, shuffle_);
  std::vector<size_t> mine(per_rank());
  for (size_t k = 0; k < mine.size(); ++k) mine[k] = order[k * world_ + rank_];
  return mine;
}

}  // namespace earlybert
