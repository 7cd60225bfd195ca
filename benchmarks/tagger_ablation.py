"""What each part of the NER / POS word tagger adds, one change at a time, 3 seeds each.

    python -m benchmarks.tagger_ablation --parallel 2                  # NER, CoNLL-2003
    python -m benchmarks.tagger_ablation --app pos --parallel 2        # POS, UD English LinES
    python -m benchmarks.tagger_ablation --budget 60 --seeds 0 \\
        --variants default softmax                                     # a quick look
    python -m benchmarks.tagger_ablation --parallel 2 \\
        --write-readme benchmarks/README.md                            # and update the README

Each run is one `python -m apps.ner train` (or `apps.pos`) process with the app's
defaults except the one change of its variant, `--seed` and `--time-budget`:
training stops before an epoch that would end past the budget, and the model kept
is the best epoch within it by the app's validation monitor. The variants: the
default configuration, the other head (NER: `softmax` instead of the CRF; POS:
`crf` instead of the softmax), the character encoder `none` / `lstm` (the default
is the CNN), letter-trigram hashing on (`--trigram-dim 32`), the casing feature
off, and the recurrent cell `peephole_lstm` / `gru` / `elman` (the default is the
LSTM). Every run names all of these settings explicitly (the app's own defaults,
read from its Config), so flags given with `--extra` can't change them.

The table gives the validation monitor's value at each run's kept epoch (NER:
`val_f1`, POS: `val_accuracy`; mean over the seeds: what a choice is made on), the
test split's F1 (NER, entity-level) or token accuracy (POS),
mean ± sample standard deviation over the seeds, the same score on entities
holding an out-of-vocabulary word (NER) or on out-of-vocabulary tokens (POS),
epochs trained and training seconds. The apps' defaults were chosen on the
validation split; the test split is only reported.

Runs are resumable: a run whose `metrics.json` exists is read, not rerun (and
refused if it was trained with another seed, budget or variant setting: use
another `--workdir`), and an interrupted run resumes from its last epoch (the
app's resume folder), so an interrupted ablation continues where it stopped when
the same command is run again. With `--parallel N` each process gets 1 inter-op /
1 intra-op thread (all runs of one ablation share that setting, so they stay
comparable).

Writes `ablation.json` (every run's metrics) and `ablation.md` (the table, headed
by the command that produced it) to `--workdir`; `--write-readme FILE` puts
ablation.md between `<!-- tagger_ablation:<app> -->` and
`<!-- /tagger_ablation:<app> -->` in FILE (appended the first time, replaced after).
"""

import argparse
import concurrent.futures
import csv
import datetime
import importlib
import json
import math
import pathlib
import re
import shlex
import statistics
import subprocess
import sys

from benchmarks import atis_grid

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = {  # app: (default --data, the score, its out-of-vocabulary counterpart, its name)
    "ner": ("conll2003", "f1", "oov_entity_f1", "entity F1"),
    "pos": ("ud-english-lines", "accuracy", "oov_accuracy", "accuracy"),
}
AXES = ("head", "char_encoder", "trigram_dim", "casing", "cell")  # what the variants change
TRIGRAM_DIM = 32  # "trigrams on"
# Each candidate change; the ones equal to an app's default are left out (for POS,
# whose default head is the softmax, "softmax" is the default and "crf" the variant).
CHANGES = {
    "softmax": {"head": "softmax"}, "crf": {"head": "crf"},
    "char-none": {"char_encoder": "none"}, "char-lstm": {"char_encoder": "lstm"},
    "char-cnn": {"char_encoder": "cnn"},
    "trigrams": {"trigram_dim": TRIGRAM_DIM}, "no-trigrams": {"trigram_dim": 0},
    "no-casing": {"casing": False}, "casing": {"casing": True},
    "lstm": {"cell": "lstm"}, "peephole_lstm": {"cell": "peephole_lstm"},
    "gru": {"cell": "gru"}, "elman": {"cell": "elman"},
}
BEGIN, END = "<!-- tagger_ablation:{} -->", "<!-- /tagger_ablation:{} -->"


def app_defaults(app, axes=AXES):
    """The app's default value of each ablated setting (from its Config dataclass)."""
    config = importlib.import_module(f"apps.{app}.app").Config
    fields = {f.name: f.default for f in config.__dataclass_fields__.values()}
    return {axis: fields[axis] for axis in axes}


