// A fresh, empty directory for one test, shared by the test suites of every area.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "earlybert/base/files.h"

namespace earlybert::test {

/// "<temp>/earlybert_<name>_<pid>", emptied and created; unique per process and name.
/// (earlybert::remove_all, not std::filesystem's: see src/base/files.cpp.)
inline std::string scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("earlybert_" + name + "_" + std::to_string(::getpid()));
  earlybert::remove_all(dir.string());
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace earlybert::test
