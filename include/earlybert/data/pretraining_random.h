// PretrainingRng — the small, portable random number generator behind every random choice the
// pre-training data makes: which instances are short, where A ends, which next sentence is random,
// which tokens are masked, in which order examples are read.
//
// Why not <random>: std::mt19937 is portable, but std::uniform_int_distribution and friends are not
// (libstdc++, libc++ and MSVC map the same engine output to different numbers). Data must come out
// identical on every machine and every rank, so that a shard prepared on one computer and a resumed
// run on another see the same masks and the same order. SplitMix64 (Steele, Lea, Flood 2014) is a
// tiny, well-tested 64-bit generator; the derived integers and reals below are defined exactly here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace earlybert {

class PretrainingRng {
 public:
  explicit PretrainingRng(uint64_t seed) : state_(seed) {}

  /// The next 64 random bits.
  uint64_t next_u64() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }

  /// Uniform integer in [0, n); n must be > 0. Unbiased (rejection of the short last bucket).
  uint64_t below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x = next_u64();
    while (x >= limit) x = next_u64();
    return x % n;
  }

  /// Uniform integer in [lo, hi] (both included), like Python's random.randint.
  int64_t randint(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }

  /// Fisher–Yates shuffle.
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  uint64_t state_;
};

/// Combines a base seed with further integers (epoch, example index, ...) into an independent seed.
/// Each step is a SplitMix64 finalisation, so nearby inputs give unrelated streams.
inline uint64_t mix_seed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  PretrainingRng r(seed ^ 0x5851F42D4C957F2DULL);
  uint64_t s = r.next_u64() ^ a;
  PretrainingRng r2(s);
  s = r2.next_u64() ^ b;
  PretrainingRng r3(s);
  return r3.next_u64();
}

}  // namespace earlybert
