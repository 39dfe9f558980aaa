// Private: the x86 instruction-set extensions that decide which CPU matrix-product kernel is fastest.
//
// Read once with CPUID (leaf 7) and XGETBV: an extension counts only when the CPU has it *and* the
// operating system saves the register state it needs (ZMM for AVX-512, tile data for AMX), which is
// what oneDNN itself checks before it picks a JIT kernel. On other architectures everything is false.
#pragma once

namespace earlybert::detail {

struct CpuFeatures {
  bool avx512_core = false;  ///< AVX-512 F/BW/VL/DQ: oneDNN's fp32 brgemm kernels
  bool avx512_bf16 = false;  ///< AVX512_BF16 (vdpbf16ps): native bf16 dot products
  bool amx_bf16 = false;     ///< AMX-BF16 tiles (Sapphire Rapids and later)
};

/// The features of the CPU this process runs on (computed once).
const CpuFeatures& cpu_features();

}  // namespace earlybert::detail
