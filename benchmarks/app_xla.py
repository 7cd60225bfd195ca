"""An app's training time with and without XLA (`--jit-compile`), side by side.

    KERASRNN_DATA=../shared/data python -m benchmarks.app_xla --app textgen --data kafka
    KERASRNN_DATA=../shared/data python -m benchmarks.app_xla --app pos \\
        --data ud-english-lines --epochs 3

Runs `python -m apps.<app> train` twice at the same time, the app's defaults plus
`--epochs N --patience 0 --time-budget 0 --inter-op-threads 1 --intra-op-threads 1`,
once as it is and once with `--jit-compile`; on a machine with two or more CPUs
each process is pinned to a CPU of its own, so the two share the machine's noise
but not a core. Each epoch's seconds are read from Keras' progress line
("62/62 - 93s - …"). The first epoch holds the tracing (and, with XLA, the
compilation), so the ratio is taken over the epochs after it: the median epoch
without XLA ÷ the median with it (above 1: XLA is faster). Each run's
`config.json` says whether XLA really ran (`jit_compile`: Keras trains a model
holding a layer without an XLA kernel without it, and the app says so), and its
`metrics.json` gives the test score of the two models: `--jit-compile` turns op
determinism off, so the two runs' numbers may differ in the last digits.

The two runs start at the same time; the first to fail stops the other, and the
script exits with its code (an app's refusal: 2). Epoch seconds are Keras' whole
seconds, so epochs of a few seconds give a coarse ratio: use real data. Flags that
this script sets for each run (`--epochs`, `--output-dir`, `--jit-compile`, the data
and the threads) are refused in `--extra` (give it as `--extra="--units 128"`).

Prints a Markdown table and one JSON line; writes each run's log and run directory
under `--workdir`/<app>-<data>.
"""

import argparse
import json
import os
import pathlib
import re
import shlex
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
EPOCH_LINE = re.compile(r"^\s*\d+/\d+ - (\d+)s - ")
# set by this script for both runs alike; given again in --extra they would differ or clash
RESERVED = ("--data", "--data-dir", "--epochs", "--inter-op-threads", "--intra-op-threads",
            "--output-dir", "--jit-compile", "--no-jit-compile")
SCORES = {"textgen": "bits_per_char", "pos": "accuracy", "ner": "f1", "classify": "accuracy",
          "translate": "bleu", "slot_filling": "slot_f1"}


def epoch_seconds(log_text):
    """Keras' progress lines (verbose 2) → each epoch's whole seconds, in order."""
    return [int(m.group(1)) for m in map(EPOCH_LINE.match, log_text.splitlines()) if m]


def command(app, data, epochs, output_dir, xla, extra):
    """`data`: ("--data", a registry name) or ("--data-dir", a path)."""
    return [sys.executable, "-m", f"apps.{app}", "train", *data,
            "--epochs", str(epochs), "--patience", "0", "--time-budget", "0",
            "--inter-op-threads", "1", "--intra-op-threads", "1",
            "--output-dir", str(output_dir), "--jit-compile" if xla else "--no-jit-compile",
            *extra]


def reserved_in(extra):
    """The flags of `extra` (a list) that this script sets itself."""
    return sorted({a.split("=")[0] for a in extra if a.split("=")[0] in RESERVED})


def wait_all(runs):
    """Waits for every process; the first that fails stops the others. → exit codes."""
    while True:
        codes = [process.poll() for _, _, _, process, _ in runs]
        if any(c not in (None, 0) for c in codes) or all(c == 0 for c in codes):
            for (_, _, _, process, _), code in zip(runs, codes):
                if code is None:
                    process.terminate()
                    process.wait()
            return [process.returncode for _, _, _, process, _ in runs]
        time.sleep(0.5)


def start(argv, log_path, cpu):
    """Starts one run writing to `log_path`, pinned to `cpu` where that is possible."""
    def pin():
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    log = open(log_path, "w")  # noqa: SIM115 (closed once the process ends)
    return subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
                            preexec_fn=pin), log


