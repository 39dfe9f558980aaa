#!/usr/bin/env bash
# A short real GLUE fine-tuning run in fp32 and in bf16, side by side, for the mixed-precision target
# "bf16 reaches the fp32 dev metric within 0.5 point" (docs/PERFORMANCE.md).
#
# SST-2 from ../shared/data/glue (or DATA_DIR), a new bert-mini-sized model (4 layers, hidden 256; no
# pre-trained BERT is available offline here) with the bert-base-uncased vocabulary, the same seed and
# the same data order in both runs; dense (ticket_mode none) so that the two runs differ only in
# precision. Prints one line per run (dev accuracy, train loss of the last logging step, wall time) and
# the difference.
#
#   scripts/bench/glue_precision.sh [path/to/earlybert]        (default: build/earlybert)
#   STEPS=300 MODEL=bert-mini OUT_ROOT=/tmp/glue-precision scripts/bench/glue_precision.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cli="${1:-${EARLYBERT_CLI:-build/earlybert}}"
data="${DATA_DIR:-../shared/data/glue/SST-2}"
vocab="${VOCAB:-../shared/data/vocab/bert-base-uncased-vocab.txt}"
steps="${STEPS:-300}"
model="${MODEL:-bert-mini}"
root="${OUT_ROOT:-$(mktemp -d /tmp/earlybert-glue-precision.XXXXXX)}"
mkdir -p "$root"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
[[ -x "$cli" ]] || { echo "glue_precision.sh: no earlybert binary at '$cli'" >&2; exit 2; }
[[ -f "$data/train.tsv" && -f "$vocab" ]] || { echo "glue_precision.sh: no SST-2 at '$data' or vocab '$vocab'" >&2; exit 2; }

echo "# $(date -u +%FT%TZ)  $(uptime)"
echo "# SST-2 $data, $model, $steps updates of batch 32 at max_seq_length 64, results under $root"
for bf16 in false true; do
  out="$root/bf16-$bf16"
  start=$(date +%s)
  "$cli" finetune --task sst2 --data_dir "$data" --tokenizer_name "$vocab" --config_name "$model" \
    --output_dir "$out" --overwrite_output_dir --bf16 "$bf16" --ticket_mode none --max_steps "$steps" \
    --max_seq_length 64 --per_device_train_batch_size 32 --per_device_eval_batch_size 128 \
    --learning_rate 2e-4 --warmup_steps 30 --weight_decay 0.01 --logging_steps 50 --save_steps 0 --seed 42 \
    > "$root/bf16-$bf16.out" 2> "$root/bf16-$bf16.log"
  end=$(date +%s)
  /usr/bin/python3 - "$out" "$bf16" "$((end - start))" <<'PY'
import json, sys
out, bf16, secs = sys.argv[1], sys.argv[2], int(sys.argv[3])
ev = json.load(open(f"{out}/eval_results.json"))
train = [json.loads(l) for l in open(f"{out}/metrics.jsonl") if '"loss"' in l]
print(json.dumps({"bf16": bf16 == "true", "eval_accuracy": ev["eval_accuracy"], "eval_loss": ev.get("eval_loss"),
                  "last_train_loss": train[-1]["loss"], "steps": train[-1]["step"], "wall_s": secs}))
PY
done | tee "$root/summary.jsonl"
/usr/bin/python3 - "$root/summary.jsonl" <<'PY'
import json, sys
rows = {r["bf16"]: r for r in map(json.loads, open(sys.argv[1]))}
d = 100 * (rows[True]["eval_accuracy"] - rows[False]["eval_accuracy"])
print(f"dev accuracy fp32 {100 * rows[False]['eval_accuracy']:.2f}, bf16 {100 * rows[True]['eval_accuracy']:.2f}: "
      f"difference {d:+.2f} points ({'within' if abs(d) <= 0.5 else 'NOT within'} 0.5); "
      f"wall time fp32 {rows[False]['wall_s']} s, bf16 {rows[True]['wall_s']} s")
PY
