#!/usr/bin/env bash
# The lottery-ticket lab on one task (docs/TICKETS.md): EarlyBERT, IMP (2 rounds), structured RigL,
# greedy forward selection, the random-structure ticket and the random re-init of each strategy's ticket,
# next to the dense model, over several seeds and learning rates, all with the same budget accounting
# (TICKETS.md): every model compared trains for the same number of updates (TICKETS_STEPS) on its own
# fresh schedule — the dense model, each ticket after it exists (efficient_schedule restart, the official
# protocol), each control from step 0 — at the run's learning rate in every phase. What a strategy
# spends finding its ticket (search, IMP's rounds, RigL's moves, greedy's dense updates and selection)
# is its cost: part of its wall time (train_s), never of its budget. The re-init controls train a given
# ticket, so their wall time excludes the search that found it.
#
#   bash scripts/experiments/tickets.sh --smoke     fixtures (tests/fixtures/train/e2e), a new tiny model
#   bash scripts/experiments/tickets.sh             the real run (settings below)
#
# Settings (environment; lib.sh has the shared ones: EXPERIMENTS_DIR, EXPERIMENTS_STOP_AT, ...):
#   TICKETS_MODEL   FINETUNE_MODEL, else runs/experiments/pretrain/dense (smoke: a new tiny model)
#   TICKETS_TASK    sst2 (smoke: sst2)
#   TICKETS_SEEDS   "1 2 3" (smoke "1 2")
#   TICKETS_LRS     "1e-4 2e-4" (smoke "1e-3")
#   TICKETS_STEPS   400 (smoke 20): the updates of every model compared
#   FINETUNE_BATCH, FINETUNE_MAX_SEQ_LENGTH, FINETUNE_ACCUMULATION, FINETUNE_MAX_EVAL_SAMPLES (lib.sh)
# Finding the ticket: EarlyBERT searches at most STEPS/5 updates (max_search_steps), masks checked every
# STEPS/40; IMP trains 2 rounds of STEPS/4 (rewinding to the pre-trained weights after each: half a
# budget of extra updates, the expensive reference); RigL moves units until STEPS/5; greedy selects
# after STEPS/10 dense updates.
# Output: OUT/TASK/<variant>-lr<LR>-seed<S>/ per run (variants dense, earlybert, imp, rigl, greedy,
# random, reinit-<strategy>), a row per run in OUT/results.tsv (setting lr=<LR>), OUT/comparison.txt
# (`earlybert compare`) and OUT/tickets.txt (`earlybert compare --tickets`: the winning-ticket check with
# its evidence) over every finished run in OUT/TASK, shown in docs/RESULTS.md by results.py. Resumable:
# finished runs are skipped, so a second learning rate or more seeds can be added by a later call
# (TICKETS_LRS=2e-4 …) and the comparison then covers both.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/experiments/lib.sh
exp_init tickets "$@"
ft_init

if [ "$smoke" = 1 ]; then
  model="${TICKETS_MODEL:-${FINETUNE_MODEL:-new}}"
  seeds="${TICKETS_SEEDS:-1 2}"
  lrs="${TICKETS_LRS:-1e-3}"
  steps="${TICKETS_STEPS:-20}"
  ft_common+=(--greedy_group_size 8)
else
  model="${TICKETS_MODEL:-${FINETUNE_MODEL:-runs/experiments/pretrain/dense}}"
  seeds="${TICKETS_SEEDS:-1 2 3}"
  lrs="${TICKETS_LRS:-1e-4 2e-4}"
  steps="${TICKETS_STEPS:-400}"
  ft_common+=(--greedy_group_size 64)
fi
task="${TICKETS_TASK:-sst2}"
if ! [ "$steps" -ge 10 ] 2> /dev/null; then
  echo "tickets: TICKETS_STEPS: '$steps' is not a number of updates >= 10" >&2
  exit 1
fi
search=$(( steps / 5 ))
round=$(( steps / 4 ))  # both rounds inside the search schedule of STEPS updates
greedy_k=$(( steps / 10 ))
check=$(( steps / 40 > 1 ? steps / 40 : 1 ))
ft_task_flags "$task" "$model"
# The task's config (its draw ratios, optimizer, schedule shape and L1 weights) with this lab's budget:
# dense and the search on a schedule of STEPS updates, each ticket's training a fresh one of STEPS.
budget=(--config "configs/finetune/$task.yaml" --max_steps "$steps" --efficient_schedule restart
        --efficient_max_steps "$steps" --ticket_check_steps "$check")

lab_run() {  # VARIANT LR SEED FLAGS...: one run at this budget, and its row
  local variant="$1" lr="$2" seed="$3"
  shift 3
  local dir="$out/$task/$variant-lr$lr-seed$seed"
  run_once "$dir" finetune "${ft_task[@]}" "${budget[@]}" "${ft_common[@]}" --seed "$seed" \
    --learning_rate "$lr" --search_learning_rate "$lr" --efficient_learning_rate "$lr" "$@" "${exp_args[@]}"
  append_result tickets "$task" "$variant" "$seed" "$dir" "lr=$lr"
}

for lr in $lrs; do
  for seed in $seeds; do
    lab_run dense "$lr" "$seed" --ticket_mode none
    lab_run earlybert "$lr" "$seed" --ticket_mode early_bird --max_search_steps "$search"
    lab_run imp "$lr" "$seed" --ticket_mode imp --imp_rounds 2 --imp_round_steps "$round"
    lab_run rigl "$lr" "$seed" --ticket_mode rigl --max_search_steps "$search"
    lab_run greedy "$lr" "$seed" --ticket_mode greedy --ticket_step "$greedy_k"
    lab_run random "$lr" "$seed" --ticket_mode random --random_ticket_seed "$seed"
    for strategy in earlybert imp rigl greedy; do  # each ticket's own re-init control
      lab_run "reinit-$strategy" "$lr" "$seed" --ticket_mode reinit --random_ticket_seed "$seed" \
        --ticket "$out/$task/$strategy-lr$lr-seed$seed/ticket.json"
    done
  done
done

# The comparison covers every finished run of the output dir, earlier invocations' too (another learning
# rate or more seeds added later), as results.tsv does.
runs=()
for d in "$out/$task"/*-lr*-seed*/; do
  [ -f "$d/all_results.json" ] && runs+=("${d%/}")
done
metric=$(python3 -c 'import sys; sys.path.insert(0, "scripts/experiments"); import run_row; print(run_row.MAIN_METRIC[sys.argv[1]])' "$task")
exp_step "comparison (all runs done $(( $(date +%s) - exp_start )) s after the start)"
"$eb" compare "${runs[@]}" | tee "$out/comparison.txt"
"$eb" compare --tickets --metric "$metric" "${runs[@]}" | tee "$out/tickets.txt"