def summary(name, run_dir, log_text, score):
    seconds = epoch_seconds(log_text)
    config = json.loads((run_dir / "config.json").read_text())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {"run": name, "xla_ran": config["config"]["jit_compile"],
            "first_epoch_s": seconds[0] if seconds else None,
            "later_epoch_s": statistics.median(seconds[1:]) if len(seconds) > 1 else None,
            "epoch_s": seconds, "train_seconds": metrics["train_seconds"],
            score: metrics.get(score)}


def table(rows, score):
    lines = ["| run | XLA ran | first epoch (s) | median later epoch (s) | train s "
             f"| test {score} |", "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['run']} | {'yes' if r['xla_ran'] else 'no'} | {r['first_epoch_s']} "
                     f"| {r['later_epoch_s']} | {r['train_seconds']} | {r[score]} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", required=True, choices=sorted(SCORES))
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="a registry name the app reads")
    source.add_argument("--data-dir", help="or the data itself, as the app's --data-dir")
    parser.add_argument("--epochs", type=int, default=3,
                        help="epochs per run, at least 2: the first is not in the ratio "
                        "(default: 3)")
    parser.add_argument("--workdir", default="/tmp/app_xla",
                        help="logs and run directories (default: /tmp/app_xla)")
    parser.add_argument("--extra", default="",
                        help='more train flags for both runs, e.g. --extra="--units 128"')
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first epoch is not in the ratio)")
    extra = shlex.split(args.extra)
    reserved = reserved_in(extra)
    if reserved:
        parser.error(f"--extra can't set {', '.join(reserved)}: this script sets "
                     "it for both runs (use --epochs, --data or --data-dir of its own)")
    data = ("--data", args.data) if args.data else ("--data-dir", args.data_dir)
    workdir = pathlib.Path(args.workdir) / f"{args.app}-{pathlib.Path(data[1]).name}"
    if any((workdir / name).exists() for name in ("plain", "xla")):
        parser.error(f"{workdir} holds an earlier benchmark's runs: give another --workdir "
                     "or remove it")
    workdir.mkdir(parents=True, exist_ok=True)
    cpus = sorted(os.sched_getaffinity(0))
    runs = []
    for i, (name, xla) in enumerate((("without XLA", False), ("--jit-compile", True))):
        out = workdir / ("xla" if xla else "plain")
        log_path = workdir / f"{out.name}.log"
        argv_ = command(args.app, data, args.epochs, out, xla, extra)
        cpu = cpus[i] if len(cpus) >= 2 else None
        runs.append((name, out, log_path, *start(argv_, log_path, cpu)))
    codes = wait_all(runs)
    for (name, _, log_path, _, log), code in zip(runs, codes):
        log.close()
        if code > 0:  # the other, stopped by the first failure, has a negative code
            tail = log_path.read_text().strip().splitlines()[-1:] or ["(no output)"]
            print(f"the {name} run failed (exit {code}): {tail[0]} (log: {log_path})",
                  file=sys.stderr)
            sys.exit(code)
    rows = [summary(name, out, log_path.read_text(), SCORES[args.app])
            for name, out, log_path, _, _ in runs]
    plain, xla = rows
    ratio = (plain["later_epoch_s"] / xla["later_epoch_s"]
             if plain["later_epoch_s"] and xla["later_epoch_s"] else None)
    print(f"python -m apps.{args.app} train {' '.join(data)} --epochs {args.epochs} "
          f"{args.extra}; {len(cpus)} CPUs, {'one each' if len(cpus) >= 2 else 'shared'}")
    print(table(rows, SCORES[args.app]))
    print("later epochs, without XLA ÷ with: " + (f"{ratio:.2f}×" if ratio else "n/a"))
    print(json.dumps({"app": args.app, "data": data[1], "runs": rows,
                      "ratio": round(ratio, 3) if ratio else None}))


if __name__ == "__main__":
    main()
