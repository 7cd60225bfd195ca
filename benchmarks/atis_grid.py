"""Every recurrent kind on ATIS under one fixed training-time budget, 3 seeds each.

    python -m benchmarks.atis_grid --parallel 2            # ~50 min on 2 cores
    python -m benchmarks.atis_grid --budget 30 --seeds 0   # a quick look

Each run is one `python -m apps.slot_filling train` process with the app's
defaults except `--cell`, `--[no-]bidirectional`, `--seed` and `--time-budget`:
training stops before an epoch that would end past the budget, and the model kept
is the best epoch within it by the app's monitor (the slots' validation loss).
After the grid (6 kinds × uni/bidirectional × seeds), the kind with the best mean
slot F1 runs again with the other slot head (softmax instead of the default CRF),
so the table shows what the CRF adds under the same budget.

Runs are resumable: a run whose `metrics.json` exists is read, not rerun, and an
interrupted run resumes from its last epoch (the app's resume folder), so an
interrupted grid continues where it stopped when the same command is run again.
With `--parallel N` each process gets 1 inter-op / 1 intra-op thread (all runs of
one grid share that setting, so they stay comparable).

Writes `grid.json` (every run's metrics) and `grid.md` (the table) to `--workdir`.
"""

import argparse
import concurrent.futures
import json
import pathlib
import statistics
import subprocess
import sys

from kerasrnn.layers import RECURRENT_KINDS

KINDS = tuple(RECURRENT_KINDS)  # every recurrent kind (not the feed-forward baseline)
DIRECTIONS = {"uni": "--no-bidirectional", "bi": "--bidirectional"}
ROOT = pathlib.Path(__file__).resolve().parent.parent


def run_name(kind, direction, slot_head, seed):
    return f"{kind}-{direction}-{slot_head}-s{seed}"


def train(workdir, name, flags, app="slot_filling"):
    """Trains one run of `python -m apps.<app>` (or reads its finished metrics); returns them."""
    out = workdir / name
    metrics = out / "metrics.json"
    if not metrics.exists():
        log = workdir / f"{name}.log"
        command = [sys.executable, "-m", f"apps.{app}", "train", *flags,
                   "--output-dir", str(out)]
        with open(log, "w") as stream:
            finished = subprocess.run(command, cwd=ROOT, stdout=stream,
                                      stderr=subprocess.STDOUT)
        if finished.returncode:
            tail = log.read_text().splitlines()[-5:]
            raise RuntimeError(f"{name} failed (exit {finished.returncode}), see {log}:\n"
                               + "\n".join(tail))
    return json.loads(metrics.read_text())


def run_all(workdir, jobs, parallel):
    """jobs: {name: flags} -> {name: metrics}, `parallel` processes at a time."""
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        futures = {name: pool.submit(train, workdir, name, flags)
                   for name, flags in jobs.items()}
        results = {}
        for name, future in futures.items():
            results[name] = future.result()
            print(f"{name}: slot F1 {results[name]['slot_f1']:.4f}, "
                  f"intent {results[name]['intent_accuracy']:.4f}", flush=True)
        return results


def summarize(values):
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return mean, std


def table(rows, seeds, budget):
    """Markdown table: one row per (kind, direction, slot head) over the seeds."""
    lines = ["| cell | direction | slot head | slot F1 | intent acc | sentence acc "
             "| epochs (best / run) | train s |",
             "|---|---|---|---:|---:|---:|---:|---:|"]
    for (kind, direction, head), runs in rows:
        def cell(key, runs=runs):
            mean, std = summarize([r[key] for r in runs])
            return f"{mean:.4f} ± {std:.4f}"

        best = statistics.fmean(r["best_epoch"] for r in runs)
        done = statistics.fmean(r["epochs_done"] for r in runs)
        seconds = statistics.fmean(r["train_seconds"] for r in runs)
        lines.append(f"| {kind} | {direction} | {head} | {cell('slot_f1')} "
                     f"| {cell('intent_accuracy')} | {cell('sentence_accuracy')} "
                     f"| {best:.1f} / {done:.1f} | {seconds:.0f} |")
    lines.append("")
    lines.append(f"Mean ± sample standard deviation over seeds {', '.join(map(str, seeds))}; "
                 f"training budget {budget:g} s a run.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", default="atis", help="registry name (default: atis)")
    source.add_argument("--data-dir", help="a folder in the ATIS layout instead")
    parser.add_argument("--budget", type=float, default=120, help="training seconds a run")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--directions", nargs="+", default=list(DIRECTIONS),
                        choices=list(DIRECTIONS))
    parser.add_argument("--parallel", type=int, default=1, help="runs at a time")
    parser.add_argument("--workdir", default="saved_models/atis-grid", type=pathlib.Path)
    parser.add_argument("app_flags", nargs=argparse.REMAINDER,
                        help="after --: more flags for every run (e.g. -- --epochs 60)")
    args = parser.parse_args(argv)
    extra = [f for f in args.app_flags if f != "--"]
    data = ["--data-dir", args.data_dir] if args.data_dir else ["--data", args.data]
    threads = ["--inter-op-threads", "1", "--intra-op-threads", "1"] if args.parallel > 1 else []
    args.workdir.mkdir(parents=True, exist_ok=True)

    def flags(kind, direction, head, seed):
        # the grid's own flags come last, so they win over anything in `extra`
        return [*data, *extra, *threads, "--cell", kind, DIRECTIONS[direction],
                "--slot-head", head, "--seed", str(seed), "--time-budget", str(args.budget)]

    def jobs(configs):
        return {run_name(*c, seed): flags(*c, seed) for c in configs for seed in args.seeds}

    grid = [(kind, direction, "crf") for kind in args.kinds for direction in args.directions]
    results = run_all(args.workdir, jobs(grid), args.parallel)

    def runs(config):
        return [results[run_name(*config, seed)] for seed in args.seeds]

    best = max(grid, key=lambda c: statistics.fmean(r["slot_f1"] for r in runs(c)))
    softmax = (best[0], best[1], "softmax")
    results.update(run_all(args.workdir, jobs([softmax]), args.parallel))
    rows = [(config, runs(config)) for config in [*grid, softmax]]
    (args.workdir / "grid.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    markdown = table(rows, args.seeds, args.budget)
    (args.workdir / "grid.md").write_text(markdown + "\n")
    print(markdown)
    print(f"best by mean slot F1: {best[0]} {best[1]}")


if __name__ == "__main__":
    main()
