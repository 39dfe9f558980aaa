// configure_threads sets LibTorch's intra-op pool and rejects negative counts.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include "earlybert/base/error.h"
#include "earlybert/runtime/threads.h"

TEST(Threads, ZeroMeansAllCores) {
  EXPECT_EQ(earlybert::configure_threads(0), earlybert::available_cores());
  EXPECT_EQ(at::get_num_threads(), earlybert::available_cores());
}

TEST(Threads, NegativeIsAnError) { EXPECT_THROW(earlybert::configure_threads(-1), earlybert::Error); }
