#!/usr/bin/env bash
# Measures the performance targets of docs/PERFORMANCE.md side by side, in one run:
#   1. pruned (1/3 heads, 40% FFN) bert-small cls  vs  dense bert-small cls         (>= 1.5x tokens/s)
#   2. dense bert-small cls (earlybert)            vs  PyTorch eager from Python     (>= 1.1x)
#   3. bert-small mlm (earlybert)                  vs  PyTorch eager from Python     (>= 2x)
#   4. dense bert-base cls achieved GFLOP/s        vs  measured fp32 GEMM GFLOP/s   (>= 70%)
# and those of the mixed-precision issue (bert-small cls, dense):
#   5. earlybert fp32                              vs  PyTorch eager fp32            (>= 1.5x)
#   6. earlybert bf16 (autocast)                   vs  earlybert fp32 on ATen's kernels, i.e. the fp32
#                                                      step before the oneDNN kernel layer (>= 2.5x)
#   7. earlybert bf16 (autocast)                   vs  PyTorch eager + CPU bf16 autocast (>= 1.1x)
# The GEMM rate of target 4 is that of the kernels the model uses (oneDNN where runtime/matmul.h picks it).
# "Dense" is the model of a dense baseline run (ticket_mode none: no slimming coefficients, like the
# Python model); "pruned" is the efficient phase's model (pruned, the surviving coefficients kept).
# The search phase's step (dense + coefficients) is measured too, for the record.
# Each repetition runs every configuration once, the C++ bench and the Python baseline back to back
# with the same environment, so that the ratios of one repetition share the machine's load; the
# summary gives each ratio per repetition and their median and best.
#
#   scripts/bench/run_targets.sh [path/to/earlybert]      (default: build/earlybert)
#   REPS=3 STEPS=10 WARMUP=2 BASE_STEPS=4 OUT=bench.jsonl scripts/bench/run_targets.sh
#   ONLY=precision scripts/bench/run_targets.sh           (targets 5-7 only: the five bert-small cls
#                                                          configurations they compare, nothing else)
#
# The environment is kept as it is (OPENBLAS_* included); only OMP_WAIT_POLICY defaults to PASSIVE,
# which is what `earlybert` itself sets when it is missing. Python is Debian's (/usr/bin/python3 with
# python3-torch).
set -euo pipefail
cd "$(dirname "$0")/../.."
cli="${1:-${EARLYBERT_CLI:-build/earlybert}}"
reps="${REPS:-3}"
steps="${STEPS:-10}"
warmup="${WARMUP:-2}"
base_steps="${BASE_STEPS:-4}"
only="${ONLY:-all}"
[[ "$only" == all || "$only" == precision ]] || { echo "run_targets.sh: ONLY must be all or precision" >&2; exit 2; }
python="${PYTHON:-/usr/bin/python3}"
out="${OUT:-$(mktemp /tmp/earlybert-targets.XXXXXX.jsonl)}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

[[ -x "$cli" ]] || { echo "run_targets.sh: no earlybert binary at '$cli' (build it, or pass its path)" >&2; exit 2; }
common=(--seq-len 128 --batch-size 32)

echo "# $(date -u +%FT%TZ)  $(uptime)"
echo "# cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; blas: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
echo "# env: $(env | grep -E '^(OPENBLAS_|OMP_|MKL_|GOMP_)' | sort | tr '\n' ' ')"
echo "# results: $out"
: > "$out"
for rep in $(seq 1 "$reps"); do
  echo "# repetition $rep/$reps, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$cli" bench --model bert-small --head cls --no-slimming "${common[@]}" --steps "$steps" --warmup "$warmup" \
    | sed "s/^{/{\"rep\": $rep, /" | tee -a "$out"
  EARLYBERT_MATMUL=aten "$cli" bench --model bert-small --head cls --no-slimming "${common[@]}" --steps "$steps" \
    --warmup "$warmup" | sed "s/^{/{\"rep\": $rep, /" | tee -a "$out"
  "$cli" bench --model bert-small --head cls --no-slimming --dtype bf16 "${common[@]}" --steps "$steps" \
    --warmup "$warmup" | sed "s/^{/{\"rep\": $rep, /" | tee -a "$out"
  "$python" scripts/bench/pytorch_baseline.py --model bert-small --head cls --dtype bf16 "${common[@]}" --steps "$steps" \
    --warmup "$warmup" | sed "s/^{/{\"rep\": $rep, /" | tee -a "$out"
  "$python" scripts/bench/pytorch_baseline.py --model bert-small --head cls "${common[@]}" --steps "$steps" --warmup "$warmup" \
    | sed "s/^{/{\"rep\": $rep, /" | tee -a "$out"
  [[ "$only" == precision ]] && continue
  "$cli" bench --model bert-small --head cls --compare-pruned "${common[@]}" --steps "$steps" --warmup "$warmup" \
    | sed "s/^{/{\"rep\": $rep, /" | tee -a "$out"
  "$cli" bench --model bert-small --head mlm --no-slimming "${common[@]}" --steps "$steps" --warmup "$warmup" \
    | sed "s/^{/{\"rep\": $rep, /" | tee -a "$out"
  "$python" scripts/bench/pytorch_baseline.py --model bert-small --head mlm "${common[@]}" --steps "$steps" --warmup "$warmup" \
    | sed "s/^{/{\"rep\": $rep, /" | tee -a "$out"
  "$cli" bench --gemm --model bert-base --head cls --no-slimming "${common[@]}" --steps "$base_steps" --warmup 1 \
    | sed "s/^{/{\"rep\": $rep, /" | tee -a "$out"
done

