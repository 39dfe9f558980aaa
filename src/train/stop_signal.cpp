// SIGTERM / SIGINT flag — see include/earlybert/train/stop_signal.h.
#include "earlybert/train/stop_signal.h"

#include <signal.h>

#include <atomic>
#include <csignal>
#include <cstring>

namespace earlybert {
namespace {

// Lock-free, hence async-signal-safe (static_assert below).
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the stop flag must be lock-free");

struct sigaction g_previous_term;
struct sigaction g_previous_int;
bool g_installed = false;

extern "C" void on_stop_signal(int signal_number) { g_signal.store(signal_number, std::memory_order_relaxed); }

}  // namespace

void install_stop_signal_handlers() {
  g_signal.store(0);
  if (g_installed) return;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // a second signal takes the default action
  sigaction(SIGTERM, &sa, &g_previous_term);
  sigaction(SIGINT, &sa, &g_previous_int);
  g_installed = true;
}

void uninstall_stop_signal_handlers() {
  if (!g_installed) return;
  sigaction(SIGTERM, &g_previous_term, nullptr);
  sigaction(SIGINT, &g_previous_int, nullptr);
  g_installed = false;
}

bool stop_requested() { return g_signal.load(std::memory_order_relaxed) != 0; }

int stop_signal_number() { return g_signal.load(std::memory_order_relaxed); }

void clear_stop_request() { g_signal.store(0); }

}  // namespace earlybert
