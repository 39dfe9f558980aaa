#!/usr/bin/env bash
# "Does the early bird come early?" — the paper's central observation checked at this scale
# (docs/EXPERIMENTS.md). Per task and seed:
#   - tickets forced at steps k in EARLY_KS: an EarlyBERT run whose draw comes at exactly k (the
#     search bound max_search_steps k, with a window longer than the search so the early-bird rule cannot
#     fire first), each fine-tuned through the same efficient stage (FINETUNE_EFFICIENT_STEPS updates
#     from the weights before the search) — rows: k, metric;
#   - the early-bird rule itself (variant earlybert, bounded by the largest k) and the dense baseline, as
#     references;
#   - the mask-distance curve of the longest search (heads and FFN, normalized Hamming distance between
#     consecutive checks every EARLY_CHECK_STEPS): OUT/curve-TASK-seedS.tsv (curve.py history), and each
#     ticket's distance to the latest one: OUT/tickets-TASK-seedS.tsv (curve.py to-final).
#
#   bash scripts/experiments/early_curve.sh --smoke   fixtures: a new tiny model, sst2, k = 2 4 6 (seconds)
#   bash scripts/experiments/early_curve.sh           the real run (settings below)
#
# Settings (environment; lib.sh has the shared ones and the fine-tuning budgets FINETUNE_*):
#   EARLY_MODEL        FINETUNE_MODEL, else runs/experiments/pretrain/dense
#   EARLY_TASKS        "sst2" (smoke "sst2")
#   EARLY_SEEDS        "1"
#   EARLY_KS           "10 25 50 100 200" (smoke "2 4 6"): draw steps, in updates
#   EARLY_CHECK_STEPS  5 (smoke 1): masks compared every N updates (the curve's resolution)
# Runs: OUT/TASK/k<K>-seedS/, OUT/TASK/{earlybert,dense}-seedS/; resumable.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/experiments/lib.sh
exp_init early_curve "$@"
ft_init

if [ "$smoke" = 1 ]; then
  model="${EARLY_MODEL:-${FINETUNE_MODEL:-new}}"
  ks="${EARLY_KS:-2 4 6}"
  ft_check="${EARLY_CHECK_STEPS:-1}"
else
  model="${EARLY_MODEL:-${FINETUNE_MODEL:-runs/experiments/pretrain/dense}}"
  ks="${EARLY_KS:-10 25 50 100 200}"
  ft_check="${EARLY_CHECK_STEPS:-5}"
fi
tasks="${EARLY_TASKS:-sst2}"
seeds="${EARLY_SEEDS:-1}"
k_max=0
for k in $ks; do
  if ! [ "$k" -ge 1 ] 2> /dev/null; then
    echo "early_curve: EARLY_KS: '$k' is not a positive number of updates" >&2
    exit 1
  fi
  [ "$k" -gt "$k_max" ] && k_max="$k"
done
ft_search="$k_max"  # the rule's run is bounded like the longest forced search

for task in $tasks; do
  for seed in $seeds; do
    pairs=()
    for k in $ks; do
      ft_run early_curve "$out/$task/k$k-seed$seed" "$task" "k=$k" "$seed" "$model" "k=$k"
      pairs+=("$k=$out/$task/k$k-seed$seed")
    done
    ft_run early_curve "$out/$task/earlybert-seed$seed" "$task" earlybert "$seed" "$model" "rule, k<=$k_max"
    ft_run early_curve "$out/$task/dense-seed$seed" "$task" dense "$seed" "$model" "reference"
    python3 scripts/experiments/curve.py history "$out/$task/k$k_max-seed$seed" > "$out/curve-$task-seed$seed.tsv"
    python3 scripts/experiments/curve.py to-final "$out/$task/k$k_max-seed$seed" "${pairs[@]}" \
      "rule=$out/$task/earlybert-seed$seed" > "$out/tickets-$task-seed$seed.tsv"
  done
done
exp_step "all runs finished ($(( $(date +%s) - exp_start ))s); table: $out/results.tsv; curves: $out/curve-*.tsv"
