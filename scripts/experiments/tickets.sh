#!/usr/bin/env bash
# The lottery-ticket lab on one task (docs/TICKETS.md): EarlyBERT, IMP (2 rounds), structured RigL,
# greedy forward selection, the random-structure ticket and the random re-init of each strategy's ticket,
# next to the dense model, over several seeds (and learning rates), all with the same budget accounting:
# every run has the same number of optimizer updates (max_steps), search, rounds and selection included;
# what a strategy spends before its ticket exists is part of its wall time.
#
#   bash scripts/experiments/tickets.sh --smoke     tiny fixtures (tests/fixtures/train/e2e), 2 seeds, ~1 min
#   bash scripts/experiments/tickets.sh             the full run (settings below; hours on a shared CPU)
#
# Settings (environment): EARLYBERT_BUILD_DIR (build), TICKETS_DIR (runs/tickets or runs/tickets-smoke),
# TICKETS_TASK (sst2), TICKETS_MODEL (../shared/data/models/tiny-bert-random-safetensors), TICKETS_SEEDS
# ("1 2 3"), TICKETS_LRS ("2e-5 4e-5"), TICKETS_STEPS (max_steps of every run, 600). Extra arguments
# after the flags go to every run (e.g. --per_device_train_batch_size 16).
#
# Budget split (STEPS updates per run): EarlyBERT searches at most STEPS/5 (max_search_steps) — the
# official one-epoch search of a 5-epoch run; IMP spends 2 rounds of STEPS/4 (half the budget) before
# its ticket exists and trains it for the other half; RigL moves units until STEPS/5 (max_search_steps);
# greedy selects after STEPS/10 dense updates. Output: every run's directory, comparison.txt (`earlybert
# compare`: metrics, draw, wall time per phase, time saved vs the first dense run) and tickets.txt
# (`earlybert compare --tickets`: the winning-ticket check with its evidence).
set -euo pipefail
cd "$(dirname "$0")/../.."

smoke=0
if [ "${1:-}" = "--smoke" ]; then
  smoke=1
  shift
fi
build_dir="${EARLYBERT_BUILD_DIR:-build}"
eb="$build_dir/earlybert"
if [ ! -x "$eb" ]; then
  echo "tickets: $eb not found; build first: bash scripts/setup.sh" >&2
  exit 1
fi

if [ "$smoke" = 1 ]; then
  fixtures=tests/fixtures/train/e2e
  out="${TICKETS_DIR:-runs/tickets-smoke}"
  seeds="${TICKETS_SEEDS:-1 2}"
  lrs="${TICKETS_LRS:-1e-3}"
  steps="${TICKETS_STEPS:-20}"
  common=(--task sst2 --data_dir "$fixtures" --tokenizer_name "$fixtures/vocab.txt"
          --config_name "$fixtures/tiny-model.yaml" --device cpu --threads 1 --max_seq_length 32
          --per_device_train_batch_size 8 --logging_steps 5 --eval_steps 0 --save_steps 0
          --ticket_check_steps 2 --ticket_window 2 --greedy_group_size 8)
else
  out="${TICKETS_DIR:-runs/tickets}"
  seeds="${TICKETS_SEEDS:-1 2 3}"
  lrs="${TICKETS_LRS:-2e-5 4e-5}"
  steps="${TICKETS_STEPS:-600}"
  task="${TICKETS_TASK:-sst2}"
  model="${TICKETS_MODEL:-../shared/data/models/tiny-bert-random-safetensors}"
  common=(--task "$task" --model_name_or_path "$model" --logging_steps 50 --eval_steps 0 --save_steps 0
          --greedy_group_size 64)
fi
search=$(( steps / 5 > 1 ? steps / 5 : 1 ))
round=$(( steps / 4 > 1 ? steps / 4 : 1 ))
greedy_k=$(( steps / 10 ))

rm -rf "$out"
mkdir -p "$out"
step() { printf '\n=== [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
start=$(date +%s)
runs=()
train() {  # name, then flags of this run
  local name="$1"
  shift
  step "$name"
  "$eb" finetune "${common[@]}" --max_steps "$steps" --output_dir "$out/$name" "$@" "${extra[@]}" \
    > "$out/$name.log" 2>&1 || { echo "tickets: $name failed; see $out/$name.log" >&2; tail -5 "$out/$name.log" >&2; exit 1; }
  runs+=("$out/$name")
}
extra=("$@")

for lr in $lrs; do
  for seed in $seeds; do
    tag="lr$lr-seed$seed"
    train "dense-$tag" --learning_rate "$lr" --seed "$seed" --ticket_mode none
    train "earlybert-$tag" --learning_rate "$lr" --seed "$seed" --ticket_mode early_bird --max_search_steps "$search"
    train "imp-$tag" --learning_rate "$lr" --seed "$seed" --ticket_mode imp --imp_rounds 2 --imp_round_steps "$round"
    train "rigl-$tag" --learning_rate "$lr" --seed "$seed" --ticket_mode rigl --max_search_steps "$search"
    train "greedy-$tag" --learning_rate "$lr" --seed "$seed" --ticket_mode greedy --ticket_step "$greedy_k"
    train "random-$tag" --learning_rate "$lr" --seed "$seed" --ticket_mode random --random_ticket_seed "$seed"
    for strategy in earlybert imp rigl greedy; do  # each ticket's own re-init control
      train "reinit-$strategy-$tag" --learning_rate "$lr" --seed "$seed" --ticket_mode reinit \
        --random_ticket_seed "$seed" --ticket "$out/$strategy-$tag/ticket.json"
    done
  done
done

step "comparison (all runs finished in $(( $(date +%s) - start ))s)"
"$eb" compare "${runs[@]}" | tee "$out/comparison.txt"
"$eb" compare --tickets --metric accuracy "${runs[@]}" | tee "$out/tickets.txt"
