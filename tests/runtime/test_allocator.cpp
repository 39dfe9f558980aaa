// keep_freed_memory: large blocks come from the heap, not from their own mmap, and stay reusable.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "earlybert/runtime/allocator.h"
#include "sanitizer.h"

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
TEST(Allocator, LargeBlocksAreNotMappedOneByOne) {
#ifdef EARLYBERT_TEST_ASAN
  // AddressSanitizer replaces glibc's malloc with its own allocator: mallopt() is a no-op there.
  GTEST_SKIP() << "built with AddressSanitizer: glibc's malloc (and mallopt) is not in use";
#endif
  ASSERT_TRUE(earlybert::keep_freed_memory());
  const size_t mapped_before = mallinfo2().hblkhd;  // bytes in blocks that have their own mmap
  const size_t size = size_t{64} << 20;             // above glibc's largest mmap threshold (32 MiB)
  void* block = std::malloc(size);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, size);
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before);
  std::free(block);
  // Freed, the heap keeps the memory: the next block of that size is served without a new mapping.
  const size_t heap_after_free = mallinfo2().arena;
  EXPECT_GE(heap_after_free, size);
  void* again = std::malloc(size);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before);
  EXPECT_EQ(mallinfo2().arena, heap_after_free);
  std::free(again);
}
#endif
