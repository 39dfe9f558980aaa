// Host memory allocator setup for training processes.
//
// A CPU training step allocates and frees the same large activation tensors every step. glibc's
// malloc serves blocks above its mmap threshold (at most 32 MiB, so every FFN activation of
// BERT-small and up) with a fresh mmap and returns them with munmap: each step then page-faults
// every page of those tensors in again, and the kernel zeroes them. On a 2-core machine that cost ~10%
// of a BERT-small training step (docs/PERFORMANCE.md: EARLYBERT_KEEP_FREED_MEMORY=0 turns it off in
// the CLI, for that comparison). keep_freed_memory() makes malloc take large blocks from its heap too
// and never give freed memory back to the system, so the pages of one step are reused by the next.
// The process keeps its peak footprint, which is what a training process needs anyway.
#pragma once

namespace earlybert {

/// Tells glibc malloc to serve every size from its heap (no per-block mmap) and not to trim the heap.
/// Call once, early (the CLI does it in main()). Returns false where it is unsupported (not glibc).
bool keep_freed_memory();

}  // namespace earlybert
