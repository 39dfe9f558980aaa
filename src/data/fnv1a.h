// FNV-1a 64-bit hash (Fowler–Noll–Vo): tiny, fully specified and stable across platforms and
// releases, which is what shard checksums, vocabulary fingerprints and the WordNet split need
// (std::hash may change between standard libraries).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace earlybert::detail {

inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

/// Continues a hash `h` over `n` bytes.
inline uint64_t fnv1a64(const void* data, size_t n, uint64_t h = kFnvOffset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= kFnvPrime;
  }
  return h;
}

inline uint64_t fnv1a64(std::string_view s, uint64_t h = kFnvOffset) { return fnv1a64(s.data(), s.size(), h); }

}  // namespace earlybert::detail
