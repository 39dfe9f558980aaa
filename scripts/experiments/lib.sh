# Shared pieces of the experiment scripts (scripts/experiments/*.sh source this file; docs/EXPERIMENTS.md).
#
#   exp_init NAME "$@"        --smoke or not, the binary, the output dir, the data dir; leaves the other
#                             arguments in exp_args (each script passes them to every training run)
#   run_once DIR SUBCOMMAND ARGS...
#                             runs `earlybert SUBCOMMAND ARGS... --output_dir DIR` unless DIR already holds
#                             all_results.json (a finished run); an interrupted run resumes from its newest
#                             complete checkpoint (--resume_from_checkpoint auto), a run killed before its
#                             first checkpoint starts again. DIR.log: the run's output; DIR.run.json: the
#                             command, the commit it ran at, start and end time.
#   append_result EXPERIMENT TASK VARIANT SEED DIR [SETTING]
#                             one row of OUT/results.tsv for a finished run, read from the run's own files
#                             (run_row.py); re-running replaces the row of the same DIR.
#
# Settings (environment): EARLYBERT_BUILD_DIR (build), EXPERIMENTS_DIR (runs/experiments/NAME, with
# --smoke runs/experiments-smoke/NAME), EXPERIMENTS_DATA (../shared/data: GLUE, SQuAD, corpora, vocab),
# EXPERIMENTS_THREADS (LibTorch threads; 0 = all cores), EXPERIMENTS_STOP_FILE (when this file exists no
# new run starts: the script stops with status 3, and re-running it later continues), EXPERIMENTS_STOP_AT
# (a `date -d` time, e.g. "10:40 UTC": the same, at that time).
# Every script is resumable: finished runs are skipped, so after an interruption run it again with the
# same settings. --smoke starts from an empty output dir (EXPERIMENTS_KEEP=1: it resumes too).

exp_init() {
  exp_name="$1"
  shift
  smoke=0
  if [ "${1:-}" = "--smoke" ]; then
    smoke=1
    shift
  fi
  exp_args=("$@")
  build_dir="${EARLYBERT_BUILD_DIR:-build}"
  eb="$build_dir/earlybert"
  if [ ! -x "$eb" ]; then
    echo "$exp_name: $eb not found; build first: bash scripts/setup.sh" >&2
    exit 1
  fi
  data="${EXPERIMENTS_DATA:-../shared/data}"
  fixtures=tests/fixtures
  threads="${EXPERIMENTS_THREADS:-0}"
  export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"  # before the process starts (PLATFORM-NOTES.md)
  if [ "$smoke" = 1 ]; then
    out="${EXPERIMENTS_DIR:-runs/experiments-smoke/$exp_name}"
    [ "${EXPERIMENTS_KEEP:-0}" = 1 ] || rm -rf "$out"
  else
    out="${EXPERIMENTS_DIR:-runs/experiments/$exp_name}"
  fi
  mkdir -p "$out"
  exp_commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
  if [ "$exp_commit" != unknown ] && ! git diff --quiet HEAD -- src include apps scripts configs 2>/dev/null; then
    exp_commit="$exp_commit-dirty"
  fi
  exp_invocation_written=false  # written by the first run this call starts (run_once)
  exp_start=$(date +%s)
}

