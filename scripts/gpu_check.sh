#!/usr/bin/env bash
# Builds earlybert against the CUDA LibTorch bundled with pip's PyTorch on a GPU machine that has no
# package manager, runs the whole test suite (the CUDA tests run on the GPU instead of skipping) and
# times training steps on the GPU, earlybert next to the PyTorch-eager baseline. Debian libraries
# travel in .devdeps (../shared/device/pack-deps.sh):
#   bash .devdeps/unpack-deps.sh && source .devdeps/env.sh && bash scripts/gpu_check.sh
# Results go to $OUT (default /tmp/gpu_check): gpu.txt, build.log, ctest.log, bench.jsonl.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-/tmp/gpu_check}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
python3 -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda)' | tee -a "$out/gpu.txt"

start=$(date +%s)
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$CMAKE_PREFIX_PATH" \
  > "$out/configure.log" 2>&1 || { tail -40 "$out/configure.log"; exit 1; }
cmake --build build-cuda -j "$(nproc)" -- -k 0 > "$out/build.log" 2>&1 \
  || { grep -E 'error|Error' "$out/build.log" | head -60; tail -20 "$out/build.log"; exit 1; }
echo "build: $(( $(date +%s) - start )) s"

export OMP_WAIT_POLICY=PASSIVE
start=$(date +%s)
ctest --test-dir build-cuda --output-on-failure -j 8 --timeout 300 > "$out/ctest.log" 2>&1
ctest_rc=$?
grep -E "tests passed|FAILED|\(Failed\)|\(SEGFAULT\)|\(Subprocess|Not Run" "$out/ctest.log" | head -30
echo "ctest: $(( $(date +%s) - start )) s, rc=$ctest_rc"
# The CUDA tests must have run, not skipped.
for t in Trainer.SearchDrawPruneTrainOnCuda BertModelTest.FastAttentionMatchesReferenceOnCuda \
         Dropout.CudaUsesAtenDropout Checkpoint.LoadsIntoAndSavesFromCuda; do
  grep -E "Test +#[0-9]+: $t " "$out/ctest.log" | sed 's/ \.\.\.*/ /'
done

: > "$out/bench.jsonl"
bench() { "$@" >> "$out/bench.jsonl" 2>> "$out/bench.err" || echo "bench failed: $*" | tee -a "$out/bench.err"; }
cli=build-cuda/earlybert
common=(--device cuda --seq-len 128 --batch-size 32 --steps 30 --warmup 5)
for m in bert-small bert-base; do
  bench $cli bench --model $m --head cls --compare-pruned "${common[@]}"
  bench $cli bench --model $m --head mlm "${common[@]}"
  bench python3 scripts/bench/pytorch_baseline.py --model $m --head cls mlm "${common[@]}"
done
echo "== bench (cuda): model head impl pruned ms/step tokens/s"
python3 - "$out/bench.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f'{r["model"]:11s} {r["head"]:4s} {r["impl"]:14s} {str(r.get("pruned", False)):5s} '
          f'{r["ms_per_step"]:9.2f} {r["tokens_per_s"]:10.0f}')
PY
tail -3 "$out/bench.err" 2>/dev/null
exit $ctest_rc
