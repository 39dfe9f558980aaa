// Paths of the test fixtures and the repository's configs, for every test suite.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace earlybert::test {

/// tests/fixtures (EARLYBERT_FIXTURES, set by ctest), else the path relative to this source file.
inline std::string fixtures_dir() {
  if (const char* env = std::getenv("EARLYBERT_FIXTURES")) return env;
  return (std::filesystem::path(__FILE__).parent_path() / "fixtures").string();
}

inline std::string train_fixture(const std::string& name) { return fixtures_dir() + "/train/" + name; }

/// The repository's configs/ directory (next to tests/).
inline std::string configs_dir() {
  return (std::filesystem::path(fixtures_dir()).parent_path().parent_path() / "configs").string();
}

}  // namespace earlybert::test