# OUT/invocation.txt: how the script was called (its settings from the environment included) and where,
# a block per call that started a run (a blank line between): an output dir filled by several calls
# (other tasks, seeds or learning rates) keeps every command, and a call that failed its checks or
# found every run finished adds none; results.py shows them under the experiment's table.
exp_write_invocation() {
  local f="$out/invocation.txt" settings
  local name
  settings=""
  [ -s "$f" ] && printf '\n' >> "$f"
  for name in $(compgen -e | { grep -E '^(EXPERIMENTS_|EARLYBERT_BUILD_DIR|PRETRAIN_|FINETUNE_|TRANSFER_|EARLY_|TICKETS_)' || true; } | sort); do
    settings+="$name=$(printf '%q' "${!name}") "  # quoted: the line can be pasted back into a shell
  done
  {
    printf 'command\t%sbash scripts/experiments/%s.sh%s' "$settings" "$exp_name" "$([ "$smoke" = 1 ] && echo ' --smoke')"
    [ "${#exp_args[@]}" -gt 0 ] && printf ' %q' "${exp_args[@]}"
    printf '\n'
    printf 'commit\t%s\n' "$exp_commit"
    printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'nproc\t%s\n' "$(nproc)"
    printf 'cpu\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
    printf 'load\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  } >> "$f"
}

exp_step() { printf '\n=== [%s] %s: %s\n' "$(date +%H:%M:%S)" "$exp_name" "$*"; }

# True when no new run may start (EXPERIMENTS_STOP_FILE exists, or EXPERIMENTS_STOP_AT has passed).
exp_stop_requested() {
  if [ -n "${EXPERIMENTS_STOP_FILE:-}" ] && [ -e "$EXPERIMENTS_STOP_FILE" ]; then
    return 0
  fi
  if [ -n "${EXPERIMENTS_STOP_AT:-}" ]; then
    local at
    at=$(date -d "$EXPERIMENTS_STOP_AT" +%s) || { echo "$exp_name: EXPERIMENTS_STOP_AT: not a date: $EXPERIMENTS_STOP_AT" >&2; exit 1; }
    [ "$(date +%s)" -ge "$at" ] && return 0
  fi
  return 1
}

run_once() {
  local dir="$1"
  shift
  if [ -f "$dir/all_results.json" ]; then
    exp_step "$dir: finished before, skipped"
    return 0
  fi
  if exp_stop_requested; then
    exp_step "stop requested before $dir (EXPERIMENTS_STOP_FILE / EXPERIMENTS_STOP_AT); re-run to continue"
    exit 3
  fi
  if [ -d "$dir" ] && ! ls "$dir"/checkpoint-*/COMPLETE > /dev/null 2>&1; then
    rm -rf "$dir"  # killed before its first complete checkpoint: nothing to resume
  fi
  if [ "$exp_invocation_written" = false ]; then
    exp_write_invocation
    exp_invocation_written=true
  fi
  local resumed=false
  [ -d "$dir" ] && resumed=true
  exp_step "$dir$([ "$resumed" = true ] && echo ' (resuming)')"
  mkdir -p "$(dirname "$dir")"
  local cmd=("$eb" "$@" --output_dir "$dir" --resume_from_checkpoint auto)
  local t0
  t0=$(date +%s.%N)
  printf '%q ' "${cmd[@]}" >> "$dir.log"
  printf '\n' >> "$dir.log"
  if ! "${cmd[@]}" >> "$dir.log" 2>&1; then
    echo "$exp_name: $dir failed; see $dir.log" >&2
    tail -5 "$dir.log" >&2
    exit 1
  fi
  python3 - "$dir.run.json" "$exp_commit" "$t0" "$(date +%s.%N)" "$resumed" "${cmd[@]}" << 'EOF'
import json, sys
path, commit, t0, t1, resumed, *cmd = sys.argv[1:]
with open(path, "w") as f:
    json.dump({"command": cmd, "commit": commit, "start": float(t0), "end": float(t1),
               "wall_s": float(t1) - float(t0), "resumed": resumed == "true"}, f, indent=1)
EOF
}

append_result() {
  python3 scripts/experiments/run_row.py "$out/results.tsv" "$@"
}

# ---- Fine-tuning pieces (finetune.sh, transfer.sh, early_curve.sh) --------------------------------------
#
# ft_init: the budgets and flags every fine-tuning run shares, from the environment (docs/EXPERIMENTS.md):
#   FINETUNE_DENSE_STEPS (900; smoke 12)      updates of the dense run = the main schedule of a search
#   FINETUNE_EFFICIENT_STEPS (600; smoke 8)   updates of the efficient stage (EarlyBERT after its draw,
#                                             random ticket, a pruned model) — the official 3 : 2 ratio
#   FINETUNE_MAX_SEARCH_STEPS (150; smoke 4)  the draw at the latest after this many updates
#   FINETUNE_CHECK_STEPS (search / 10)        masks compared every N updates (the config's window of 4)
#   "config" for any of the three budgets keeps the task config's epochs (the official protocol).
#   FINETUNE_BATCH (32; smoke 8), FINETUNE_ACCUMULATION (1: every variant and task takes the same
#   update; 4 = the official effective batch 128 of the EarlyBERT configs), FINETUNE_MAX_SEQ_LENGTH
#   (the config's), FINETUNE_SQUAD_MAX_SEQ_LENGTH (192, doc_stride 64: CPU-sized; smoke 64),
#   FINETUNE_LR (learning_rate and search_learning_rate; the config's), FINETUNE_EFFICIENT_LR (the
#   config's), FINETUNE_MAX_EVAL_SAMPLES (GLUE tasks only: their dev splits are not ordered; never the
#   wordnet task, whose dev split is ordered by synset, nor the SQuAD split), FINETUNE_SAVE_STEPS
#   (checkpoint interval for resuming; 300).
ft_init() {
  if [ "$smoke" = 1 ]; then
    ft_dense="${FINETUNE_DENSE_STEPS:-12}" ft_eff="${FINETUNE_EFFICIENT_STEPS:-8}"
    ft_search="${FINETUNE_MAX_SEARCH_STEPS:-4}" ft_batch="${FINETUNE_BATCH:-8}"
    ft_window="${FINETUNE_TICKET_WINDOW:-2}" ft_squad_len="${FINETUNE_SQUAD_MAX_SEQ_LENGTH:-64}"
    ft_seq="${FINETUNE_MAX_SEQ_LENGTH:-32}"
    ft_common=(--logging_steps 2)
  else
    ft_dense="${FINETUNE_DENSE_STEPS:-900}" ft_eff="${FINETUNE_EFFICIENT_STEPS:-600}"
    ft_search="${FINETUNE_MAX_SEARCH_STEPS:-150}" ft_batch="${FINETUNE_BATCH:-32}"
    ft_window="${FINETUNE_TICKET_WINDOW:-}" ft_squad_len="${FINETUNE_SQUAD_MAX_SEQ_LENGTH:-192}"
    ft_seq="${FINETUNE_MAX_SEQ_LENGTH:-}"
    ft_common=(--logging_steps 50)
  fi
  if [ "$ft_search" = config ]; then
    ft_check="${FINETUNE_CHECK_STEPS:-}"
  else
    ft_check="${FINETUNE_CHECK_STEPS:-$(( ft_search / 10 > 1 ? ft_search / 10 : 1 ))}"
  fi
  ft_common+=(--per_device_train_batch_size "$ft_batch" --gradient_accumulation_steps "${FINETUNE_ACCUMULATION:-1}"
              --threads "$threads" --eval_steps 0 --save_steps "${FINETUNE_SAVE_STEPS:-300}" --save_total_limit 1)
  [ -n "${FINETUNE_LR:-}" ] && ft_common+=(--learning_rate "$FINETUNE_LR" --search_learning_rate "$FINETUNE_LR")
  [ -n "${FINETUNE_EFFICIENT_LR:-}" ] && ft_common+=(--efficient_learning_rate "$FINETUNE_EFFICIENT_LR")
  return 0
}

# ft_steps FLAG VALUE: the flag unless VALUE is "config" (the task config's epochs).
ft_steps() {
  [ "$2" = config ] || printf '%s\n%s\n' "$1" "$2"
}

# ft_task_flags TASK MODEL: sets ft_task (task, data, model and tokenizer flags). MODEL is a model
# directory, or "new": a new, randomly initialised model (FINETUNE_NEW_CONFIG, default bert-mini, with
# BERT's uncased vocabulary; smoke: the tiny model of tests/fixtures/train/e2e/tiny-model.yaml with the
# fixture's vocabulary).
ft_task_flags() {
  local task="$1" model="$2" glue_dir=""
  ft_task=(--task "$task")
  case "$task" in
    sst2) glue_dir=SST-2 ;; mrpc) glue_dir=MRPC ;; rte) glue_dir=RTE ;; cola) glue_dir=CoLA ;;
    stsb) glue_dir=STS-B ;; wnli) glue_dir=WNLI ;;
    wordnet | squad) ;;
    *) echo "$exp_name: task '$task' is not one of sst2 wordnet mrpc rte cola stsb wnli squad" >&2; exit 1 ;;
  esac
  local vocab=""
  [ "$task" != squad ] && [ -n "$ft_seq" ] && ft_task+=(--max_seq_length "$ft_seq")
  if [ "$smoke" = 1 ]; then
    case "$task" in
      sst2 | stsb) ft_task+=(--data_dir "$fixtures/train/e2e/$glue_dir"); vocab="$fixtures/train/e2e/vocab.txt" ;;
      squad) ft_task+=(--data_dir "$(ft_squad_split)" --max_seq_length "$ft_squad_len" --doc_stride 16 --max_query_length 16)
             vocab="$fixtures/train/squad/vocab.txt" ;;
      *) echo "$exp_name: --smoke has fixtures for sst2, stsb and squad only, not '$task'" >&2; exit 1 ;;
    esac
  else
    case "$task" in
      wordnet) ;;
      squad) ft_task+=(--data_dir "$(ft_squad_split)" --max_seq_length "$ft_squad_len" --doc_stride 64) ;;
      *) ft_task+=(--data_dir "$data/glue/$glue_dir")
         [ -n "${FINETUNE_MAX_EVAL_SAMPLES:-}" ] && ft_task+=(--max_eval_samples "$FINETUNE_MAX_EVAL_SAMPLES") ;;
    esac
  fi
  if [ "$model" = new ] && [ "$smoke" = 1 ]; then
    ft_task+=(--config_name "$fixtures/train/e2e/tiny-model.yaml" --tokenizer_name "$vocab")
  elif [ "$model" = new ]; then
    # no pre-training: a randomly initialised model of pretrain.sh's size and vocabulary, the control
    # that says what pre-training adds
    ft_task+=(--config_name "${FINETUNE_NEW_CONFIG:-bert-mini}" --tokenizer_name "$data/vocab/bert-base-uncased-vocab.txt"
              --do_lower_case true)
  else
    if [ ! -f "$model/config.json" ]; then
      echo "$exp_name: $model is not a model directory (no config.json)" >&2
      exit 1
    fi
    ft_task+=(--model_name_or_path "$model")
  fi
  return 0
}

