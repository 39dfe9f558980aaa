#!/usr/bin/env bash
# Fuzzes every parser with libFuzzer for SECONDS seconds each and prints the executions per target.
#
#   bash scripts/fuzz.sh 60                      # all targets, 60 s each
#   bash scripts/fuzz.sh 600 squad glue_tsv      # only these targets
#
# Builds the fuzz targets (fuzz/CMakeLists.txt) with clang, libFuzzer, ASan and UBSan in their own build
# directory (EARLYBERT_FUZZ_BUILD_DIR, default build-fuzz), one target after the other at low priority
# (EARLYBERT_FUZZ_JOBS build jobs, default 1), then fuzzes them one at a time at nice 19. Each target
# starts from its seeds (fuzz/corpus/<target>) and regressions (fuzz/regressions/<target>) and keeps
# what it learns in <build>/corpus/<target>, so a second run continues where the first stopped. A
# finding (crash, sanitizer report, leak, an input that takes over 10 s, or over 2 GB of memory) leaves
# its input in <build>/artifacts/<target>/ and the report in <build>/logs/<target>.log; fix it, then
# copy the input into fuzz/regressions/<target>/, where the CTest test fuzz.<target> replays it in
# every build.
# Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS [target ...]" >&2
  exit 2
fi
seconds="$1"
shift
build="${EARLYBERT_FUZZ_BUILD_DIR:-build-fuzz}"
# The targets over training_args.cpp link the rest of the library from an ordinary build (see
# fuzz/CMakeLists.txt, REST): build/src/libearlybert.so unless EARLYBERT_FUZZ_REST_LIBRARY names another.
rest="${EARLYBERT_FUZZ_REST_LIBRARY:-$PWD/build/src/libearlybert.so}"
jobs="${EARLYBERT_FUZZ_JOBS:-1}"

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: needs clang++ (Debian: apt-get install clang; libFuzzer comes with libclang-rt-14-dev)" >&2
  exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" -DEARLYBERT_FUZZ=ON -DEARLYBERT_BUILD_TESTS=OFF \
    -DEARLYBERT_BUILD_APPS=OFF -DEARLYBERT_USE_PCH=OFF >/dev/null
fi
if [ "${EARLYBERT_FUZZ_SKIP_BUILD:-0}" = "1" ]; then
  :
elif [ -f "$rest" ]; then
  cmake "$build" "-DEARLYBERT_FUZZ_REST_LIBRARY=$rest" >/dev/null
else
  echo "fuzz.sh: no $rest (build the library first): training_config and training_flags are skipped" >&2
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz/fuzz_*.cpp; do
    t="$(basename "$f" .cpp)"
    targets+=("${t#fuzz_}")
  done
fi
build_targets=()
kept=()
for t in "${targets[@]}"; do
  if [ "$t" = training_config ] || [ "$t" = training_flags ]; then [ -f "$rest" ] || continue; fi
  build_targets+=("fuzz_$t")
  kept+=("$t")
done
targets=("${kept[@]}")
# EARLYBERT_FUZZ_SKIP_BUILD=1: run the targets as built (while another build uses the directory).
[ "${EARLYBERT_FUZZ_SKIP_BUILD:-0}" = "1" ] || nice -n 10 cmake --build "$build" -j "$jobs" --target "${build_targets[@]}"

mkdir -p "$build/logs"
export OMP_WAIT_POLICY=PASSIVE
# Targets over file readers write each input to a file: keep those in memory when /dev/shm exists.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
# Leaks count as findings; a libFuzzer "crash" on an uncaught exception prints the exception type.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp}"  # leaks inside LibTorch (see there)
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

total=0
failed=0
printf '%-20s %14s %10s %s\n' target executions exec/s result
for t in "${targets[@]}"; do
  exe="$build/fuzz/fuzz_$t"
  work="$build/corpus/$t"
  artifacts="$build/artifacts/$t/"
  mkdir -p "$work" "$artifacts"
  dirs=("$work" "fuzz/corpus/$t")
  [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
  log="$build/logs/$t.log"
  status=0
  # Lowest priority: a shared machine's other work goes first.
  nice -n 19 "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "${dirs[@]}" >"$log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  execs="${execs:-0}"
  total=$((total + execs))
  if [ "$status" -eq 0 ]; then
    result="ok"
  else
    result="FINDING (exit $status): see $log and $artifacts"
    failed=1
  fi
  printf '%-20s %14s %10s %s\n' "$t" "$execs" "${rate:-?}" "$result"
done
printf '%-20s %14s\n' total "$total"
exit "$failed"
