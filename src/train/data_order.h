// Private: the order in which the trainer reads training features, epoch by epoch.
//
// Kept in its own translation unit because data/pretraining_sampler.h and train/trainer_state.h both
// declare a struct earlybert::DataPosition (different ones) and cannot meet in one file.
#pragma once

#include <cstdint>
#include <vector>

namespace earlybert::train_detail {

/// The permutation of [0, n) for `epoch` of a run seeded with `seed`: data/pretraining_sampler.h's
/// epoch_order(), a portable Fisher–Yates shuffle, so the order is the same on every platform and
/// after a resume.
std::vector<int64_t> training_order(int64_t n, int64_t seed, int64_t epoch);

}  // namespace earlybert::train_detail
