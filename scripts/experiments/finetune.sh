#!/usr/bin/env bash
# Fine-tuning, the official EarlyBERT comparison (docs/PROTOCOL.md) on real data: from one pre-trained
# model, per task and seed, the dense baseline, EarlyBERT (search, early-bird draw, efficient stage) and
# the random ticket (the same efficient stage on a random structure of the same size). One row per run in
# OUT/results.tsv (metric, wall time per phase, draw step and reason, heads/neurons kept); docs/RESULTS.md
# is generated from it by results.py. Resumable: run it again and finished runs are skipped.
#
#   bash scripts/experiments/finetune.sh --smoke    fixtures: a new tiny model, sst2 + squad, 2 seeds (seconds)
#   bash scripts/experiments/finetune.sh            the real run (settings below)
#
# Settings (environment; lib.sh has the shared ones and the budgets, docs/EXPERIMENTS.md the timings):
#   FINETUNE_MODEL   the pre-trained model (default: the dense model of pretrain.sh,
#                    runs/experiments/pretrain/dense; e.g. ../shared/data/models/tiny-bert-random-safetensors),
#                    or "new": a randomly initialised bert-mini (FINETUNE_NEW_CONFIG) with BERT's uncased
#                    vocabulary, the no-pre-training control (with FINETUNE_VARIANTS=dense)
#   FINETUNE_TASKS   "sst2 wordnet mrpc rte cola stsb squad" (smoke: "sst2 squad")
#   FINETUNE_SEEDS   "1 2 3" (smoke: "1 2")
#   FINETUNE_VARIANTS "dense earlybert random"
#   FINETUNE_DENSE_STEPS / _EFFICIENT_STEPS / _MAX_SEARCH_STEPS / _CHECK_STEPS / _BATCH / _ACCUMULATION /
#   _MAX_SEQ_LENGTH / _SQUAD_MAX_SEQ_LENGTH / _LR / _EFFICIENT_LR / _MAX_EVAL_SAMPLES / _SAVE_STEPS: lib.sh
# Extra arguments after the flags go to every run (e.g. --bf16 auto).
#
# SQuAD v1.1: only the dev set is here, so it is split by article into train/eval (squad_split.py,
# seeded; OUT/squad/split.json lists the titles). Runs: OUT/TASK/VARIANT-seedS/ (+ .log, .run.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/experiments/lib.sh
exp_init finetune "$@"
ft_init

if [ "$smoke" = 1 ]; then
  model="${FINETUNE_MODEL:-new}"
  tasks="${FINETUNE_TASKS:-sst2 squad}"
  seeds="${FINETUNE_SEEDS:-1 2}"
else
  model="${FINETUNE_MODEL:-runs/experiments/pretrain/dense}"
  tasks="${FINETUNE_TASKS:-sst2 wordnet mrpc rte cola stsb squad}"
  seeds="${FINETUNE_SEEDS:-1 2 3}"
fi
variants="${FINETUNE_VARIANTS:-dense earlybert random}"
if [ "$model" != new ] && [ ! -f "$model/config.json" ]; then
  echo "finetune: no model in $model; run scripts/experiments/pretrain.sh first or set FINETUNE_MODEL" >&2
  exit 1
fi

for task in $tasks; do
  for seed in $seeds; do
    for variant in $variants; do
      ft_run finetune "$out/$task/$variant-seed$seed" "$task" "$variant" "$seed" "$model" "model=$(basename "$model")"
    done
  done
done
exp_step "all runs finished ($(( $(date +%s) - exp_start ))s); table: $out/results.tsv"
