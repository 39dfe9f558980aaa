#!/usr/bin/env bash
# Ticket transfer: the ticket drawn in pre-training (pretrain.sh's EarlyBERT model, already pruned)
# fine-tuned without a second search — the default for a pruned model (docs/PROTOCOL.md: the run is its
# efficient stage, draw reason pruned_model) — against the dense pre-trained model fine-tuned densely,
# per task and seed. One row per run in OUT/results.tsv; resumable.
#
#   bash scripts/experiments/transfer.sh --smoke    the models of pretrain.sh --smoke (runs it when absent), sst2
#   bash scripts/experiments/transfer.sh            after pretrain.sh (settings below)
#
# Settings (environment; lib.sh has the shared ones and the fine-tuning budgets FINETUNE_*):
#   TRANSFER_PRETRAIN_DIR  pretrain.sh's output (runs/experiments/pretrain; smoke: runs/experiments-smoke/pretrain)
#   TRANSFER_TASKS         FINETUNE_TASKS, else "sst2 wordnet mrpc rte cola stsb squad" (smoke: "sst2")
#   TRANSFER_SEEDS         FINETUNE_SEEDS, else "1 2 3" (smoke: "1 2")
#   TRANSFER_DENSE_FROM    finetune.sh's output dir when it fine-tuned the same dense model
#                          (FINETUNE_MODEL=TRANSFER_PRETRAIN_DIR/dense) with the same settings: its dense
#                          runs are linked, not trained again (lib.sh link_same_run: only when the
#                          command is the same)
# The dense run gets FINETUNE_DENSE_STEPS updates, the pruned model FINETUNE_EFFICIENT_STEPS (the same
# efficient stage as finetune.sh's EarlyBERT and random runs). Runs: OUT/TASK/{dense,transfer}-seedS/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/experiments/lib.sh
exp_init transfer "$@"
ft_init

if [ "$smoke" = 1 ]; then
  pre="${TRANSFER_PRETRAIN_DIR:-runs/experiments-smoke/pretrain}"
  tasks="${TRANSFER_TASKS:-${FINETUNE_TASKS:-sst2}}"
  seeds="${TRANSFER_SEEDS:-${FINETUNE_SEEDS:-1 2}}"
  if [ ! -f "$pre/earlybert/all_results.json" ]; then
    exp_step "no pre-trained smoke models in $pre: running pretrain.sh --smoke"
    EXPERIMENTS_DIR="$pre" bash scripts/experiments/pretrain.sh --smoke
  fi
else
  pre="${TRANSFER_PRETRAIN_DIR:-runs/experiments/pretrain}"
  tasks="${TRANSFER_TASKS:-${FINETUNE_TASKS:-sst2 wordnet mrpc rte cola stsb squad}}"
  seeds="${TRANSFER_SEEDS:-${FINETUNE_SEEDS:-1 2 3}}"
fi
for variant in dense earlybert; do
  if [ ! -f "$pre/$variant/all_results.json" ]; then
    echo "transfer: $pre/$variant is not a finished pre-training run; run scripts/experiments/pretrain.sh first" >&2
    exit 1
  fi
done

for task in $tasks; do
  for seed in $seeds; do
    ft_run transfer "$out/$task/dense-seed$seed" "$task" dense "$seed" "$pre/dense" "model=pretrain/dense" \
      "${TRANSFER_DENSE_FROM:+$TRANSFER_DENSE_FROM/$task/dense-seed$seed}"
    ft_run transfer "$out/$task/transfer-seed$seed" "$task" transfer "$seed" "$pre/earlybert" "model=pretrain/earlybert"
  done
done
exp_step "all runs finished ($(( $(date +%s) - exp_start ))s); table: $out/results.tsv"