# ft_squad_split: the SQuAD v1.1 train/eval split by article (squad_split.py), made once in OUT/squad;
# prints its directory. Real runs split ../shared/data/squad/dev-v1.1.json (the only SQuAD file there),
# smoke runs the fixture's 2-article file.
ft_squad_split() {
  local dir="$out/squad" input="$data/squad/dev-v1.1.json"
  [ "$smoke" = 1 ] && input="$fixtures/train/squad/train-v1.1.json"
  if [ ! -f "$dir/split.json" ]; then
    python3 scripts/experiments/squad_split.py --input "$input" --output "$dir" \
      --eval-fraction "${FINETUNE_SQUAD_EVAL_FRACTION:-0.2}" --seed "${FINETUNE_SQUAD_SPLIT_SEED:-1}" >&2
  fi
  echo "$dir"
}

# ft_variant_flags TASK VARIANT SEED: sets ft_flags, the config files and flags of one variant:
#   dense      configs/finetune/dense/TASK.yaml (wordnet: configs/finetune/wordnet.yaml with ticket_mode
#              none, as the demo), FINETUNE_DENSE_STEPS updates
#   earlybert  configs/finetune/TASK.yaml: search on the dense schedule, cut by the early-bird rule or
#              at FINETUNE_MAX_SEARCH_STEPS, then FINETUNE_EFFICIENT_STEPS updates from the weights
#              before the search (rewind initial, fresh schedule)
#   random     the same efficient stage on a random structure of the same size (random_ticket_seed SEED)
#   transfer   a model pruned before (transfer.sh): the run is its efficient stage, no second search
#   k=K        early_curve.sh: earlybert with the draw forced at K (the rule cannot fire first: its
#              window is longer than the search)
ft_variant_flags() {
  local task="$1" variant="$2" seed="$3"
  local ticket_cfg="configs/finetune/$task.yaml" dense_cfg="configs/finetune/dense/$task.yaml"
  ft_flags=(--seed "$seed")
  mapfile -t -O 0 dense_steps < <(ft_steps --max_steps "$ft_dense")
  mapfile -t eff_steps < <(ft_steps --efficient_max_steps "$ft_eff")
  case "$variant" in
    dense)
      if [ -f "$dense_cfg" ]; then
        ft_flags+=(--config "$dense_cfg")
      else
        ft_flags+=(--config "$ticket_cfg")
      fi
      ft_flags+=(--ticket_mode none "${dense_steps[@]}") ;;
    earlybert | k=*)
      ft_flags+=(--config "$ticket_cfg" --ticket_mode early_bird "${dense_steps[@]}" "${eff_steps[@]}")
      [ -n "$ft_check" ] && ft_flags+=(--ticket_check_steps "$ft_check")
      if [ "$variant" = earlybert ]; then
        mapfile -t search_steps < <(ft_steps --max_search_steps "$ft_search")
        ft_flags+=("${search_steps[@]}")
        [ -n "$ft_window" ] && ft_flags+=(--ticket_window "$ft_window")
      else
        ft_flags+=(--max_search_steps "${variant#k=}" --ticket_window 1000000)
      fi ;;
    random) ft_flags+=(--config "$ticket_cfg" --ticket_mode random --random_ticket_seed "$seed" "${dense_steps[@]}" "${eff_steps[@]}") ;;
    transfer) ft_flags+=(--config "$ticket_cfg" "${dense_steps[@]}" "${eff_steps[@]}") ;;
    *) echo "$exp_name: unknown variant '$variant'" >&2; exit 1 ;;
  esac
  return 0
}

