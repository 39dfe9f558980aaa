#!/usr/bin/env bash
# Builds the seed corpora fuzz/corpus/<target>/ from the test fixtures (tests/fixtures/...) and from the
# files the earlybert command writes when it runs on them (a checkpoint, a ticket, a pre-training shard).
# The result is committed; re-run this only when a format changes.
#
#   bash fuzz/make_seeds.sh [path/to/earlybert]     # default: build/earlybert
#
# Targets whose first input byte selects a mode (glue_tsv, glue_predictions, wordpiece, sentencepiece)
# get seeds with that byte prepended; training_flags seeds are argv lists separated by NUL bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
cli="${1:-build/earlybert}"
[ -x "$cli" ] || { echo "make_seeds: no earlybert binary at $cli (build it first)" >&2; exit 2; }
py=/usr/bin/python3
fx=tests/fixtures
out=fuzz/corpus
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

rm -rf "$out"
mkdir -p "$out"
seed_dir() { mkdir -p "$out/$1"; echo "$out/$1"; }

# --- files written by the earlybert command on the fixtures -----------------------------------------
e2e="$fx/train/e2e"
common=(--device cpu --threads 1 --max_seq_length 32 --learning_rate 1e-3 --logging_steps 1)
# An EarlyBERT run that draws its ticket (early-bird search bounded at 4 updates), saving checkpoints.
"$cli" finetune --task sst2 --data_dir "$e2e" --tokenizer_name "$e2e/vocab.txt" --config_name "$e2e/tiny-model.yaml" \
  --output_dir "$work/eb" "${common[@]}" --ticket_check_steps 2 --max_steps 6 --max_search_steps 4 --save_steps 3 \
  --do_predict >/dev/null 2>&1
# A dense run (no slimming coefficients, other config fields).
"$cli" finetune --task stsb --data_dir "$e2e" --tokenizer_name "$e2e/vocab.txt" --config_name "$e2e/tiny-model.yaml" \
  --output_dir "$work/dense" "${common[@]}" --ticket_mode none --max_steps 2 >/dev/null 2>&1
# A SQuAD run (question answering head).
"$cli" finetune --task squad --data_dir "$fx/train/squad" --tokenizer_name "$fx/train/squad/vocab.txt" \
  --config_name "$e2e/tiny-model.yaml" --output_dir "$work/squad" "${common[@]}" --doc_stride 8 \
  --max_query_length 8 --max_steps 2 --ticket_mode none --do_predict >/dev/null 2>&1
"$cli" prepare-pretraining --quiet --input "$e2e/corpus.txt" --vocab "$e2e/vocab.txt" --output "$work/shards" \
  --max-seq-length 16 >/dev/null
"$cli" prepare-pretraining --quiet --input "$e2e/corpus.txt" --vocab "$e2e/vocab.txt" --output "$work/shards-nonsp" \
  --max-seq-length 12 --no-nsp --whole-word-mask >/dev/null

d="$(seed_dir bert_config)"
n=0
for f in $(find "$work" -name config.json | sort); do cp "$f" "$d/config-$n.json"; n=$((n + 1)); done
d="$(seed_dir safetensors)"
cp "$work/dense/model.safetensors" "$d/dense.safetensors"
cp "$(find "$work/eb" -name model.safetensors | sort | tail -1)" "$d/pruned.safetensors"
d="$(seed_dir trainer_state)"
n=0
for f in $(find "$work" -name trainer_state.json | sort); do cp "$f" "$d/trainer_state-$n.json"; n=$((n + 1)); done
d="$(seed_dir ticket)"
n=0
for f in $(find "$work" -name ticket.json | sort); do cp "$f" "$d/ticket-$n.json"; n=$((n + 1)); done
d="$(seed_dir pruning_plan)"
"$py" - "$work/eb/ticket.json" "$d/plan.json" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))["plan"]
json.dump(plan, open(sys.argv[2], "w"), indent=2)
EOF
d="$(seed_dir shard)"
n=0
for f in $(find "$work/shards" "$work/shards-nonsp" -name '*.ebsh' | sort); do cp "$f" "$d/shard-$n.ebsh"; n=$((n + 1)); done
d="$(seed_dir squad_predictions)"
cp "$work/squad/predictions.json" "$d/from-finetune.json"

# Small safetensors files of every dtype, written independently of our writer (format: 8-byte LE header
# length, JSON header, data).
"$py" - "$out/safetensors" <<'EOF'
import json, struct, sys
sizes = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
def write(path, tensors, metadata=None):
    header, data = {}, b""
    if metadata: header["__metadata__"] = metadata
    for name, dtype, shape in tensors:
        n = 1
        for s in shape: n *= s
        nbytes = n * sizes[dtype]
        payload = bytes((i * 7 + 1) % (2 if dtype == "BOOL" else 256) for i in range(nbytes))
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + nbytes]}
        data += payload
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    open(path, "wb").write(struct.pack("<Q", len(text)) + text + data)
write(sys.argv[1] + "/all-dtypes.safetensors", [(f"t.{d.lower()}", d, [2, 3]) for d in sizes], {"format": "pt"})
write(sys.argv[1] + "/scalar-and-empty.safetensors", [("s", "F32", []), ("e", "F32", [0, 4]), ("b", "BOOL", [3])])
write(sys.argv[1] + "/empty.safetensors", [])
EOF

