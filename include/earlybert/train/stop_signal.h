// Graceful stop on SIGTERM / SIGINT: the handler only sets a flag; the training loop polls it.
//
// A signal handler may do almost nothing safely (no allocation, no I/O, no locks), so it records the
// signal number in a lock-free atomic and returns. The loop checks stop_requested() once per update
// and, when set, saves a checkpoint and exits cleanly (marian-nmt and llm.c do the same). The handlers
// are installed with SA_RESETHAND: a second Ctrl-C (or SIGTERM) gets the default action and ends the
// process at once — checkpoints are atomic, so even then no half checkpoint is left.
//
//   StopSignalGuard guard;            // installs; restores the previous handlers when destroyed
//   for (...) { ...; if (stop_requested()) { save(); break; } }
#pragma once

namespace earlybert {

/// Installs the SIGTERM and SIGINT handlers (and clears the flag). Idempotent.
void install_stop_signal_handlers();
/// Restores the handlers that were in place before install_stop_signal_handlers().
void uninstall_stop_signal_handlers();

/// True once SIGTERM or SIGINT arrived after installation.
bool stop_requested();
/// The signal that arrived (SIGTERM, SIGINT), 0 when none.
int stop_signal_number();
/// Clears the flag (tests; a loop that handled the request and goes on).
void clear_stop_request();

/// RAII: installs in the constructor, uninstalls in the destructor.
class StopSignalGuard {
 public:
  StopSignalGuard() { install_stop_signal_handlers(); }
  ~StopSignalGuard() { uninstall_stop_signal_handlers(); }
  StopSignalGuard(const StopSignalGuard&) = delete;
  StopSignalGuard& operator=(const StopSignalGuard&) = delete;
};

}  // namespace earlybert
