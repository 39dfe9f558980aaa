// Helpers shared by the train-area tests: fixture paths, scratch directories, error expectations.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "expect_error.h"
#include "scratch_dir.h"

namespace earlybert::test {

/// tests/fixtures (EARLYBERT_FIXTURES, set by ctest), else the path relative to this source file.
inline std::string fixtures_dir() {
  if (const char* env = std::getenv("EARLYBERT_FIXTURES")) return env;
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures").string();
}

inline std::string train_fixture(const std::string& name) { return fixtures_dir() + "/train/" + name; }

/// The repository's configs/ directory (next to tests/).
inline std::string configs_dir() {
  return (std::filesystem::path(fixtures_dir()).parent_path().parent_path() / "configs").string();
}

}  // namespace earlybert::test
