#!/usr/bin/env bash
# The README's main command: EarlyBERT end to end on the embedded WordNet data, no download.
#
#   bash scripts/demo.sh     (after scripts/setup.sh has built ./build; about 9 minutes on 2 idle cores, docs/DEMO.md)
#
# 1. tokenizer: BERT's uncased WordPiece vocabulary from ../shared/data/vocab/ when it is there; else a
#    SentencePiece vocabulary trained on the WordNet glosses (`earlybert tokenizer train`);
# 2. pre-training data: the WordNet gloss corpus (Debian's wordnet-base) → 64-token MLM + NSP shards
#    (`earlybert prepare-pretraining --wordnet`);
# 3. pre-training: a BERT-mini (4 layers, hidden 256) from scratch, dense
#    (configs/pretrain/wordnet-bert-small.yaml + configs/demo/pretrain.yaml);
# 4. fine-tuning on the `wordnet` task (gloss → one of 45 lexicographer categories) three times from
#    that model, the official EarlyBERT comparison (docs/PROTOCOL.md): dense (--ticket_mode none),
#    EarlyBERT (--ticket_mode early_bird: search with slimming coefficients + L1, draw the early-bird
#    ticket, physically prune, then the efficient stage on its own budget and schedule) and the random
#    ticket (--ticket_mode random: the same efficient stage on a random structure of the same size)
#    (configs/finetune/wordnet.yaml + configs/demo/finetune.yaml);
# 5. `earlybert compare`: accuracy, draw step and reason, heads/neurons kept, wall time of each phase,
#    time saved against dense;
# 6. `earlybert report`: the same runs as one HTML page with pictures (runs/demo/report.html).
#
# Everything goes to runs/demo/ (EARLYBERT_DEMO_DIR), which is replaced on every run. EARLYBERT_BUILD_DIR
# picks the build (default build). Extra arguments are passed to both fine-tuning runs (e.g.
# --max_steps 300 for a quicker look).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="${EARLYBERT_BUILD_DIR:-build}"
eb="$build_dir/earlybert"
out="${EARLYBERT_DEMO_DIR:-runs/demo}"
vocab="../shared/data/vocab/bert-base-uncased-vocab.txt"

if [ ! -x "$eb" ]; then
  echo "demo: $eb not found; build first: bash scripts/setup.sh" >&2
  exit 1
fi
if [ ! -f /usr/share/wordnet/data.noun ] && [ -z "${EARLYBERT_WORDNET_DIR:-}" ]; then
  echo "demo: WordNet is not installed (apt-get install wordnet-base, or run scripts/setup.sh)" >&2
  exit 1
fi

step() { printf '\n=== [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
start=$(date +%s)
rm -rf "$out"
mkdir -p "$out"

if [ -f "$vocab" ]; then
  step "tokenizer: $vocab"
  tok_flags=(--vocab "$vocab")
  tokenizer="$vocab"
else
  step "tokenizer: $vocab not found; training a SentencePiece vocabulary on the WordNet glosses"
  "$eb" wordnet corpus --output "$out/glosses.txt"
  "$eb" tokenizer train --input "$out/glosses.txt" --vocab-size 8000 --model-type unigram --output "$out/spm"
  tok_flags=(--spm "$out/spm.model")
  tokenizer="$out/spm.model"
fi

step "pre-training data: WordNet glosses -> $out/data"
"$eb" prepare-pretraining --wordnet "${tok_flags[@]}" --output "$out/data" --max-seq-length 64 --quiet

step "pre-training BERT-mini on the glosses -> $out/pretrain"
"$eb" pretrain --config configs/pretrain/wordnet-bert-small.yaml --config configs/demo/pretrain.yaml \
  --set data_dir="$out/data" --set tokenizer_name="$tokenizer" --set output_dir="$out/pretrain"

step "fine-tuning on wordnet, dense -> $out/dense"
"$eb" finetune --task wordnet --model_name_or_path "$out/pretrain" \
  --config configs/finetune/wordnet.yaml --config configs/demo/finetune.yaml \
  --output_dir "$out/dense" --ticket_mode none "$@"

step "fine-tuning on wordnet, EarlyBERT -> $out/earlybert"
"$eb" finetune --task wordnet --model_name_or_path "$out/pretrain" \
  --config configs/finetune/wordnet.yaml --config configs/demo/finetune.yaml \
  --output_dir "$out/earlybert" --ticket_mode early_bird "$@"

step "fine-tuning on wordnet, random ticket -> $out/random"
"$eb" finetune --task wordnet --model_name_or_path "$out/pretrain" \
  --config configs/finetune/wordnet.yaml --config configs/demo/finetune.yaml \
  --output_dir "$out/random" --ticket_mode random "$@"

step "comparison (finished in $(( $(date +%s) - start ))s)"
"$eb" compare "$out/dense" "$out/earlybert" "$out/random" | tee "$out/comparison.txt"
"$eb" report "$out/dense" "$out/earlybert" "$out/random" --output "$out/report.html"
