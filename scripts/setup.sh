#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for earlybert and builds it (Release) into ./build.
#
#   bash scripts/setup.sh                 # idempotent, safe to re-run; apt-get runs through sudo unless root
#
# 1. installs every system dependency with apt-get (skipped when all are already installed);
# 2. points the system BLAS at OpenBLAS (OpenMP build): Debian's default alternative is the reference
#    BLAS, which makes LibTorch's matrix products ~30x slower;
# 3. configures with CMake + Ninja (ccache when present) and builds what the main command runs: the
#    library and the `earlybert` CLI. The test programs are built by scripts/test.sh.
# Environment: EARLYBERT_BUILD_DIR (default: build), EARLYBERT_SKIP_BUILD=1 to only install,
# EARLYBERT_TEST_PACKAGES=1 to install the test-only packages too (scripts/test.sh sets it),
# EARLYBERT_FUZZ_PACKAGES=1 for clang + libFuzzer (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-openmp libopenblas-openmp-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  libsentencepiece-dev sentencepiece nlohmann-json3-dev libutf8proc-dev
  libgloo-dev libdnnl-dev wordnet-base
)

# Test-only: nothing the earlybert command needs. GoogleTest builds the test programs (CMake skips them
# without it); Debian's python3-torch is the independent reference several tests compare against, and
# runs scripts/bench/pytorch_baseline.py; libbenchmark-dev is for micro-benchmarks. Headless Chromium
# renders `earlybert report`'s page in tests/report/test_report_cmd.cpp (the browser check skips without
# it); fonts-liberation gives it a sans-serif font with Arial's metrics, which the charts' label layout
# assumes.
TEST_PACKAGES=(libgtest-dev libgmock-dev googletest python3-torch libbenchmark-dev chromium fonts-liberation)
if [ "${EARLYBERT_TEST_PACKAGES:-0}" = "1" ]; then PACKAGES+=("${TEST_PACKAGES[@]}"); fi
# Fuzzing (scripts/fuzz.sh, EARLYBERT_FUZZ_PACKAGES=1): clang with libFuzzer and the sanitizer runtimes.
FUZZ_PACKAGES=(clang libclang-rt-14-dev)
if [ "${EARLYBERT_FUZZ_PACKAGES:-0}" = "1" ]; then PACKAGES+=("${FUZZ_PACKAGES[@]}"); fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# OpenBLAS (OpenMP flavour) for BLAS and LAPACK. Automatic mode would prefer the pthread build if both
# were installed, and the pthread build fights LibTorch's OpenMP pool.
arch_dir=/usr/lib/x86_64-linux-gnu
for lib in libblas.so.3 liblapack.so.3; do
  target="$arch_dir/openblas-openmp/$lib"
  if [ -e "$target" ]; then
    $SUDO update-alternatives --set "$lib-x86_64-linux-gnu" "$target" >/dev/null
  fi
done
echo "setup: BLAS -> $(readlink -f $arch_dir/libblas.so.3)"

if [ "${EARLYBERT_SKIP_BUILD:-0}" = "1" ]; then exit 0; fi
build_dir="${EARLYBERT_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build_dir" -j "$(nproc)" --target earlybert_cli
echo "setup: built $build_dir/earlybert"
