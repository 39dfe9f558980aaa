// Thread setup — see include/earlybert/runtime/threads.h.
#include "earlybert/runtime/threads.h"

#include <ATen/Parallel.h>
#include <sched.h>

#include "earlybert/base/error.h"

namespace earlybert {

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  return 1;
}

int configure_threads(int threads) {
  if (threads < 0) fail("threads", "must be >= 0 (0 = all cores), got " + std::to_string(threads));
  const int n = threads == 0 ? available_cores() : threads;
  at::set_num_threads(n);
  return at::get_num_threads();
}

}  // namespace earlybert