"$python" - "$out" "$only" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
only = sys.argv[2]
def pick(rep, **kw):
    kw.setdefault("dtype", "fp32")
    if kw.get("impl") == "earlybert" and "matmul" not in kw and not kw.get("gemm"):
        kw["matmul"] = AUTO  # the default kernels, unless a target asks for ATen's
    for r in rows:
        if r["rep"] == rep and all(r.get(k) == v for k, v in kw.items()):
            return r
    raise SystemExit(f"missing result {kw} in repetition {rep}")
# The kernel the default (auto) setting took: that of the first plain fp32 earlybert line.
AUTO = next(r["matmul"] for r in rows if r["impl"] == "earlybert" and not r.get("gemm") and r["dtype"] == "fp32")
targets = [
    ("1 pruned/dense bert-small cls tokens/s", 1.5,
     lambda k: pick(k, impl="earlybert", model="bert-small", head="cls", pruned=True)["tokens_per_s"]
             / pick(k, impl="earlybert", model="bert-small", head="cls", pruned=False, slimming=False)["tokens_per_s"]),
    ("2 earlybert/pytorch bert-small cls tokens/s", 1.1,
     lambda k: pick(k, impl="earlybert", model="bert-small", head="cls", pruned=False, slimming=False)["tokens_per_s"]
             / pick(k, impl="pytorch-eager", model="bert-small", head="cls")["tokens_per_s"]),
    ("3 earlybert/pytorch bert-small mlm tokens/s", 2.0,
     lambda k: pick(k, impl="earlybert", model="bert-small", head="mlm", pruned=False, slimming=False)["tokens_per_s"]
             / pick(k, impl="pytorch-eager", model="bert-small", head="mlm")["tokens_per_s"]),
    ("4 bert-base cls achieved/GEMM GFLOP/s", 0.7,
     lambda k: pick(k, impl="earlybert", model="bert-base", head="cls")["achieved_gflops"]
             / pick(k, gemm=True)["gflops_by_hidden"]["768"]),
    ("5 earlybert fp32/pytorch fp32 bert-small cls tokens/s", 1.5,
     lambda k: pick(k, impl="earlybert", model="bert-small", head="cls", pruned=False, slimming=False)["tokens_per_s"]
             / pick(k, impl="pytorch-eager", model="bert-small", head="cls")["tokens_per_s"]),
    ("6 earlybert bf16/earlybert fp32 on ATen kernels bert-small cls", 2.5,
     lambda k: pick(k, impl="earlybert", model="bert-small", head="cls", pruned=False, slimming=False,
                    dtype="bf16")["tokens_per_s"]
             / pick(k, impl="earlybert", model="bert-small", head="cls", pruned=False, slimming=False,
                    matmul="aten")["tokens_per_s"]),
    ("7 earlybert bf16/pytorch bf16 autocast bert-small cls", 1.1,
     lambda k: pick(k, impl="earlybert", model="bert-small", head="cls", pruned=False, slimming=False,
                    dtype="bf16")["tokens_per_s"]
             / pick(k, impl="pytorch-eager", model="bert-small", head="cls", dtype="bf16")["tokens_per_s"]),
]
info = [
    ("search/dense bert-small cls tokens/s (coefficients' cost)", None,
     lambda k: pick(k, impl="earlybert", model="bert-small", head="cls", pruned=False, slimming=True)["tokens_per_s"]
             / pick(k, impl="earlybert", model="bert-small", head="cls", pruned=False, slimming=False)["tokens_per_s"]),
]
if only == "precision":
    targets, info = [t for t in targets if t[0][0] in "567"], []
reps = sorted({r["rep"] for r in rows})
print()
print("| configuration | ms/step (median over reps) | tokens/s | forward ms | backward ms | optimizer ms | achieved GFLOP/s |")
print("|---|---|---|---|---|---|---|")
configs = {}
for r in rows:
    if r.get("gemm"):
        continue
    key = (r["impl"], r["model"], r["head"], r.get("pruned", False), r.get("slimming", False), r.get("dtype", "fp32"),
           r.get("matmul", ""))
    configs.setdefault(key, []).append(r)
for (impl, model, head, pruned, slimming, dtype, matmul), rs in configs.items():
    med = lambda f: statistics.median(x[f] for x in rs)
    name = f"{impl} {model} {head}" + (" pruned" if pruned else " dense") + (" +coefficients" if slimming else "")
    name += f" {dtype}" + (f" ({matmul})" if matmul else "")
    print(f"| {name} | {med('ms_per_step'):.0f} | {med('tokens_per_s'):.0f} | {med('forward_ms'):.0f} | "
          f"{med('backward_ms'):.0f} | {med('optimizer_ms'):.0f} | {med('achieved_gflops'):.1f} |")
gemms = [r["gflops_by_hidden"] for r in rows if r.get("gemm")]
if gemms:
    gemm_kernel = next(r.get("matmul", "aten") for r in rows if r.get("gemm"))
    print(f"| fp32 GEMM (earlybert bench --gemm, {gemm_kernel}), GFLOP/s by hidden size | " +
          ", ".join(f"{h}: {statistics.median(g[h] for g in gemms):.1f}" for h in gemms[0]) + " |||||||")
print()
print(f"| target | goal | {' | '.join(f'rep {k}' for k in reps)} | median | best | met (median) |")
print("|---|---|" + "---|" * len(reps) + "---|---|---|")
for name, goal, ratio in targets + info:
    vals = [ratio(k) for k in reps]
    med = statistics.median(vals)
    verdict = "-" if goal is None else ("yes" if med >= goal else "no")
    print(f"| {name} | {'-' if goal is None else f'>= {goal:g}'} | {' | '.join(f'{v:.3f}' for v in vals)} | "
          f"{med:.3f} | {max(vals):.3f} | {verdict} |")
EOF
