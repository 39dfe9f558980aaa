// Starting processes as torchrun would — for the tests that run several data-parallel ranks.
//
// free_port() picks a loopback port for the rendezvous (one per test, so tests run in parallel);
// rank_environment() is what torchrun puts into each rank's environment; spawn() starts a program with
// its stdout and stderr in files; reap() waits for it and reads them back.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace earlybert::test {

struct ProcessRun {
  bool exited = false;
  int exit_code = -1;
  int signal = 0;
  std::string out, err;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A TCP port that was free a moment ago (the kernel picks it for a socket bound to port 0).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    ADD_FAILURE() << "no free port";
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// The variables a launcher sets; a test's own values replace whatever this process inherited.
inline const std::vector<std::string>& launch_variables() {
  static const std::vector<std::string> names = {"RANK",
                                                 "WORLD_SIZE",
                                                 "LOCAL_RANK",
                                                 "LOCAL_WORLD_SIZE",
                                                 "MASTER_ADDR",
                                                 "MASTER_PORT",
                                                 "TORCHELASTIC_USE_AGENT_STORE",
                                                 "TORCHELASTIC_RESTART_COUNT",
                                                 "EARLYBERT_DIST_TIMEOUT",
                                                 "EARLYBERT_LOG_LEVEL",
                                                 "OMP_NUM_THREADS"};
  return names;
}

/// This process's environment without the launch variables, plus `set`.
inline std::vector<std::string> environment_with(const std::map<std::string, std::string>& set) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool drop = set.count(name) > 0;
    for (const auto& v : launch_variables()) drop = drop || name == v;
    if (!drop) env.push_back(entry);
  }
  for (const auto& [name, value] : set) env.push_back(name + "=" + value);
  return env;
}

/// What torchrun sets for rank `rank` of `world` on one machine, rendezvous at 127.0.0.1:port.
inline std::map<std::string, std::string> rank_environment(int rank, int world, int port, const std::string& timeout) {
  return {{"RANK", std::to_string(rank)},       {"WORLD_SIZE", std::to_string(world)},
          {"LOCAL_RANK", std::to_string(rank)}, {"LOCAL_WORLD_SIZE", std::to_string(world)},
          {"MASTER_ADDR", "127.0.0.1"},         {"MASTER_PORT", std::to_string(port)},
          {"EARLYBERT_DIST_TIMEOUT", timeout},  {"OMP_NUM_THREADS", "1"}};
}

inline pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& out,
                   const std::string& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, a.data(), e.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) ADD_FAILURE() << "cannot start " << argv[0] << ": " << std::strerror(rc);
  return rc == 0 ? pid : -1;
}

inline ProcessRun reap(pid_t pid, const std::string& out, const std::string& err) {
  ProcessRun run;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid) {
    run.exited = WIFEXITED(status);
    run.exit_code = run.exited ? WEXITSTATUS(status) : -1;
    run.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  run.out = read_text(out);
  run.err = read_text(err);
  return run;
}

/// The last non-empty line of `text` (a failed command's one-line error).
inline std::string last_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const auto newline = text.rfind('\n');
  return newline == std::string::npos ? text : text.substr(newline + 1);
}

}  // namespace earlybert::test
