// CPU thread setup.
//
// LibTorch starts with one intra-op thread on some CPUs (this project's 2-core machines among them),
// which halves training speed. configure_threads() sets intra-op threads to the requested count, or to
// the number of usable cores when 0 is passed.
#pragma once

namespace earlybert {

/// Cores this process may run on (sched_getaffinity), at least 1.
int available_cores();

/// Sets LibTorch's intra-op thread count (0 = available_cores()); returns the count in effect.
int configure_threads(int threads = 0);

}  // namespace earlybert
