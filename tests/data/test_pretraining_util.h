// Helpers shared by the pre-training data and WordNet tests: where the fixtures are, environment.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace earlybert::test {

inline std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// tests/fixtures/data/pretraining/<name>: under $EARLYBERT_FIXTURES, or found from this file's place in
/// the source tree when the variable is not set.
inline std::string pretraining_fixture(const std::string& name) {
  std::string dir = env_or_empty("EARLYBERT_FIXTURES");
  if (dir.empty()) dir = (std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures").string();
  return dir + "/data/pretraining/" + name;
}

}  // namespace earlybert::test
