#!/usr/bin/env python3
"""Split a SQuAD v1.1 file by article into a training and an evaluation file (python3 stdlib only).

    python3 scripts/experiments/squad_split.py --input ../shared/data/squad/dev-v1.1.json \
        --output runs/experiments/finetune/squad [--eval-fraction 0.2] [--seed 1]

Only SQuAD v1.1's dev set (48 articles, 10,570 questions) is available here (../shared/data/SOURCES.md),
so the experiments train on part of it and evaluate on the rest. The split is by article (title), never
by paragraph or question: questions about one article share its vocabulary and often its answers, so a
question-level split would leak. The articles are shuffled with random.Random(seed) and the first
round(eval_fraction * articles) (at least 1, and at least 1 left for training) become the evaluation
file. Writes OUTPUT/train-v1.1.json and OUTPUT/dev-v1.1.json (the names `--task squad --data_dir OUTPUT`
reads) in the input's format and version, and OUTPUT/split.json: the input's sha256, the seed, the
fraction and the titles and question counts of each side. The same input, fraction and seed give the
same files.
"""
import argparse
import hashlib
import json
import os
import random
import sys


def questions(articles):
    return sum(len(p["qas"]) for a in articles for p in a["paragraphs"])


def split(articles, eval_fraction, seed):
    """(train, eval) article lists; order within each side follows the input."""
    if len(articles) < 2:
        raise ValueError(f"needs at least 2 articles to split, the input has {len(articles)}")
    if not 0 < eval_fraction < 1:
        raise ValueError(f"--eval-fraction must be in (0, 1), not {eval_fraction}")
    order = list(range(len(articles)))
    random.Random(seed).shuffle(order)
    n_eval = min(max(1, round(eval_fraction * len(articles))), len(articles) - 1)
    eval_ids = set(order[:n_eval])
    train = [a for i, a in enumerate(articles) if i not in eval_ids]
    evals = [a for i, a in enumerate(articles) if i in eval_ids]
    return train, evals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--eval-fraction", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with open(args.input, "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw)
        articles = doc["data"]
        for a in articles:
            a["title"], a["paragraphs"]
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        sys.exit(f"squad_split.py: {args.input}: not a SQuAD file ({e.__class__.__name__}: {e})")
    try:
        train, evals = split(articles, args.eval_fraction, args.seed)
    except ValueError as e:
        sys.exit(f"squad_split.py: {args.input}: {e}")
    os.makedirs(args.output, exist_ok=True)
    version = doc.get("version", "1.1")
    for name, part in (("train-v1.1.json", train), ("dev-v1.1.json", evals)):
        with open(os.path.join(args.output, name), "w") as f:
            json.dump({"version": version, "data": part}, f)
    manifest = {
        "input": args.input, "input_sha256": hashlib.sha256(raw).hexdigest(), "seed": args.seed,
        "eval_fraction": args.eval_fraction,
        "train": {"articles": len(train), "questions": questions(train), "titles": [a["title"] for a in train]},
        "eval": {"articles": len(evals), "questions": questions(evals), "titles": [a["title"] for a in evals]},
    }
    with open(os.path.join(args.output, "split.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"squad_split: {len(train)} articles ({manifest['train']['questions']} questions) for training, "
          f"{len(evals)} ({manifest['eval']['questions']} questions) for evaluation -> {args.output}")


if __name__ == "__main__":
    main()