# ft_run EXPERIMENT DIR TASK VARIANT SEED MODEL [SETTING [SAME_RUN]]: one fine-tuning run (skipped when
# finished) and its row in results.tsv. SAME_RUN: a run directory of another experiment; when it is a
# finished run of exactly this command (link_same_run), it is linked instead of trained again.
ft_run() {
  local experiment="$1" dir="$2" task="$3" variant="$4" seed="$5" model="$6" setting="${7:-}" same="${8:-}"
  ft_task_flags "$task" "$model"
  ft_variant_flags "$task" "$variant" "$seed"
  local args=(finetune "${ft_flags[@]}" "${ft_task[@]}" "${ft_common[@]}" "${exp_args[@]}")
  [ -n "$same" ] && link_same_run "$same" "$dir" "${args[@]}"
  run_once "$dir" "${args[@]}"
  append_result "$experiment" "$task" "${variant%%=*}" "$seed" "$dir" "$setting"
}

# link_same_run FROM DIR SUBCOMMAND ARGS...: when DIR does not exist and FROM is a finished run whose
# recorded command (FROM.run.json) is the one run_once would run for DIR, apart from the output dir,
# DIR (and DIR.log, DIR.run.json) become symbolic links to FROM's: the same training is not paid twice
# (transfer.sh's dense runs are finetune.sh's). Anything else — another seed, budget, model or binary —
# leaves DIR alone, and run_once trains it.
link_same_run() {
  local from="$1" dir="$2"
  shift 2
  [ ! -e "$dir" ] && [ -f "$from/all_results.json" ] && [ -f "$from.run.json" ] || return 0
  if python3 - "$from.run.json" "$eb" "$@" << 'EOF'
import json, sys
recorded, *args = sys.argv[1:]
command = json.load(open(recorded))["command"]
# run_once's command ends with --output_dir DIR --resume_from_checkpoint auto; DIR may be spelled any way
sys.exit(0 if command[:-4] == args and command[-4] == "--output_dir" and command[-2:] == ["--resume_from_checkpoint", "auto"] else 1)
EOF
  then
    mkdir -p "$(dirname "$dir")"
    local f
    for f in "" .log .run.json; do
      ln -s "$(realpath "$from$f")" "$dir$f"
    done
    exp_step "$dir: the same run as $from, linked"
  else
    exp_step "$dir: $from is not the same run (another command), trained here"
  fi
}
