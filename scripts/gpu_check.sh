#!/usr/bin/env bash
# Builds earlybert against the CUDA LibTorch bundled with pip's PyTorch on a GPU machine that has no
# package manager, runs the whole test suite (the CUDA tests run on the GPU instead of skipping) and
# times training steps on the GPU, earlybert next to the PyTorch-eager baseline:
#   - bert-small and bert-base at seq 128, fp32 (TF32 on in both programs), as before;
#   - bert-base at seq 128 and 512, dense and pruned, bf16 autocast, next to PyTorch eager + autocast,
#     with MFU against the card's dense bf16 peak (PEAK_TFLOPS, or looked up from the GPU's name).
# Debian libraries travel in .devdeps (../shared/device/pack-deps.sh):
#   bash .devdeps/unpack-deps.sh && source .devdeps/env.sh && bash scripts/gpu_check.sh
# Results go to $OUT (default /tmp/gpu_check): gpu.txt, build.log, ctest.log, bench.jsonl.
# BENCH_ONLY=1 skips configure/build/ctest (an existing build-cuda); BATCH_128 / BATCH_512 set the
# bf16 batch sizes (default 128 and 32: 16k tokens per step).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-/tmp/gpu_check}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
python3 -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda)' | tee -a "$out/gpu.txt"

if [ "${BENCH_ONLY:-0}" != "1" ]; then
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
         Dropout.CudaUsesAtenDropout Checkpoint.LoadsIntoAndSavesFromCuda AutocastGuardTest.Fp16AndBf16OnCuda \
         GradScalerTest.Fp16TrainingStepOnCuda FusedAdamW.MatchesLibTorchAdamWOnCuda; do
  grep -E "Test +#[0-9]+: $t " "$out/ctest.log" | sed 's/ \.\.\.*/ /'
done
else
  ctest_rc=0
  export OMP_WAIT_POLICY=PASSIVE
fi

: > "$out/bench.jsonl"
bench() { "$@" >> "$out/bench.jsonl" 2>> "$out/bench.err" || echo "bench failed: $*" | tee -a "$out/bench.err"; }
cli=build-cuda/earlybert
common=(--device cuda --seq-len 128 --batch-size 32 --steps 30 --warmup 5)
for m in bert-small bert-base; do
  bench $cli bench --model $m --head cls --compare-pruned "${common[@]}"
  bench $cli bench --model $m --head mlm "${common[@]}"
  bench python3 scripts/bench/pytorch_baseline.py --model $m --head cls mlm "${common[@]}"
done
# bf16: bert-base, seq 128 and 512, dense vs pruned, next to PyTorch eager + autocast.
for seq in 128 512; do
  if [ "$seq" = 128 ]; then b="${BATCH_128:-128}"; else b="${BATCH_512:-32}"; fi
  bf16=(--device cuda --dtype bf16 --seq-len "$seq" --batch-size "$b" --steps 30 --warmup 5)
  bench $cli bench --model bert-base --head cls --compare-pruned --no-slimming "${bf16[@]}"
  bench python3 scripts/bench/pytorch_baseline.py --model bert-base --head cls "${bf16[@]}"
done

# Dense bf16 tensor-core peak of the card (TFLOP/s), for MFU; PEAK_TFLOPS overrides the lookup.
gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
peak="${PEAK_TFLOPS:-}"
if [ -z "$peak" ]; then
  case "$gpu_name" in
    *H100*|*H200*|*GH200*) peak=989 ;;   # SXM, dense (no sparsity)
    *A100*) peak=312 ;;
    *L40S*) peak=362 ;;
    *A10*) peak=125 ;;
    *L4*) peak=121 ;;
    *) peak=0 ;;
  esac
fi
echo "== bench (cuda, $gpu_name, bf16 peak ${peak} TFLOP/s): model head seq batch dtype impl pruned ms/step tokens/s MFU"
python3 - "$out/bench.jsonl" "$peak" <<'PY'
import json, sys
peak = float(sys.argv[2]) * 1e12
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
for r in rows:
    flops = r["model_gflops_per_step"] * 1e9 / (r["ms_per_step"] / 1e3)
    mfu = f'{flops / peak:6.1%}' if peak > 0 and r.get("dtype", "fp32") != "fp32" else '     -'
    print(f'{r["model"]:11s} {r["head"]:4s} {r["seq_len"]:4d} {r["batch_size"]:4d} {r.get("dtype", "fp32"):5s} '
          f'{r["impl"]:14s} {str(r.get("pruned", False)):5s} {r["ms_per_step"]:9.2f} {r["tokens_per_s"]:10.0f} {mfu}')
def pick(**kw):
    return next((r for r in rows if all(r.get(k) == v for k, v in kw.items())), None)
for seq in (128, 512):
    dense = pick(impl="earlybert", model="bert-base", dtype="bf16", seq_len=seq, pruned=False)
    pruned = pick(impl="earlybert", model="bert-base", dtype="bf16", seq_len=seq, pruned=True)
    eager = pick(impl="pytorch-eager", model="bert-base", dtype="bf16", seq_len=seq)
    if dense and pruned and eager:
        print(f'bert-base bf16 seq {seq}: pruned/dense {pruned["tokens_per_s"] / dense["tokens_per_s"]:.2f}x, '
              f'earlybert/eager {dense["tokens_per_s"] / eager["tokens_per_s"]:.2f}x')
PY
tail -3 "$out/bench.err" 2>/dev/null
exit $ctest_rc
