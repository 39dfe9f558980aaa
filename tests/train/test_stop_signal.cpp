// Tests for the SIGTERM/SIGINT stop flag: set by the signal, polled by the loop, handlers restored.
#include "earlybert/train/stop_signal.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace {
volatile sig_atomic_t g_previous_called = 0;
extern "C" void previous_handler(int) { g_previous_called = 1; }
}  // namespace

using namespace earlybert;

TEST(StopSignal, SigtermAndSigintSetTheFlag) {
  for (int sig : {SIGTERM, SIGINT}) {
    StopSignalGuard guard;
    EXPECT_FALSE(stop_requested());
    ASSERT_EQ(::raise(sig), 0);  // handled synchronously for the raising thread
    EXPECT_TRUE(stop_requested());
    EXPECT_EQ(stop_signal_number(), sig);
    clear_stop_request();
    EXPECT_FALSE(stop_requested());
  }
}

TEST(StopSignal, PreviousHandlerIsRestored) {
  struct sigaction sa = {}, old = {};
  sa.sa_handler = previous_handler;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGTERM, &sa, &old), 0);
  {
    StopSignalGuard guard;
    ::raise(SIGTERM);
    EXPECT_TRUE(stop_requested());
    EXPECT_EQ(g_previous_called, 0);
  }
  clear_stop_request();
  ::raise(SIGTERM);
  EXPECT_EQ(g_previous_called, 1);
  EXPECT_FALSE(stop_requested());
  sigaction(SIGTERM, &old, nullptr);
}
