// ChildProcess — the one way tests start another process (the `earlybert` CLI), so that no child
// outlives the test that started it.
//
//   test::ChildProcess child = test::ChildProcess::spawn({cli, "finetune", ...}, {.stdout_path = out});
//   ASSERT_TRUE(...);          // a failing assertion returns: the destructor SIGKILLs and reaps the child
//   const int raw = child.wait();
//
// Two ways a test can end while its child still runs, and what covers each:
//   - a failing ASSERT_* (or an exception) leaves the scope: ~ChildProcess() kills the child with
//     SIGKILL and reaps it;
//   - the test process itself dies (CTest's TIMEOUT kills it, a crash): the child was started with
//     PR_SET_PDEATHSIG = SIGKILL, so the kernel kills it as well.
// run_shell() replaces std::system() for commands that need a shell's redirections: the shell `exec`s
// the command, so the CLI runs in the guarded process itself (the death signal survives exec).
//
// Waiting is unbounded here on purpose: a hang is caught by the test's CTest TIMEOUT, not by a
// wall-clock limit inside the test.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace earlybert::test {

struct ChildOptions {
  std::string stdin_path;   ///< empty: inherit
  std::string stdout_path;  ///< empty: inherit; otherwise created/truncated
  std::string stderr_path;  ///< empty: inherit; otherwise created/truncated
  std::vector<std::pair<std::string, std::string>> set_env;
  std::vector<std::string> unset_env;
};

class ChildProcess {
 public:
  /// Starts argv[0] (a path, not searched in PATH) with the rest as arguments. std::runtime_error when
  /// fork() fails; an exec failure shows as exit status 127.
  static ChildProcess spawn(const std::vector<std::string>& argv, const ChildOptions& options = {}) {
    if (argv.empty()) throw std::runtime_error("ChildProcess::spawn: empty argv");
    // Everything the child needs is prepared before fork(): between fork() and exec() only
    // async-signal-safe calls are allowed (the test process has threads: OpenMP, LibTorch).
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_storage;
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      const std::string name = entry.substr(0, entry.find('='));
      bool drop = false;
      for (const std::string& u : options.unset_env) drop = drop || u == name;
      for (const auto& [k, v] : options.set_env) drop = drop || k == name;
      if (!drop) env_storage.push_back(entry);
    }
    for (const auto& [k, v] : options.set_env) env_storage.push_back(k + "=" + v);
    for (std::string& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("ChildProcess::spawn: fork failed");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);  // the parent died before prctl() took effect
      if (!redirect(options.stdin_path, 0, O_RDONLY) ||
          !redirect(options.stdout_path, 1, O_WRONLY | O_CREAT | O_TRUNC) ||
          !redirect(options.stderr_path, 2, O_WRONLY | O_CREAT | O_TRUNC))
        ::_exit(126);
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
    }
    return ChildProcess(pid);
  }

  /// Runs `command` with /bin/sh (which execs it, see above).
  static ChildProcess shell(const std::string& command) { return spawn({"/bin/sh", "-c", "exec " + command}); }

  ChildProcess(ChildProcess&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}
  ChildProcess& operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
      kill_and_reap();
      pid_ = std::exchange(other.pid_, -1);
    }
    return *this;
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { kill_and_reap(); }

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  /// The raw wait status once the child has exited (reaped), nullopt while it runs.
  std::optional<int> try_wait() {
    if (pid_ <= 0) return status_;
    int raw = 0;
    const pid_t r = ::waitpid(pid_, &raw, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      status_ = raw;
    }
    return status_;
  }

  /// Waits for the child to exit and returns the raw wait status (use WIFEXITED / WEXITSTATUS).
  int wait() {
    if (pid_ > 0) {
      int raw = 0;
      while (::waitpid(pid_, &raw, 0) < 0 && errno == EINTR) {
      }
      pid_ = -1;
      status_ = raw;
    }
    return status_.value_or(-1);
  }

  void signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}

  static bool redirect(const std::string& path, int fd, int flags) {
    if (path.empty()) return true;
    const int f = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (f < 0) return false;
    return ::dup2(f, fd) == fd;  // dup2 clears O_CLOEXEC on the new descriptor
  }

  void kill_and_reap() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

  pid_t pid_ = -1;
  std::optional<int> status_;
};

/// std::system() through a guarded child: the raw wait status of `command` run by /bin/sh.
inline int run_shell(const std::string& command) { return ChildProcess::shell(command).wait(); }

}  // namespace earlybert::test
