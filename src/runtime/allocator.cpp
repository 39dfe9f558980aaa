// Allocator setup — see include/earlybert/runtime/allocator.h.
#include "earlybert/runtime/allocator.h"

// <cstdlib> first: it defines __GLIBC__ (through <features.h>), which the check below needs — this file
// is compiled without the LibTorch precompiled header, so nothing else has included a libc header yet.
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace earlybert {

bool keep_freed_memory() {
#if defined(__GLIBC__)
  // mallopt returns 1 on success. M_MMAP_MAX = 0: no block gets its own mapping. M_TRIM_THRESHOLD at
  // its maximum: free() never shrinks the heap (setting it also stops glibc's dynamic threshold).
  const bool no_mmap = mallopt(M_MMAP_MAX, 0) == 1;
  const bool no_trim = mallopt(M_TRIM_THRESHOLD, 0x7fffffff) == 1;
  return no_mmap && no_trim;
#else
  return false;
#endif
}

}  // namespace earlybert
