#!/usr/bin/env python3
"""Mask distances from ticket.json files, as TSV (python3 stdlib only; early_curve.sh).

    python3 scripts/experiments/curve.py history RUN_DIR > curve.tsv
        the search's mask-distance history (ticket.json distance_history): step, dist_heads, dist_ffn
        (normalized Hamming distance of the head / FFN masks to those of the previous check; -1 at the
        first check), window_max_heads, window_max_ffn (-1 until the window is full), drawn
    python3 scripts/experiments/curve.py to-final FINAL_RUN K=RUN_DIR ... > tickets.tsv
        per ticket: k, its draw step, and the normalized Hamming distance of its head and FFN masks to
        those of FINAL_RUN's ticket (the fraction of units kept by one and not the other, over all units):
        0 = the same structure, ~2 x ratio x (1 - ratio) = unrelated random structures

The masks are rebuilt from the ticket's plan (kept head and neuron indices per layer, prune/ticket.h).
"""
import json
import os
import sys


def ticket(run_dir):
    path = os.path.join(run_dir, "ticket.json")
    try:
        with open(path) as f:
            t = json.load(f)
    except FileNotFoundError:
        sys.exit(f"curve.py: {path}: missing (a run that drew a ticket?)")
    for k in ("distance_history", "plan", "draw_step"):
        if k not in t:
            sys.exit(f"curve.py: {path}: no key '{k}'")
    return t


def masks(t):
    """(heads, neurons): sets of (layer, index) kept, and the totals of each kind."""
    heads, neurons, n_heads, n_neurons = set(), set(), 0, 0
    for i, layer in enumerate(t["plan"]["layers"]):
        heads |= {(i, h) for h in layer["kept_heads"]}
        neurons |= {(i, n) for n in layer["kept_neurons"]}
        n_heads += layer["num_heads"]
        n_neurons += layer["intermediate_size"]
    return heads, neurons, n_heads, n_neurons


def history(run_dir):
    print("step\tdist_heads\tdist_ffn\twindow_max_heads\twindow_max_ffn\tdrawn")
    for r in ticket(run_dir)["distance_history"]:
        print(f"{r['step']}\t{r['dist_heads']:.6g}\t{r['dist_ffn']:.6g}\t{r['window_max_heads']:.6g}\t"
              f"{r['window_max_ffn']:.6g}\t{str(r['drawn']).lower()}")


def to_final(final_dir, pairs):
    fh, fn, nh, nn = masks(ticket(final_dir))
    print("k\tdraw_step\thead_dist_to_final\tffn_dist_to_final")
    for pair in pairs:
        if "=" not in pair:
            sys.exit(f"curve.py: '{pair}': expected K=RUN_DIR")
        k, run_dir = pair.split("=", 1)
        t = ticket(run_dir)
        h, n, th, tn = masks(t)
        if (th, tn) != (nh, nn):
            sys.exit(f"curve.py: {run_dir}: a model of another size than {final_dir}")
        print(f"{k}\t{t['draw_step']}\t{len(h ^ fh) / nh:.6g}\t{len(n ^ fn) / nn:.6g}")


def main(argv):
    if len(argv) == 3 and argv[1] == "history":
        history(argv[2])
    elif len(argv) >= 4 and argv[1] == "to-final":
        to_final(argv[2], argv[3:])
    else:
        sys.exit(__doc__.strip().split("\n\n")[1])


if __name__ == "__main__":
    main(sys.argv)
