#!/usr/bin/env python3
"""Checks an experiment script's smoke output (tests/experiments/smoke_test.sh; python3 stdlib only).

    check_results.py OUT --experiment NAME --tasks a,b --variants dense,earlybert --seeds 1,2 [--settings k=2,k=4]
                     [--row-settings lr=1e-3,lr=2e-3] [--updates N]

Fails (exit 1, one line per problem) unless OUT/results.tsv has exactly one row per task x variant x
seed (x setting, when given) with run_row.py's columns; every number parses and is finite; each row's
metric value equals the eval_<metric> of its run's own all_results.json; dense runs keep every head and
neuron and drew nothing; ticket runs kept fewer and name a draw reason; forced draws (variant k) drew at
k. --row-settings: every variant runs once per setting (tickets.sh: its learning rates); --updates: every
run trained its model exactly N updates after its ticket existed (updates - draw step; a budget shared
by all variants, tickets.sh). Then results.py must turn OUT into a page with one table row per (task,
variant, setting) naming n and the seeds, and keep a hand-written discussion across regeneration.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts", "experiments")
sys.path.insert(0, SCRIPTS)
import run_row  # noqa: E402  (the columns the table must have)

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
    return cond


def number(text, where):
    try:
        v = float(text)
    except ValueError:
        check(False, f"{where}: not a number: {text!r}")
        return None
    check(math.isfinite(v), f"{where}: not finite: {text}")
    return v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--experiment", required=True)
    ap.add_argument("--tasks", required=True)
    ap.add_argument("--variants", required=True)
    ap.add_argument("--seeds", required=True)
    ap.add_argument("--settings", default="")
    ap.add_argument("--row-settings", default="")
    ap.add_argument("--updates", type=int, default=0)
    a = ap.parse_args()
    table = os.path.join(a.out, "results.tsv")
    if not check(os.path.exists(table), f"{table}: missing"):
        return
    with open(table) as f:
        lines = f.read().splitlines()
    check(lines[0].split("\t") == run_row.COLUMNS, f"{table}: header {lines[0]!r}")
    rows = [dict(zip(run_row.COLUMNS, line.split("\t"))) for line in lines[1:]]
    tasks, variants, seeds = a.tasks.split(","), a.variants.split(","), a.seeds.split(",")
    settings = a.settings.split(",") if a.settings else None
    expected = {(t, v, s, k) for t in tasks for v in variants for s in seeds for k in (settings or [None])
                if (v == "k") == (k is not None)}
    if settings:  # the reference variants of early_curve run once per task and seed, without a k
        expected |= {(t, v, s, None) for t in tasks for v in variants if v != "k" for s in seeds}
    if a.row_settings:
        expected = {(t, v, s, k) for t in tasks for v in variants for s in seeds for k in a.row_settings.split(",")}
    got = [(r["task"], r["variant"], r["seed"], r["setting"] if r["variant"] == "k" or a.row_settings else None)
           for r in rows]
    check(len(got) == len(set(got)), f"{table}: duplicate rows: {sorted(got)}")
    check(set(got) == expected, f"{table}: rows {sorted(set(got), key=str)} != expected {sorted(expected, key=str)}")
    for i, r in enumerate(rows, start=2):
        where = f"{table}:{i}"
        check(len(r) == len(run_row.COLUMNS), f"{where}: {len(r)} columns")
        check(r["experiment"] == a.experiment, f"{where}: experiment {r['experiment']}")
        for c in ("value", "train_s", "search_s", "efficient_s", "dense_s", "eval_s", "wall_s", "updates",
                  "draw_step", "heads_kept", "heads_total", "neurons_kept", "neurons_total", "params_final"):
            number(r[c], f"{where} {c}")
        check(float(r["train_s"]) > 0 and int(r["updates"]) > 0, f"{where}: no training recorded")
        if a.updates:
            trained = int(r["updates"]) - max(0, int(r["draw_step"]))
            check(trained == a.updates, f"{where}: {r['updates']} updates drawn at {r['draw_step']}: {trained} "
                                        f"after the draw, not the budget's {a.updates}")
        res_path = os.path.join(r["run_dir"], "all_results.json")
        if check(os.path.exists(res_path), f"{where}: {res_path} missing"):
            with open(res_path) as f:
                res = json.load(f)
            check(f"eval_{r['metric']}" in res and float(r["value"]) == res[f"eval_{r['metric']}"],
                  f"{where}: value {r['value']} is not {res_path}'s eval_{r['metric']}")
            check(float(r["train_s"]) == res["train_runtime"], f"{where}: train_s is not train_runtime")
        check(os.path.exists(r["run_dir"] + ".log"), f"{where}: no log {r['run_dir']}.log")
        hk, ht, nk, nt = (int(r[c]) for c in ("heads_kept", "heads_total", "neurons_kept", "neurons_total"))
        if r["variant"] == "dense":
            check(r["draw_step"] == "-1" and (hk, nk) == (ht, nt), f"{where}: a dense run that pruned")
        else:
            check(hk < ht and nk < nt, f"{where}: a ticket run that kept everything ({hk}/{ht}, {nk}/{nt})")
            check(r["draw_reason"] in ("early_bird", "max_search_steps", "random", "pruned_model", "imp", "rigl",
                                       "greedy", "reinit"),
                  f"{where}: draw reason {r['draw_reason']}")
        if r["variant"] == "k":
            check(r["draw_step"] == r["setting"][2:] and r["draw_reason"] == "max_search_steps",
                  f"{where}: {r['setting']} drew at {r['draw_step']} ({r['draw_reason']})")

    # results.py: the table, and a hand-written discussion kept across regeneration.
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "RESULTS.md")
        cmd = [sys.executable, os.path.join(SCRIPTS, "results.py"), "--output", page, a.out]
        if not check(subprocess.run(cmd).returncode == 0, "results.py failed"):
            return
        with open(page) as f:
            text = f.read()
        marker = "Measured by hand: keep me."
        with open(page, "w") as f:
            f.write(text.replace("<!-- discussion -->\n", "<!-- discussion -->\n" + marker + "\n"))
        subprocess.run(cmd, check=True)
        with open(page) as f:
            again = f.read()
        check(marker in again, "results.py dropped the discussion on regeneration")
        for t, v, s, k in sorted(expected, key=str):
            n = len([g for g in got if g[0] == t and g[1] == v and g[3] == k])
            seeds_named = ", ".join(sorted({g[2] for g in got if g[0] == t and g[1] == v and g[3] == k}, key=int))
            prefix = f"| {t} | {v} | "
            check(any(line.startswith(prefix) and f"| {n} ({seeds_named}) |" in line and (k is None or f"| {k} |" in line)
                      for line in again.splitlines()),
                  f"RESULTS.md: no table row for {t} {v} {k or ''} with n = {n} ({seeds_named})")
        check(" ± " in again and "## Discussion" in again, "RESULTS.md: no mean ± std or no discussion section")


if __name__ == "__main__":
    main()
    for p in problems:
        print("check_results:", p)
    sys.exit(1 if problems else 0)
