"""Every recurrent kind × every pooling on TREC-6 and SST-2, 3 seeds each (apps.classify).

    python -m benchmarks.classify_grid --readme   # the whole grid; its table into the README
    python -m benchmarks.classify_grid --datasets trec --kinds lstm gru --seeds 0   # a quick look

Each run is one `python -m apps.classify train` process with the app's defaults
except `--data`, `--cell`, `--pooling` and `--seed` (and whatever follows `--`, for
every run). Runs are resumable as in `benchmarks.atis_grid`: a finished run is read,
not rerun. Writes `grid.json` and `grid.md` to `--workdir`; with `--readme` the table
also replaces the text between the grid's markers in benchmarks/README.md.
"""

import argparse
import json
import pathlib
import statistics

from benchmarks.atis_grid import ROOT, summarize, train
from kerasrnn.layers import RECURRENT_KINDS
from kerasrnn.models import POOLINGS

BEGIN, END = "<!-- classify_grid: begin -->", "<!-- classify_grid: end -->"


def table(rows, seeds):
    """Markdown: one row per (dataset, kind, pooling), mean ± std over the seeds."""
    lines = ["| data | cell | pooling | accuracy | macro-F1 | epochs (best / run) | train s |",
             "|---|---|---|---:|---:|---:|---:|"]
    for (data, kind, pooling), runs in rows:
        def cell(key, runs=runs):
            mean, std = summarize([100 * r[key] for r in runs])
            return f"{mean:.2f} ± {std:.2f}"

        best = statistics.fmean(r["best_epoch"] for r in runs)
        done = statistics.fmean(r["epochs_done"] for r in runs)
        seconds = statistics.fmean(r["train_seconds"] for r in runs)
        lines.append(f"| {data} | {kind} | {pooling} | {cell('accuracy')} | {cell('macro_f1')} "
                     f"| {best:.1f} / {done:.1f} | {seconds:.0f} |")
    lines += ["", f"Test split (SST-2: its dev split); mean ± sample standard deviation over "
              f"seeds {', '.join(map(str, seeds))}."]
    return "\n".join(lines)


def into_readme(markdown, readme=ROOT / "benchmarks" / "README.md"):
    """Replaces the text between the grid's markers (appends them the first time)."""
    text = readme.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{markdown}\n{END}"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Sentence classification: every cell kind × pooling " \
            "(`benchmarks/classify_grid.py`)\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["trec", "sst2"],
                        help="registry names (or folders, with --data-dir)")
    parser.add_argument("--data-dir", action="store_true", help="--datasets are folders")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--kinds", nargs="+", default=list(RECURRENT_KINDS),
                        choices=list(RECURRENT_KINDS))
    parser.add_argument("--poolings", nargs="+", default=list(POOLINGS), choices=POOLINGS)
    parser.add_argument("--workdir", default="saved_models/classify-grid", type=pathlib.Path)
    parser.add_argument("--readme", action="store_true", help="write the table into "
                        "benchmarks/README.md too")
    parser.add_argument("app_flags", nargs=argparse.REMAINDER,
                        help="after --: more flags for every run (e.g. -- --epochs 10)")
    args = parser.parse_args(argv)
    extra = [f for f in args.app_flags if f != "--"]
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows, results = [], {}
    for data in args.datasets:
        source = ["--data-dir", data] if args.data_dir else ["--data", data]
        tag = pathlib.Path(data).name
        for kind in args.kinds:
            for pooling in args.poolings:
                runs = []
                for seed in args.seeds:
                    name = f"{tag}-{kind}-{pooling}-s{seed}"
                    # the grid's own flags come last, so they win over `extra`
                    flags = [*source, *extra, "--cell", kind, "--pooling", pooling,
                             "--seed", str(seed)]
                    results[name] = train(args.workdir, name, flags, app="classify")
                    runs.append(results[name])
                    print(f"{name}: accuracy {results[name]['accuracy']:.4f}, "
                          f"macro-F1 {results[name]['macro_f1']:.4f}", flush=True)
                rows.append(((tag, kind, pooling), runs))
    (args.workdir / "grid.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    markdown = table(rows, args.seeds)
    (args.workdir / "grid.md").write_text(markdown + "\n")
    print(markdown)
    if args.readme:
        into_readme(markdown)


if __name__ == "__main__":
    main()
