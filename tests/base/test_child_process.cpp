// The test-side guard for child processes (tests/child_process.h): a child never outlives the test
// that started it, whether the test returns early (a failed assertion) or its process dies (CTest's
// timeout). Uses /bin/sh and /bin/sleep, which every test machine has.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>

#include "child_process.h"

namespace earlybert::test {
namespace {

/// True while `pid` is a process (zombies count: not yet reaped by its parent).
bool exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

TEST(ChildProcess, WaitGivesTheExitStatus) {
  ChildProcess child = ChildProcess::spawn({"/bin/sh", "-c", "exit 3"});
  const int raw = child.wait();
  ASSERT_TRUE(WIFEXITED(raw));
  EXPECT_EQ(WEXITSTATUS(raw), 3);
  EXPECT_FALSE(child.running());
  EXPECT_EQ(WEXITSTATUS(run_shell("/bin/sh -c 'exit 4'")), 4);  // run_shell execs its command
}

TEST(ChildProcess, RedirectsAndEnvironment) {
  const std::string out = ::testing::TempDir() + "/child_process_out_" + std::to_string(::getpid());
  ChildOptions options;
  options.stdout_path = out;
  options.set_env = {{"EARLYBERT_CHILD_TEST", "set"}};
  ChildProcess::spawn({"/bin/sh", "-c", "echo $EARLYBERT_CHILD_TEST"}, options).wait();
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "set");
  std::remove(out.c_str());
}

TEST(ChildProcess, LeavingTheScopeKillsAndReapsTheChild) {
  pid_t pid = -1;
  {
    ChildProcess child = ChildProcess::spawn({"/bin/sleep", "1000"});
    pid = child.pid();
    ASSERT_GT(pid, 0);
    EXPECT_FALSE(child.try_wait().has_value());  // still running
  }
  // Killed and reaped by the destructor: not even a zombie is left.
  EXPECT_FALSE(exists(pid));
}

TEST(ChildProcess, DiesWithTheProcessThatStartedIt) {
  // A test process killed by CTest's timeout runs no destructor: the kernel's parent-death signal
  // must end its child. Here an intermediate process starts a sleeping child and is SIGKILLed; this
  // process is made a subreaper, so the orphaned grandchild becomes ours and waitpid() returns when
  // it dies (no polling).
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t middle = ::fork();
  ASSERT_GE(middle, 0);
  if (middle == 0) {
    ::close(pipe_fds[0]);
    // The grandchild prints its pid once it runs (after the death signal is armed), then sleeps.
    ChildOptions options;
    options.stdout_path = "/dev/fd/" + std::to_string(pipe_fds[1]);
    ChildProcess child = ChildProcess::spawn({"/bin/sh", "-c", "echo $$; exec /bin/sleep 1000"}, options);
    ::close(pipe_fds[1]);
    ::pause();  // until killed
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string line;
  char c = 0;
  while (::read(pipe_fds[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(pipe_fds[0]);
  ASSERT_FALSE(line.empty());
  const pid_t grandchild = static_cast<pid_t>(std::stol(line));
  ::kill(middle, SIGKILL);
  ::waitpid(middle, nullptr, 0);
  int raw = 0;
  ASSERT_EQ(::waitpid(grandchild, &raw, 0), grandchild);  // returns only once the grandchild has died
  EXPECT_TRUE(WIFSIGNALED(raw));
  EXPECT_EQ(WTERMSIG(raw), SIGKILL);
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

}  // namespace
}  // namespace earlybert::test
