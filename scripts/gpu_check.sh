#!/usr/bin/env bash
# Builds earlybert against the CUDA LibTorch bundled with pip's PyTorch on a GPU machine that has no
# package manager, runs the test suite (CUDA-aware tests run on the GPU) and the benchmarks, and prints
# a short table last. Debian libraries travel in .devdeps (../shared/device/pack-deps.sh).
#   bash .devdeps/unpack-deps.sh && source .devdeps/env.sh && bash scripts/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-/tmp/gpu_check}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
python3 -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda)' | tee -a "$out/gpu.txt"

start=$(date +%s)
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$CMAKE_PREFIX_PATH" \
  > "$out/configure.log" 2>&1 || { tail -40 "$out/configure.log"; exit 1; }
cmake --build build-cuda -j "$(nproc)" > "$out/build.log" 2>&1 || { grep -E 'error|Error' "$out/build.log" | head -40; tail -20 "$out/build.log"; exit 1; }
echo "build: $(( $(date +%s) - start )) s"

export OMP_WAIT_POLICY=PASSIVE EARLYBERT_TEST_DEVICE=cuda
ctest --test-dir build-cuda --output-on-failure -j 8 --timeout 300 > "$out/ctest.log" 2>&1
ctest_rc=$?
tail -5 "$out/ctest.log"

bench=build-cuda/earlybert
for m in bert-small bert-base; do
  $bench bench --device cuda --model $m --head cls mlm --seq-len 128 --batch-size 32 --steps 20 >> "$out/bench.jsonl" 2>>"$out/bench.err"
  $bench bench --device cuda --model $m --head cls --seq-len 128 --batch-size 32 --steps 20 --prune-heads 0.333 --prune-ffn 0.4 >> "$out/bench.jsonl" 2>>"$out/bench.err"
done
echo "== bench (cuda)"; cat "$out/bench.jsonl"; tail -5 "$out/bench.err"
echo "ctest rc=$ctest_rc"
exit $ctest_rc
