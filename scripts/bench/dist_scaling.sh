#!/usr/bin/env bash
# The data-parallel scaling figure of docs/PERFORMANCE.md: the same pre-training updates (bert-small,
# MLM + NSP, sequence 128, global batch 32, dense: ticket_mode none) run by
#   one:  1 process with 2 intra-op threads, per_device_train_batch_size 32
#   two:  2 Gloo ranks on 127.0.0.1 (Debian's torchrun) with 1 thread each, per_device_train_batch_size 16
# interleaved, REPS times. Per run: the median update time over the updates after WARMUP (from
# metrics.jsonl: tokens of all ranks / tokens_per_s), and for the 2-rank run the communication the
# backward pass did not hide (rank 0's "waiting for gradients and step totals" per update, logged by the
# trainer at the end) as a share of that update time. Prints one line per run and the uptime before each.
#
#   scripts/bench/dist_scaling.sh SHARDS_DIR [path/to/earlybert]
#   REPS=3 STEPS=10 WARMUP=3 scripts/bench/dist_scaling.sh /tmp/wt2-128
#
# SHARDS_DIR: `earlybert prepare-pretraining --input wiki.valid.tokens --format wikitext --vocab
# bert-base-uncased-vocab.txt --output SHARDS_DIR` (any shards of sequence length 128 will do).
set -euo pipefail
cd "$(dirname "$0")/../.."
data="${1:?usage: dist_scaling.sh SHARDS_DIR [earlybert]}"
cli="$(realpath "${2:-${EARLYBERT_CLI:-build/earlybert}}")"
vocab="${VOCAB:-../shared/data/vocab/bert-base-uncased-vocab.txt}"
reps="${REPS:-3}"
steps="${STEPS:-10}"
warmup="${WARMUP:-3}"
work="$(mktemp -d /tmp/earlybert-dist-scaling.XXXXXX)"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

common=(pretrain --data_dir "$data" --tokenizer_name "$vocab" --config_name bert-small --ticket_mode none
        --device cpu --max_seq_length 128 --max_steps "$steps" --logging_steps 1 --save_steps 0 --eval_steps 0
        --warmup_steps 1 --seed 1)

# Median update time (ms) over the steps after the warm-up, from a run's metrics.jsonl.
step_ms() {
  /usr/bin/python3 - "$1" "$warmup" <<'EOF'
import json, statistics, sys
path, warmup = sys.argv[1], int(sys.argv[2])
ms = [4096 / r["tokens_per_s"] * 1e3 for r in map(json.loads, open(path))
      if r.get("phase") != "eval" and r["step"] > warmup]
print(f"{statistics.median(ms):.0f}")
EOF
}

for rep in $(seq 1 "$reps"); do
  echo "rep $rep uptime: $(uptime)"
  out="$work/one-$rep"
  OMP_NUM_THREADS=2 "$cli" "${common[@]}" --threads 2 --per_device_train_batch_size 32 --output_dir "$out" \
    >"$out.log" 2>&1
  echo "rep $rep one (1 rank x 2 threads, batch 32): $(step_ms "$out/metrics.jsonl") ms/update"
  echo "rep $rep uptime: $(uptime)"
  out="$work/two-$rep"
  OMP_NUM_THREADS=1 /usr/bin/python3 -m torch.distributed.run --standalone --nproc_per_node 2 --no_python -r 1 -t 1 \
    "$cli" "${common[@]}" --threads 1 --per_device_train_batch_size 16 --output_dir "$out" >"$out.log" 2>&1
  ms="$(step_ms "$out/metrics.jsonl")"
  wait_ms="$(grep -o 'waiting for gradients and step totals ([0-9.]* ms per update' "$out.log" | grep -o '([0-9.]*' |
    tr -d '(')"
  share="$(/usr/bin/python3 -c "print(f'{100 * $wait_ms / $ms:.1f}')")"
  echo "rep $rep two (2 ranks x 1 thread, batch 16 each): $ms ms/update; communication not hidden: $wait_ms ms" \
    "per update = $share % (mean over all $steps updates)"
done
echo "runs in $work"
