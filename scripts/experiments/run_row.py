#!/usr/bin/env python3
"""One row of an experiment's results.tsv, read from a finished run's own files (python3 stdlib only).

    python3 scripts/experiments/run_row.py OUT/results.tsv EXPERIMENT TASK VARIANT SEED RUN_DIR [SETTING]

Every value comes from the run directory (docs/OUTPUT_DIR.md, include/earlybert/train/run_files.h):
all_results.json (metrics, phase times, draw step and reason, parameter counts), trainer_state.json (the
updates done), config.json of the final model (heads and FFN neurons kept: earlybert_heads_per_layer /
earlybert_intermediate_sizes of a pruned model, else all of them), config.yaml (the task), and
RUN_DIR.run.json written by lib.sh's run_once (the commit it ran at and the process wall time). The
date is the modification time of all_results.json (UTC). A missing file or key is an error naming it.

The row of the same RUN_DIR is replaced, so re-running a script does not duplicate rows. SETTING is a
free label of the variant's setting (early_curve.sh: "k=50").
"""
import datetime
import json
import os
import sys

COLUMNS = [
    "experiment", "task", "variant", "seed", "setting", "metric", "value", "train_s", "search_s", "efficient_s",
    "dense_s", "eval_s", "wall_s", "updates", "draw_step", "draw_reason", "heads_kept", "heads_total",
    "neurons_kept", "neurons_total", "params_final", "metrics", "run_dir", "commit", "date",
]

# The main metric of each task: the first of the task's metric names (src/data/glue.cpp, the wordnet
# and SQuAD tasks), mlm_accuracy for pre-training.
MAIN_METRIC = {
    "cola": "matthews_correlation", "sst2": "accuracy", "sst-2": "accuracy", "mrpc": "accuracy",
    "stsb": "pearson", "sts-b": "pearson", "rte": "accuracy", "wnli": "accuracy", "qnli": "accuracy",
    "mnli": "accuracy", "qqp": "accuracy", "wordnet": "accuracy", "squad": "f1", "squad_v2": "f1",
    "mlm": "mlm_accuracy", "pretraining": "mlm_accuracy",
}


def fail(where, what):
    sys.exit(f"run_row.py: {where}: {what}")


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        fail(path, "missing (is this a finished run's output_dir?)")
    except json.JSONDecodeError as e:
        fail(path, f"not JSON: {e}")


def key(obj, name, path):
    if name not in obj:
        fail(path, f"no key '{name}'")
    return obj[name]


def yaml_scalar(path, name):
    """The value of a top-level `name: value` line of config.yaml (the trainer writes flat YAML)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return line.split(":", 1)[1].split("#", 1)[0].strip().strip('"')
    except FileNotFoundError:
        fail(path, "missing")
    fail(path, f"no key '{name}'")


def num(v):
    return "" if v is None else repr(float(v)) if isinstance(v, float) else str(v)


def row(experiment, task, variant, seed, run_dir, setting=""):
    all_path = os.path.join(run_dir, "all_results.json")
    res = read_json(all_path)
    state_path = os.path.join(run_dir, "trainer_state.json")
    state = read_json(state_path)
    cfg_path = os.path.join(run_dir, "config.json")
    cfg = read_json(cfg_path)
    run_task = yaml_scalar(os.path.join(run_dir, "config.yaml"), "task")
    if run_task != task and MAIN_METRIC.get(run_task) != MAIN_METRIC.get(task):
        fail(run_dir, f"config.yaml says task '{run_task}', the row says '{task}'")
    metric = MAIN_METRIC.get(run_task)
    if metric is None:
        fail(os.path.join(run_dir, "config.yaml"), f"task '{run_task}' has no main metric in run_row.py")
    value = key(res, "eval_" + metric, all_path)
    layers = key(cfg, "num_hidden_layers", cfg_path)
    heads_total = layers * key(cfg, "num_attention_heads", cfg_path)
    neurons_total = layers * key(cfg, "intermediate_size", cfg_path)
    heads_kept = sum(cfg.get("earlybert_heads_per_layer", [])) or heads_total
    neurons_kept = sum(cfg.get("earlybert_intermediate_sizes", [])) or neurons_total
    meta_path = run_dir.rstrip("/") + ".run.json"
    meta = read_json(meta_path)
    metrics = ";".join(f"{k[5:]}={res[k]:.6g}" for k in sorted(res)
                       if k.startswith("eval_") and not k.endswith("runtime") and k != "eval_samples"
                       and isinstance(res[k], (int, float)))
    date = datetime.datetime.fromtimestamp(os.path.getmtime(all_path), datetime.timezone.utc)
    return {
        "experiment": experiment, "task": task, "variant": variant, "seed": seed, "setting": setting,
        "metric": metric, "value": num(value),
        "train_s": num(key(res, "train_runtime", all_path)), "search_s": num(key(res, "search_runtime", all_path)),
        "efficient_s": num(key(res, "efficient_runtime", all_path)),
        "dense_s": num(key(res, "dense_runtime", all_path)), "eval_s": num(key(res, "eval_total_runtime", all_path)),
        "wall_s": num(round(key(meta, "wall_s", meta_path), 3)),
        "updates": num(key(state, "global_step", state_path)), "draw_step": num(key(res, "draw_step", all_path)),
        "draw_reason": key(res, "draw_reason", all_path) or "-",
        "heads_kept": num(heads_kept), "heads_total": num(heads_total),
        "neurons_kept": num(neurons_kept), "neurons_total": num(neurons_total),
        "params_final": num(key(res, "params_final", all_path)), "metrics": metrics,
        "run_dir": run_dir, "commit": key(meta, "commit", meta_path), "date": date.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def main(argv):
    if len(argv) not in (7, 8):
        sys.exit(__doc__.strip().split("\n\n")[1])
    table, experiment, task, variant, seed, run_dir = argv[1:7]
    setting = argv[7] if len(argv) == 8 else ""
    new = row(experiment, task, variant, seed, run_dir, setting)
    for name, v in new.items():
        if "\t" in v or "\n" in v:
            fail(run_dir, f"{name} holds a tab or newline: {v!r}")
    rows = []
    if os.path.exists(table):
        with open(table) as f:
            header = f.readline().rstrip("\n").split("\t")
            if header != COLUMNS:
                fail(table, "its header is not this version's columns; move it away")
            rows = [line.rstrip("\n") for line in f if line.strip()]
    rows = [r for r in rows if r.split("\t")[COLUMNS.index("run_dir")] != run_dir]
    rows.append("\t".join(new[c] for c in COLUMNS))
    tmp = table + ".tmp"
    with open(tmp, "w") as f:
        f.write("\t".join(COLUMNS) + "\n")
        f.write("".join(r + "\n" for r in rows))
    os.replace(tmp, table)


if __name__ == "__main__":
    main(sys.argv)
