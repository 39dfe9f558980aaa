// Helpers shared by the tokenizer tests: fixture and shared-data paths, running the CLI, and pointing
// the test process at the sentencepiece plugin.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "child_process.h"
#include "earlybert/base/files.h"

namespace earlybert::test {

inline std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// tests/fixtures/tokenize/<name> (EARLYBERT_FIXTURES, or the source tree relative to this file).
inline std::string fixture(const std::string& name) {
  std::string dir = env_or_empty("EARLYBERT_FIXTURES");
  if (dir.empty()) dir = (std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures").string();
  return dir + "/tokenize/" + name;
}

/// A file under EARLYBERT_SHARED_DATA, or "" when the variable or the file is missing.
inline std::string shared_data(const std::string& rel) {
  const std::string dir = env_or_empty("EARLYBERT_SHARED_DATA");
  if (dir.empty()) return "";
  const std::string path = dir + "/" + rel;
  return std::filesystem::exists(path) ? path : "";
}

/// A fresh scratch directory, removed again when the object goes out of scope.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_((std::filesystem::temp_directory_path() / ("earlybert_tok_" + name + "_" + std::to_string(::getpid())))
                  .string()) {
    earlybert::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { earlybert::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The test executables link the tokenizer objects statically, so the plugin is not "next to
/// libearlybert" for them: point EARLYBERT_SPM_PLUGIN at the build tree's copy (<build>/src/, built
/// before the tokenizer objects) unless the caller already set it. False when it cannot be found.
inline bool use_build_tree_spm_plugin() {
  if (!env_or_empty("EARLYBERT_SPM_PLUGIN").empty()) return true;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return false;
  const auto plugin = exe.parent_path().parent_path() / "src" / "libearlybert_spm.so";
  if (!std::filesystem::exists(plugin)) return false;
  ::setenv("EARLYBERT_SPM_PLUGIN", plugin.c_str(), 1);
  return true;
}

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

/// Runs $EARLYBERT_CLI with `args` (already quoted where needed) and `stdin_text` on stdin. The
/// plugin override is removed from the child's environment, so the CLI finds the plugin itself
/// (next to libearlybert.so), as an installed CLI does.
inline CliResult run_cli(const std::string& args, const std::string& stdin_text = "") {
  const std::string cli = env_or_empty("EARLYBERT_CLI");
  const ScratchDir scratch("cli");
  const std::string& dir = scratch.path();
  write_text(dir + "/in", stdin_text);
  const std::string cmd = "env -u EARLYBERT_SPM_PLUGIN " + shell_quote(cli) + " " + args + " <" + dir + "/in >" + dir +
                          "/out 2>" + dir + "/err";
  const int raw = run_shell(cmd);
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + (WIFSIGNALED(raw) ? WTERMSIG(raw) : 0);
  r.out = read_text(dir + "/out");
  r.err = read_text(dir + "/err");
  return r;
}

// Skips (with the reason) when the CLI has not been built: the test executables do not depend on it.
#define EARLYBERT_REQUIRE_CLI()                                                                                       \
  do {                                                                                                                \
    const std::string cli_ = ::earlybert::test::env_or_empty("EARLYBERT_CLI");                                        \
    if (cli_.empty()) GTEST_SKIP() << "EARLYBERT_CLI is not set";                                                     \
    if (!std::filesystem::exists(cli_)) GTEST_SKIP() << "the CLI " << cli_ << " is not built (target earlybert_cli)"; \
  } while (0)

}  // namespace earlybert::test
