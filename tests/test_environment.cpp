// Linked into every test executable: fills in the environment the tests read (data directories, the
// CLI binary, OMP_WAIT_POLICY) from values CMake compiles in, without overriding what the caller set.
// This makes `ctest` and a test binary run by hand behave the same.
#include <cstdlib>

namespace {

struct TestEnvironment {
  TestEnvironment() {
    ::setenv("EARLYBERT_SHARED_DATA", EARLYBERT_TEST_SHARED_DATA, 0);
    ::setenv("EARLYBERT_FIXTURES", EARLYBERT_TEST_FIXTURES, 0);
    ::setenv("EARLYBERT_CLI", EARLYBERT_TEST_CLI, 0);
    ::setenv("EARLYBERT_DIST_WORKER", EARLYBERT_TEST_DIST_WORKER, 0);
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 0);  // for child processes; libgomp has read ours already
  }
};

const TestEnvironment environment;

}  // namespace
