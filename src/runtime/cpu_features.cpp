// CPUID-based feature detection — see src/runtime/cpu_features.h.
#include "runtime/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

#include <cstdint>
#endif

namespace earlybert::detail {

namespace {

#if defined(__x86_64__) || defined(__i386__)
// Extended control register 0: which register states the OS saves on a context switch.
uint64_t xcr0() {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFeatures detect() {
  CpuFeatures f;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = (ecx >> 27) & 1u;
  if (!osxsave || __get_cpuid_max(0, nullptr) < 7) return f;
  const uint64_t xcr = xcr0();
  const bool os_avx512 = (xcr & 0xE6) == 0xE6;     // XMM, YMM, opmask, ZMM_Hi256, Hi16_ZMM
  const bool os_amx = (xcr & 0x60000) == 0x60000;  // XTILECFG, XTILEDATA
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  const bool avx512f = (ebx >> 16) & 1u, avx512dq = (ebx >> 17) & 1u, avx512bw = (ebx >> 30) & 1u,
             avx512vl = (ebx >> 31) & 1u;
  const bool amx_bf16 = (edx >> 22) & 1u;
  const unsigned max_subleaf = eax;
  f.avx512_core = os_avx512 && avx512f && avx512dq && avx512bw && avx512vl;
  f.amx_bf16 = f.avx512_core && os_amx && amx_bf16;
  if (max_subleaf >= 1) {
    __cpuid_count(7, 1, eax, ebx, ecx, edx);
    f.avx512_bf16 = f.avx512_core && ((eax >> 5) & 1u);
  }
  return f;
}
#else
CpuFeatures detect() { return {}; }
#endif

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace earlybert::detail
