#!/usr/bin/env bash
# Sets up (scripts/setup.sh: dependencies, test-only ones included, + Release build of the CLI), builds
# the test programs and examples, and runs the whole test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
EARLYBERT_TEST_PACKAGES=1 bash scripts/setup.sh
build_dir="${EARLYBERT_BUILD_DIR:-build}"
cmake --build "$build_dir" -j "$(nproc)"
export OMP_WAIT_POLICY=PASSIVE
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
