// Running an independent reference in Debian's Python with PyTorch (python3-torch), for the tests of
// every area: the tests that use it skip when that interpreter or its torch is missing.
#pragma once

#include <cstdlib>
#include <string>

#include "earlybert/base/files.h"

namespace earlybert::test {

/// Debian's interpreter, which has torch (the `python3` on PATH may not).
inline const char* reference_python() { return "/usr/bin/python3"; }

/// True when reference_python() exists and imports torch (checked once per process).
inline bool python_torch_available() {
  static const bool available = [] {
    if (!path_exists(reference_python())) return false;
    const std::string cmd = std::string(reference_python()) + " -c 'import torch' >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }();
  return available;
}

/// scripts/<relative> of the source tree (found from the fixtures directory the tests are given).
inline std::string project_script(const std::string& relative) {
  const char* fixtures = std::getenv("EARLYBERT_FIXTURES");
  return join_path(join_path(fixtures ? fixtures : "tests/fixtures", "../../scripts"), relative);
}

/// Runs `command` through the shell with its output sent to `log`; returns the exit status.
inline int run_logged(const std::string& command, const std::string& log) {
  const int status = std::system((command + " >" + log + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace earlybert::test
