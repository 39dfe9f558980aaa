#!/usr/bin/env bash
# One CTest smoke test of an experiment script (tests/CMakeLists.txt, label "experiments"):
#   smoke_test.sh SCRIPT OUT_ROOT   runs scripts/experiments/SCRIPT.sh --smoke into OUT_ROOT/SCRIPT, then
#                                   checks what it wrote (check_results.py; tickets: its comparison files).
# The scripts run on the fixtures only (tests/fixtures); EARLYBERT_BUILD_DIR names the build to use.
set -euo pipefail
script="$1"
root="$2"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$here/../.."
out="$root/$script"
check=(python3 "$here/check_results.py" "$out" --experiment "$script")
case "$script" in
  pretrain)
    EXPERIMENTS_DIR="$out" bash "$repo/scripts/experiments/pretrain.sh" --smoke
    "${check[@]}" --tasks mlm --variants dense,earlybert,earlybert_wall --seeds 1
    # the page's time per phase (a row per run; the tickets' draw step) and held-out accuracy curve
    # (the last step evaluated in all three runs)
    python3 "$repo/scripts/experiments/results.py" "$out" --output "$out/RESULTS.md" > /dev/null
    grep -q '^| dense | 1 | 20 | – | – | ' "$out/RESULTS.md"
    for variant in earlybert earlybert_wall; do
      grep -q "^| $variant | 1 | [0-9]* | [1-9][0-9]* | [0-9.]* ([0-9.]*) | " "$out/RESULTS.md"
    done
    grep -qE '^\| 20 \| [0-9.]+ \([0-9]+ s\) \| [0-9.]+ \([0-9]+ s\) \| [0-9.]+ \([0-9]+ s\) \|$' "$out/RESULTS.md"
    # the report of the three runs (its content is tested in tests/report)
    test "$(grep -c "pretrain/earlybert_wall" "$out/report.html")" -ge 1
    grep -q '<svg' "$out/report.html" ;;
  finetune)
    EXPERIMENTS_DIR="$out" FINETUNE_TASKS="sst2 stsb squad" bash "$repo/scripts/experiments/finetune.sh" --smoke
    "${check[@]}" --tasks sst2,stsb,squad --variants dense,earlybert,random --seeds 1,2
    python3 -c "import json, sys; s = json.load(open(sys.argv[1])); assert s['train']['articles'] >= 1 and s['eval']['articles'] >= 1 and not set(s['train']['titles']) & set(s['eval']['titles']), s" "$out/squad/split.json"
    # Resuming: a run that lost its results resumes from its final checkpoint, one killed before any
    # checkpoint starts again, the finished ones are skipped, and the table keeps one row per run.
    rm "$out/sst2/dense-seed1/all_results.json"
    rm -rf "$out/stsb/random-seed2" && mkdir -p "$out/stsb/random-seed2"
    cp "$out/results.tsv" "$out/results.before"
    EXPERIMENTS_DIR="$out" EXPERIMENTS_KEEP=1 FINETUNE_TASKS="sst2 stsb squad" \
      bash "$repo/scripts/experiments/finetune.sh" --smoke > "$out/rerun.log"
    test "$(grep -c 'finished before, skipped' "$out/rerun.log")" = 16
    grep -q 'sst2/dense-seed1 (resuming)' "$out/rerun.log"
    grep -q 'stsb/random-seed2$' "$out/rerun.log"
    test -f "$out/sst2/dense-seed1/all_results.json"
    test -f "$out/stsb/random-seed2/all_results.json"
    test "$(wc -l < "$out/results.tsv")" = "$(wc -l < "$out/results.before")"
    "${check[@]}" --tasks sst2,stsb,squad --variants dense,earlybert,random --seeds 1,2
    # A stop file: no new run starts (exit status 3), the table is left as it was.
    rm -rf "$out/squad/random-seed2"
    touch "$out/stop"
    status=0
    EXPERIMENTS_DIR="$out" EXPERIMENTS_KEEP=1 EXPERIMENTS_STOP_FILE="$out/stop" FINETUNE_TASKS="sst2 stsb squad" \
      bash "$repo/scripts/experiments/finetune.sh" --smoke > "$out/stop.log" || status=$?
    # one check per line: set -e ignores a failure anywhere but in the last command of an && list
    test "$status" = 3
    test ! -e "$out/squad/random-seed2"
    grep -q 'stop requested before' "$out/stop.log" ;;
  transfer)  # the models of the pretrain smoke test (a CTest fixture), made here when absent
    EXPERIMENTS_DIR="$out" TRANSFER_PRETRAIN_DIR="$root/pretrain" bash "$repo/scripts/experiments/transfer.sh" --smoke
    "${check[@]}" --tasks sst2 --variants dense,transfer --seeds 1,2
    # TRANSFER_DENSE_FROM: a dense run of the same command is linked, not trained again; another
    # command (here another budget) is trained
    EXPERIMENTS_DIR="$out-reuse" TRANSFER_PRETRAIN_DIR="$root/pretrain" TRANSFER_DENSE_FROM="$out" TRANSFER_SEEDS=1 \
      bash "$repo/scripts/experiments/transfer.sh" --smoke > "$out-reuse.log"
    grep -q "sst2/dense-seed1: the same run as .*, linked" "$out-reuse.log"
    test "$(readlink -f "$out-reuse/sst2/dense-seed1")" = "$(readlink -f "$out/sst2/dense-seed1")"
    python3 "$here/check_results.py" "$out-reuse" --experiment transfer --tasks sst2 --variants dense,transfer --seeds 1
    EXPERIMENTS_DIR="$out-other" TRANSFER_PRETRAIN_DIR="$root/pretrain" TRANSFER_DENSE_FROM="$out" TRANSFER_SEEDS=1 \
      FINETUNE_DENSE_STEPS=6 bash "$repo/scripts/experiments/transfer.sh" --smoke > "$out-other.log"
    grep -q "sst2/dense-seed1: .* is not the same run (another command), trained here" "$out-other.log"
    test ! -L "$out-other/sst2/dense-seed1"
    test -f "$out-other/sst2/dense-seed1/all_results.json" ;;
  early_curve)
    EXPERIMENTS_DIR="$out" bash "$repo/scripts/experiments/early_curve.sh" --smoke
    "${check[@]}" --tasks sst2 --variants dense,earlybert,k --seeds 1 --settings k=2,k=4,k=6
    # the distance curve: a row per check of the longest search (check every update, k = 6)
    test "$(tail -n +2 "$out/curve-sst2-seed1.tsv" | wc -l)" = 6
    awk -F'\t' 'NR > 1 && ($2 !~ /^-?[0-9.e-]+$/ || $3 !~ /^-?[0-9.e-]+$/) { print "bad curve row: " $0; exit 1 }' "$out/curve-sst2-seed1.tsv"
    grep -q '^6	6	0	0$' "$out/tickets-sst2-seed1.tsv"  # the latest ticket is at distance 0 from itself
    ;;
  tickets)  # every strategy and control at one budget (20 updates), a row each, and the two comparisons
    EXPERIMENTS_DIR="$out" TICKETS_SEEDS="1 2" bash "$repo/scripts/experiments/tickets.sh" --smoke
    "${check[@]}" --tasks sst2 --seeds 1,2 --row-settings lr=1e-3 --updates 20 \
      --variants dense,earlybert,imp,rigl,greedy,random,reinit-earlybert,reinit-imp,reinit-rigl,reinit-greedy
    for run in dense earlybert imp rigl greedy random reinit-earlybert reinit-imp reinit-rigl reinit-greedy; do
      grep -q "$run-lr1e-3-seed2" "$out/comparison.txt" || { echo "tickets: $run not in comparison.txt" >&2; exit 1; }
    done
    for strategy in early_bird imp rigl greedy; do
      grep -q "^ticket strategy $strategy (accuracy)" "$out/tickets.txt"
    done
    # one budget for all: every control is found at the tickets' budget (none missing for want of runs)
    if grep -E 'no (dense|random-structure|random re-init) runs' "$out/tickets.txt"; then
      echo "tickets: a control is missing at the tickets' budget (above)" >&2
      exit 1
    fi
    test "$(grep -c 'verdict:' "$out/tickets.txt")" = 4 ;;
  results_empty)  # no results: the page says which scripts to run
    mkdir -p "$out" && cd "$out" && rm -rf runs docs
    python3 "$repo/scripts/experiments/results.py" --output docs/RESULTS.md
    grep -q 'No experiment has been run yet' docs/RESULTS.md
    grep -q 'bash scripts/experiments/finetune.sh' docs/RESULTS.md
    grep -q '<!-- discussion -->' docs/RESULTS.md
    # A section whose run directory is not on this machine is kept, marked once, with the discussion;
    # --drop DIR drops that one (a name that is not a kept section is an error), --drop-missing all.
    gone_page() {
      printf '# Results\n\n## %s\n\n| t |\n|---|\n| x |\n\n- Source: `runs/experiments/gone/results.tsv` (1 runs).\n\n## Discussion\n\n<!-- discussion -->\nours\n<!-- /discussion -->\n' \
        "Fine-tuning: dense vs EarlyBERT vs random ticket (finetune.sh)" > docs/RESULTS.md
    }
    gone_page
    drop_err=$(python3 "$repo/scripts/experiments/results.py" --drop runs/experiments/other --output docs/RESULTS.md 2>&1 || true)
    grep -q 'runs/experiments/other: --drop: not a kept section' <<< "$drop_err"
    test "$(grep -cx '| x |' docs/RESULTS.md)" = 1
    python3 "$repo/scripts/experiments/results.py" --drop runs/experiments/gone/ --output docs/RESULTS.md > /dev/null
    test "$(grep -cx '| x |' docs/RESULTS.md)" = 0
    test "$(grep -cx 'ours' docs/RESULTS.md)" = 1
    gone_page
    for _ in 1 2; do python3 "$repo/scripts/experiments/results.py" --output docs/RESULTS.md > /dev/null; done
    # (counts, not `! grep`: set -e ignores a negated command)
    test "$(grep -cx '| x |' docs/RESULTS.md)" = 1
    test "$(grep -cx 'ours' docs/RESULTS.md)" = 1
    test "$(grep -c 'Kept from an earlier version of this page: `runs/experiments/gone`' docs/RESULTS.md)" = 1
    test "$(grep -c 'No experiment has been run yet' docs/RESULTS.md)" = 0
    python3 "$repo/scripts/experiments/results.py" --drop-missing --output docs/RESULTS.md > /dev/null
    test "$(grep -cx '| x |' docs/RESULTS.md)" = 0
    grep -q 'No experiment has been run yet' docs/RESULTS.md ;;
  *) echo "smoke_test.sh: unknown script '$script'" >&2; exit 2 ;;
esac
echo "smoke_test.sh: $script ok"
