#!/usr/bin/env bash
# The long version of the crash-safety test (tests/train/test_kill_resume.cpp): SIGKILLs a real
# `earlybert finetune` KILLS times (default 24) at the moments the test cycles through — during the
# search, at the draw, while a checkpoint is being written, during efficient training — resumes it with
# --resume_from_checkpoint latest each time, and checks that every run ends with the uninterrupted
# run's weights. CTest runs the same test with 5 kills. Prints the counts (docs/RELIABILITY.md).
#
#   bash scripts/kill_test.sh [KILLS] [BUILD_DIR]      # default 24, build
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-24}"
build="${2:-build}"
tests="$build/tests/earlybert_train_tests"
[ -x "$tests" ] || { echo "kill_test.sh: build earlybert_train_tests and earlybert_cli first ($tests)" >&2; exit 2; }
EARLYBERT_KILL_TEST_KILLS="$kills" OMP_WAIT_POLICY=PASSIVE \
  "$tests" --gtest_filter='KillResume.*' --gtest_color=no | grep -E '^kill test:|^\[  (PASSED|FAILED) |OK \]|FAILED|Failure' 