def variants(defaults, changes=CHANGES):
    """{name: {setting: value}}: the default configuration, then one change at a time."""
    return {"default": {}, **{name: change for name, change in changes.items()
                              if any(defaults[k] != v for k, v in change.items())}}


def as_flags(settings):
    """{"casing": False, "cell": "gru"} → ["--no-casing", "--cell", "gru"]."""
    flags = []
    for name, value in settings.items():
        flag = name.replace("_", "-")
        if isinstance(value, bool):
            flags.append(f"--{flag}" if value else f"--no-{flag}")
        else:
            flags += [f"--{flag}", str(value)]
    return flags


def run_name(variant, seed):
    return f"{variant}-s{seed}"


def train(app, workdir, name, flags, expected):
    """Trains one run (or reads its finished metrics); returns its metrics dict.

    `expected`: config fields a finished run must have been trained with.
    """
    out = workdir / name
    metrics = out / "metrics.json"
    if metrics.exists():
        config = json.loads((out / "config.json").read_text())["config"]
        differ = {k: (config.get(k), v) for k, v in expected.items() if config.get(k) != v}
        if differ:
            listed = ", ".join(f"{k} {was!r} (now {now!r})" for k, (was, now) in differ.items())
            raise RuntimeError(f"{out} was trained with {listed}: use another --workdir")
    return atis_grid.train(workdir, name, flags, app=app)


def kept_valid_score(run):
    """The validation monitor's value (NER: `val_f1`) at the run's kept epoch.

    Read from the run's history.csv and config.json (`monitor`, `best_epoch`); NaN
    where the run has no such row (a monitor that is not in the history).
    """
    config = json.loads((run / "config.json").read_text())
    with open(run / "history.csv", newline="") as stream:
        rows = {int(row["epoch"]): row for row in csv.DictReader(stream)}
    value = rows.get(config.get("best_epoch"), {}).get(config.get("monitor"))
    return float(value) if value not in (None, "") else math.nan


def run_all(app, workdir, jobs, parallel):
    """jobs: {name: (flags, expected)} -> {name: metrics}, `parallel` processes at a time."""
    score = APPS[app][1]
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        futures = {name: pool.submit(train, app, workdir, name, flags, expected)
                   for name, (flags, expected) in jobs.items()}
        results = {}
        for name, future in futures.items():
            results[name] = {**future.result(), "valid_score": kept_valid_score(workdir / name)}
            print(f"{name}: {score} {results[name][score]:.4f}, "
                  f"{results[name]['epochs_done']} epochs, "
                  f"{results[name]['train_seconds']:.0f} s", flush=True)
        return results


def summarize(values):
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else None
    return mean, std


def percent(values):
    """Mean ± std as percentages ("86.12 ± 0.31"; "86.12 ± —" for one value)."""
    mean, std = summarize(values)
    return f"{100 * mean:.2f} ± " + ("—" if std is None else f"{100 * std:.2f}")


