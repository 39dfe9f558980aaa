// The order in which a rank reads a dataset: shuffled by (seed, epoch), split across ranks, resumable.
//
// Every epoch has one global permutation of [0, N), the same on every rank (a Fisher–Yates shuffle
// driven by PretrainingRng(mix_seed(seed, epoch)), so it is identical on every platform). Rank r of a
// world of w reads the strided slice
//   order[r], order[r + w], order[r + 2w], ...     per_rank() = floor(N / w) examples
// so the k-th step of all ranks together reads order[k*w .. k*w + w) — the same examples, in the same
// order, as a single process with a w times larger batch. The last N mod w entries of each epoch's
// permutation are not read in that epoch (every rank reads the same number of examples, so collective
// steps stay in lock step); since the permutation changes every epoch, a different few are left out
// each time, and with shuffling off the last N mod w examples are never read.
//
// The sampler's position (epoch, index within this rank's slice) is all a checkpoint needs to resume
// exactly where it stopped: the rest is recomputed from the seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace earlybert {

/// Where a rank is in its stream: `index` examples of epoch `epoch` have been read.
struct StreamPosition {
  uint64_t epoch = 0;
  uint64_t index = 0;
  bool operator==(const StreamPosition& o) const { return epoch == o.epoch && index == o.index; }
};

/// The permutation of [0, n) used for `epoch` (identity when shuffle is false). Error for n >= 2^32.
std::vector<uint32_t> epoch_order(size_t n, uint64_t seed, uint64_t epoch, bool shuffle = true);

/// An example to read: its index in the dataset and the epoch it belongs to (masks depend on it).
struct SampledIndex {
  size_t example = 0;
  uint64_t epoch = 0;
};

class DistributedSampler {
 public:
  /// Error when world_size is 0, rank >= world_size, or the dataset has fewer examples than ranks.
  DistributedSampler(size_t dataset_size, uint64_t seed, size_t rank = 0, size_t world_size = 1, bool shuffle = true);

  size_t dataset_size() const { return size_; }
  size_t rank() const { return rank_; }
  size_t world_size() const { return world_; }
  /// Examples this rank reads per epoch: floor(dataset_size / world_size).
  size_t per_rank() const { return size_ / world_; }
  /// Examples of each epoch's permutation that no rank reads: dataset_size mod world_size.
  size_t left_out_per_epoch() const { return size_ % world_; }

  /// The next example; after the last one of an epoch the sampler moves on to the next epoch.
  SampledIndex next();

  /// The position to save in a checkpoint.
  StreamPosition position() const { return position_; }
  /// Restores a saved position; Error when index > per_rank() (the data or world size changed).
  void set_position(const StreamPosition& position);

  /// This rank's examples of `epoch`, in reading order.
  std::vector<size_t> epoch_indices(uint64_t epoch) const;

 private:
  void load_epoch(uint64_t epoch);

  size_t size_;
  uint64_t seed_;
  size_t rank_;
  size_t world_;
  bool shuffle_;
  StreamPosition position_;
  uint64_t loaded_epoch_ = UINT64_MAX;
  std::vector<uint32_t> order_;
};

}  // namespace earlybert
