// Dropout with a parallel counter-based CPU mask — see include/earlybert/model/dropout.h.
#include "earlybert/model/dropout.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <mutex>

namespace earlybert {

namespace {

// SplitMix64's finaliser over a counter: consecutive counters give independent-looking 64-bit
// values (it passes BigCrush as a generator), so element i's draw needs no state from element i-1.
inline uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t next_seed() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
}

}  // namespace

at::Tensor dropout_mask(const at::Tensor& like, double p, uint64_t seed) {
  TORCH_CHECK(p >= 0.0 && p < 1.0, "dropout probability must be in [0, 1), got ", p);
  auto mask = at::empty(like.sizes(), like.options().requires_grad(false).memory_format(at::MemoryFormat::Contiguous));
  const int64_t n = mask.numel();
  // Two 32-bit draws per hash; an element is dropped when its draw is below p·2³².
  const uint64_t threshold = static_cast<uint64_t>(p * 4294967296.0);
  const double scale = 1.0 / (1.0 - p);
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, mask.scalar_type(), "earlybert_dropout_mask", [&] {
    scalar_t* out = mask.data_ptr<scalar_t>();
    const auto keep = static_cast<scalar_t>(scale);
    const auto drop = static_cast<scalar_t>(0);
    const uint64_t pairs = static_cast<uint64_t>((n + 1) / 2);
    at::parallel_for(0, static_cast<int64_t>(pairs), 1 << 14, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j) {
        const uint64_t h = mix(seed + (static_cast<uint64_t>(j) + 1) * 0x9E3779B97F4A7C15ULL);
        const int64_t i = 2 * j;
        out[i] = (h & 0xffffffffULL) >= threshold ? keep : drop;
        if (i + 1 < n) out[i + 1] = (h >> 32) >= threshold ? keep : drop;
      }
    });
  });
  return mask;
}

at::Tensor dropout(const at::Tensor& x, double p, bool training) {
  if (!training || p <= 0.0) return x;
  if (p >= 1.0 || !x.device().is_cpu() || !at::isFloatingType(x.scalar_type())) return at::dropout(x, p, true);
  return x * dropout_mask(x, p, next_seed());
}

}  // namespace earlybert