def table(app, rows):
    """Markdown table: one row per variant, over its seeds."""
    _, score, oov, score_name = APPS[app]
    oov_name = "OOV-entity F1" if app == "ner" else "OOV accuracy"
    lines = [f"| variant | flags (vs default) | valid {score_name} % (mean) "
             f"| test {score_name} % | {oov_name} % (mean) | epochs | train s | seeds |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for variant, flags, runs in rows:
        oov_mean = statistics.fmean(r.get(oov, math.nan) for r in runs)
        epochs = statistics.fmean(r["epochs_done"] for r in runs)
        seconds = statistics.fmean(r["train_seconds"] for r in runs)
        shown = f"`{shlex.join(flags)}`" if flags else "—"
        valid = statistics.fmean(r.get("valid_score", math.nan) for r in runs)
        lines.append(f"| {variant} | {shown} | {100 * valid:.2f} "
                     f"| {percent([r[score] for r in runs])} "
                     f"| {100 * oov_mean:.2f} | {epochs:.1f} | {seconds:.0f} | {len(runs)} |")
    return lines


def provenance():
    """"Measured <date> at commit <hash>" (with "+ uncommitted changes" if any)."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except OSError:
        commit, dirty = "", ""
    where = (f" at commit {commit}" + (" + uncommitted changes" if dirty else "")) if commit \
        else ""
    return f"Measured {datetime.date.today().isoformat()}{where}."


def report(app, source, command, budget, seeds, defaults, rows):
    """ablation.md: a heading, the command, what was measured, and the table."""
    _, score, _, score_name = APPS[app]
    default = shlex.join(as_flags(defaults))
    lines = [f"### Tagger ablation: {app.upper()} on {source} (`benchmarks/tagger_ablation.py`)",
             "", "```bash", command, "```", "",
             f"{provenance()} Every run trains under one fixed budget of {budget:g} s "
             f"(`--time-budget {budget:g}`; the model kept is the best epoch within it by "
             f"the validation monitor). Default configuration: `{default}` "
             "(the app's defaults); each other row changes one of these. "
             f"The {score_name} (`{score}`) is on the **test** split, "
             f"mean ± sample standard deviation over seeds {', '.join(map(str, seeds))} "
             "(— with one seed); the valid column is the validation monitor at the kept "
             "epoch (mean over the seeds), where the defaults were chosen.", "",
             *table(app, rows)]
    return "\n".join(lines)


def write_readme(path, app, markdown, marker=None):
    """Puts `markdown` between the app's marker comments in `path` (appended if absent).

    `marker`: instead, between `<!-- marker -->` and `<!-- /marker -->`.
    """
    path = pathlib.Path(path)
    begin, end = BEGIN.format(app), END.format(app)
    if marker:
        begin, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    section = f"{begin}\n{markdown}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + section + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="ner", choices=list(APPS))
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", help="registry name (default: conll2003 for ner, "
                        "ud-english-lines for pos)")
    source.add_argument("--data-dir", help="a folder in the app's layout instead")
    parser.add_argument("--budget", type=float, default=600,
                        help="training seconds a run (default 600)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variants", nargs="+",
                        help="which variants (default: all): default softmax char-none "
                        "char-lstm trigrams no-casing peephole_lstm gru elman (pos: crf, "
                        "not softmax)")
    parser.add_argument("--parallel", type=int, default=1, help="runs at a time")
    parser.add_argument("--workdir", type=pathlib.Path,
                        help="default benchmarks/runs/tagger_ablation-<app>")
    parser.add_argument("--write-readme", type=pathlib.Path, metavar="FILE",
                        help="also put the table in this markdown file, between marker "
                        "comments (replacing a previous copy)")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[],
                        help="last: flags for every run, e.g. --extra --epochs 60 --units 100")
    args = parser.parse_args(argv)
    defaults = app_defaults(args.app)
    known = variants(defaults)
    chosen = args.variants or list(known)
    unknown = [v for v in chosen if v not in known]
    if unknown:
        parser.error(f"--variants: unknown for {args.app}: {', '.join(unknown)} "
                     f"(choose from {', '.join(known)})")
    chosen = list(dict.fromkeys(chosen))
    if args.parallel < 1:
        parser.error("--parallel must be at least 1")
    workdir = args.workdir or ROOT / "benchmarks" / "runs" / f"tagger_ablation-{args.app}"
    workdir.mkdir(parents=True, exist_ok=True)
    data_name = args.data or APPS[args.app][0]
    data = ["--data-dir", args.data_dir] if args.data_dir else ["--data", data_name]
    threads = ["--inter-op-threads", "1", "--intra-op-threads", "1"] if args.parallel > 1 else []

    def job(variant, seed):
        settings = {**defaults, **known[variant]}
        # the ablation's own flags come last, so they win over anything in --extra
        flags = [*data, *args.extra, *threads, *as_flags(settings), "--seed", str(seed),
                 "--time-budget", str(args.budget)]
        return flags, {**settings, "seed": seed, "time_budget": args.budget}

    jobs = {run_name(v, seed): job(v, seed) for v in chosen for seed in args.seeds}
    results = run_all(args.app, workdir, jobs, args.parallel)
    rows = [(v, as_flags(known[v]), [results[run_name(v, seed)] for seed in args.seeds])
            for v in chosen]
    (workdir / "ablation.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    source = pathlib.Path(args.data_dir).name if args.data_dir else data_name
    command = "python -m benchmarks.tagger_ablation " + shlex.join(argv)
    markdown = report(args.app, source, command.strip(), args.budget, args.seeds, defaults,
                      rows)
    (workdir / "ablation.md").write_text(markdown + "\n")
    print(markdown)
    if args.write_readme:
        write_readme(args.write_readme, args.app, markdown)
        print(f"wrote the table into {args.write_readme}")


if __name__ == "__main__":
    main()