# --- configuration -----------------------------------------------------------------------------------
d="$(seed_dir training_config)"
for f in "$fx"/train/*.yaml "$e2e/tiny-model.yaml" $(find configs -name '*.yaml' | sort); do
  cp "$f" "$d/$(echo "$f" | tr '/' '_')"
done
"$cli" finetune --dump-config >"$d/dump-config.yaml"
d="$(seed_dir training_flags)"
printf -- '--task\0sst2\0--learning_rate\0001e-3\0--max_steps=6\0--no_do_train\0--do_predict' >"$d/hf-flags"
printf -- 'seed=13\0warmup_ratio=0.1\0ticket_mode=fixed_step\0ticket_step=3\0self_pruning_ratio=0.5' >"$d/set-values"
printf -- '--per-device-train-batch-size\0008\0--lr_scheduler_type\0linear\0--bf16' >"$d/dashes"
printf -- 'output_dir=runs/x\0config_name=bert-mini\0--max_seq_length\000128\0--l1_loss_self_coef=1e-4' >"$d/mixed"

# --- data ----------------------------------------------------------------------------------------------
# glue_tsv / glue_predictions: first byte = task index (+ 10 × split index for glue_tsv), as in the targets.
tasks=(cola sst-2 mrpc sts-b qqp mnli mnli-mm qnli rte wnli)
dirs=(CoLA SST-2 MRPC STS-B QQP MNLI MNLI QNLI RTE WNLI)
d="$(seed_dir glue_tsv)"
for i in "${!tasks[@]}"; do
  for split in 0 1 2; do
    case "${tasks[$i]}:$split" in
      mnli:1) f=dev_matched ;; mnli:2) f=test_matched ;; mnli-mm:1) f=dev_mismatched ;; mnli-mm:2) f=test_mismatched ;;
      *:0) f=train ;; *:1) f=dev ;; *:2) f=test ;;
    esac
    src="$fx/data/glue/${dirs[$i]}/$f.tsv"
    [ -f "$src" ] || continue
    "$py" -c 'import sys; sys.stdout.buffer.write(bytes([int(sys.argv[1])]) + open(sys.argv[2], "rb").read())' \
      $((i + 10 * split)) "$src" >"$d/${tasks[$i]}-$f.tsv"
  done
done
d="$(seed_dir glue_predictions)"
"$py" - "$fx/data/glue" "$d" <<'EOF'
import os, sys
root, out = sys.argv[1], sys.argv[2]
# task index, folder, dev file, labels (as glue.h lists them; None = regression)
tasks = [("cola", "CoLA", "dev", ["0", "1"]), ("sst-2", "SST-2", "dev", ["0", "1"]),
         ("mrpc", "MRPC", "dev", ["0", "1"]), ("sts-b", "STS-B", "dev", None), ("qqp", "QQP", "dev", ["0", "1"]),
         ("mnli", "MNLI", "dev_matched", ["contradiction", "entailment", "neutral"]),
         ("mnli-mm", "MNLI", "dev_mismatched", ["contradiction", "entailment", "neutral"]),
         ("qnli", "QNLI", "dev", ["entailment", "not_entailment"]), ("rte", "RTE", "dev", ["entailment", "not_entailment"]),
         ("wnli", "WNLI", "dev", ["0", "1"])]
for i, (name, folder, dev, labels) in enumerate(tasks):
    lines = open(os.path.join(root, folder, dev + ".tsv"), encoding="utf-8-sig").read().splitlines()
    rows = len(lines) - (0 if name == "cola" else 1)
    body = "index\tprediction\n"
    for r in range(rows):
        body += f"{r}\t" + (f"{(r * 1.37) % 5:.3f}" if labels is None else labels[r % len(labels)]) + "\n"
    open(os.path.join(out, name + ".tsv"), "wb").write(bytes([i]) + body.encode())
EOF
d="$(seed_dir squad)"
cp "$fx"/data/squad/*.json "$d/"
cp "$fx/train/squad/dev-v1.1.json" "$fx/train/squad/dev-v2.0.json" "$d/"
"$py" - "$fx/data/squad" "$out/squad_predictions" <<'EOF'
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
for name in ("tiny-v1.1.json", "tiny-v2.0.json"):
    data = json.load(open(os.path.join(root, name)))
    right, wrong = {}, {}
    for article in data["data"]:
        for p in article["paragraphs"]:
            for qa in p["qas"]:
                answers = [a["text"] for a in qa.get("answers", [])]
                right[qa["id"]] = answers[0] if answers else ""
                wrong[qa["id"]] = "The " + p["context"][:12] + "!"
    json.dump(right, open(os.path.join(out, "right-" + name), "w"))
    json.dump(wrong, open(os.path.join(out, "wrong-" + name), "w"), ensure_ascii=False)
EOF

# text_table: first byte = format (0 CSV, 1 TSV, 2 JSON Lines), as in the target; conll: first byte =
# tag column + 3 (6: the last column).
d="$(seed_dir text_table)"
"$py" - "$d" "$fx/train/e2e/SST-2/train.tsv" "$fx/train/e2e/STS-B/train.tsv" <<'EOF'
import csv, io, json, sys
out, sst, stsb = sys.argv[1], sys.argv[2], sys.argv[3]
def rows(path, n=12):
    lines = open(path, encoding="utf-8").read().splitlines()
    return [l.split("\t") for l in lines[: n + 1]]
def put(name, fmt, text):
    open(f"{out}/{name}", "wb").write(bytes([fmt]) + text.encode())
for name, path in (("sst2", sst), ("stsb", stsb)):
    table = rows(path)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(table)
    put(name + ".csv", 0, buf.getvalue())
    put(name + ".tsv", 1, "\n".join("\t".join(r) for r in table) + "\n")
    put(name + ".jsonl", 2, "".join(json.dumps(dict(zip(table[0], r))) + "\n" for r in table[1:]))
put("quoted.csv", 0, '\ufefftext,score\r\n"a, ""quoted""\nline",0.5\r\n\r\nb,\r\nc,2\r\n')
put("typed.jsonl", 2, '{"t": "x", "l": 1, "f": 1.5, "b": true}\n{"t": "y", "n": null, "l": [1, {"k": 2}]}\n')
EOF
d="$(seed_dir conll)"
"$py" - "$d" <<'EOF'
import sys
out = sys.argv[1]
conll2003 = ("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\ncall NN I-NP O\n"
             ". . O O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n")
open(f"{out}/conll2003.txt", "wb").write(bytes([6]) + conll2003.encode())
open(f"{out}/two-columns.txt", "wb").write(bytes([4]) + "Zürich B-LOC\nist O\nschön O\n\r\n北京 B-LOC\n".encode())
EOF
# pytorch_bin: first byte even = a whole torch.save() file; odd = only its data.pkl, which the target puts
# into an archive with storages data/0..3 of 0, 3, 16 and 64 bytes (the state dicts below use those).
d="$(seed_dir pytorch_bin)"
"$py" - "$d" <<'EOF'
import collections, io, sys, zipfile
import torch
out = sys.argv[1]
sd = collections.OrderedDict()
sd["empty"] = torch.zeros(0)                               # storage 0: 0 bytes
sd["u8"] = torch.tensor([1, 2, 3], dtype=torch.uint8)      # storage 1: 3 bytes
sd["f32"] = torch.arange(4, dtype=torch.float32)           # storage 2: 16 bytes
base = torch.arange(8, dtype=torch.float64).reshape(2, 4)  # storage 3: 64 bytes
sd["f64"] = base
sd["f64.t"] = base.t()                                     # a view of storage 3
sd._metadata = collections.OrderedDict([("", {"version": 1})])
for name, protocol in (("state", 2), ("state-p4", 4)):
    buf = io.BytesIO()
    torch.save(sd, buf, pickle_protocol=protocol)
    raw = buf.getvalue()
    open(f"{out}/{name}.bin", "wb").write(b"\x00" + raw)
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
        open(f"{out}/{name}.pkl", "wb").write(b"\x01" + z.read(pkl))
EOF

# --- tokenizers -----------------------------------------------------------------------------------------
d="$(seed_dir vocab)"
cp "$fx/tokenize/tiny_vocab.txt" "$d/tiny_vocab.txt"
cp "$e2e/vocab.txt" "$d/e2e_vocab.txt"
cp "$fx/train/squad/vocab.txt" "$d/squad_vocab.txt"
for t in wordpiece sentencepiece; do
  d="$(seed_dir $t)"
  "$py" - "$d" "$fx/tokenize/spm_corpus.txt" "$fx/data/pretraining/lines.txt" <<'EOF'
import sys
out, corpus, lines = sys.argv[1], sys.argv[2], sys.argv[3]
texts = open(corpus, encoding="utf-8").read().splitlines()[:6] + open(lines, encoding="utf-8").read().splitlines()[:4]
samples = [t.encode() for t in texts if t.strip()]
samples += ["Hello, how are you? I want the lowest café naïve 的人 – ’".encode(),
            "unwanted running\tlow lowest!".encode(),              # a pair (tab) for encode()
            b"caf\xc3\xa9 \xff\xfe broken \xe2\x82 utf-8",         # invalid UTF-8
            "[MASK] [CLS] [SEP] [UNK] [PAD]".encode(), b"\x00\x01\x7f\r\n\t "]
for i, s in enumerate(samples):
    open(f"{out}/text-{i:02d}", "wb").write(bytes([(i * 37) % 256]) + s)
EOF
done

# Identical files (a checkpoint's copy of the final state, ...) are kept once.
for t in "$out"/*; do
  declare -A seen=()
  for f in "$t"/*; do
    sum="$(sha1sum <"$f" | cut -d' ' -f1)"
    if [ -n "${seen[$sum]:-}" ]; then rm "$f"; else seen[$sum]=1; fi
  done
  unset seen
done
for t in "$out"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
