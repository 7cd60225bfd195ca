"""What each part of the translator adds, one change at a time: attention, cell, subwords, dropout.

    python -m benchmarks.translate_ablation --epochs 2                     # spa-eng
    python -m benchmarks.translate_ablation --epochs 2 \\
        --write-readme benchmarks/README.md                                # and the README
    python -m benchmarks.translate_ablation --data-dir pairs.txt --epochs 1 \\
        --variants default no-attention                                    # a quick look

Each run is one `python -m apps.translate train` process with the app's defaults
except the one change of its variant: no attention (Sutskever et al. 2014's
encoder-decoder, the bridge the only path from the source), multiplicative (Luong)
instead of additive (Bahdanau) attention, and LSTM / peephole LSTM instead of the
GRU (`--cell`: encoder and decoder both), whole words instead of WordPiece pieces
(`--subwords none`, the same vocabulary sizes counting words; before 2026-12-02
words were the default and the variant was `wordpiece`), dropout 0.1 or 0.3 instead
of 0.2. Every run names all of these settings explicitly (the app's own defaults,
read from its Config), so flags given with `--extra` can't change them. On spa-eng
the default command trains 16 epochs (8 variants × 2), each about 6 minutes for the
default model alone on the 2-core machine of benchmarks/README.md (run A: 1,491
steps of about 226 ms), then evaluates each run: well over an hour.

Runs train a fixed number of epochs with the time budget off (`--epochs N
--time-budget 0`), so what they learn does not depend on what else the machine
runs; their seconds do. After training, each run is scored on the validation split
(`apps.translate evaluate --split valid`, beam 4: how defaults are chosen) and on
the test split (the train command's metrics.json), and its decoding speed is
measured with `benchmarks.translate speed` on the first `--speed-sentences` test
sentences (greedy and beam 4 at batch 64; BLEU of both on those sentences).

Runs are resumable: a finished run's files are read, not rerun (and refused if it
was trained with other settings: use another `--workdir`). Writes `ablation.json`
and `ablation.md` (the table, headed by the command) to `--workdir`;
`--write-readme FILE` puts the table between `<!-- translate_ablation -->` marker
comments in FILE (appended the first time, replaced after).
"""

import argparse
import json
import pathlib
import shlex
import subprocess
import sys

from benchmarks import tagger_ablation
from benchmarks.tagger_ablation import as_flags, provenance

ROOT = pathlib.Path(__file__).resolve().parent.parent
AXES = ("attention", "cell", "subwords", "dropout")
VARIANTS = {
    "no-attention": {"attention": "none"},
    "additive": {"attention": "additive"},
    "multiplicative": {"attention": "multiplicative"},
    "gru": {"cell": "gru"},
    "lstm": {"cell": "lstm"},
    "peephole_lstm": {"cell": "peephole_lstm"},
    "word": {"subwords": "none"},
    "wordpiece": {"subwords": "wordpiece"},
    "dropout-0.1": {"dropout": 0.1},
    "dropout-0.3": {"dropout": 0.3},
}


def last_json(text):
    """The JSON object a command printed last (its output may start with log lines)."""
    return json.loads(text[text.rindex("\n{") + 1 if "\n{" in text else text.index("{"):])


def run(workdir, name, flags, expected, speed_sentences):
    """Train (unless done), then the valid scores and decoding speed; returns one dict."""
    out = workdir / name
    test = tagger_ablation.train("translate", workdir, name, flags, expected)
    result = {"test": test}
    for key, command in (("valid", ["-m", "apps.translate", "evaluate", "--model", str(out),
                                    "--split", "valid"]),
                         ("speed", ["-m", "benchmarks.translate", "speed", "--model", str(out),
                                    "--sentences", str(speed_sentences), "--repeats", "1",
                                    "--batch1-sentences", "1", "--predict-sentences", "1"])):
        path = out / f"ablation_{key}.json"
        if not path.exists():
            done = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True,
                                  text=True)
            if done.returncode:
                raise RuntimeError(f"{name}: {' '.join(command)} failed:\n{done.stderr[-2000:]}")
            path.write_text(json.dumps(last_json(done.stdout), indent=2))
        result[key] = json.loads(path.read_text())
    return result


def table(rows):
    lines = ["| variant | flags (vs default) | valid BLEU | test BLEU | test chrF "
             "| greedy BLEU / beam 4 BLEU (speed sentences) | greedy sent/s | beam 4 sent/s "
             "| epochs | train s |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for variant, flags, r in rows:
        speed = r["speed"]
        shown = f"`{shlex.join(flags)}`" if flags else "—"
        lines.append(
            f"| {variant} | {shown} | {r['valid']['bleu']:.2f} | {r['test']['bleu']:.2f} "
            f"| {r['test']['chrf']:.2f} | {speed['greedy_batch64_scores']['bleu']:.2f} / "
            f"{speed['beam4_batch64_scores']['bleu']:.2f} "
            f"| {speed['greedy_batch64_sentences_per_second']:,.0f} "
            f"| {speed['beam4_batch64_sentences_per_second']:,.0f} "
            f"| {r['test']['epochs_done']} | {r['test']['train_seconds']:.0f} |")
    return lines


def report(source, command, epochs, defaults, speed_sentences, rows):
    default = shlex.join(as_flags(defaults))
    return "\n".join([
        f"### Translator ablation on {source} (`benchmarks/translate_ablation.py`)", "",
        "```bash", command, "```", "",
        f"{provenance()} Seed 0; every run trains {epochs} epoch(s) with the time budget "
        f"off. Default configuration: `{default}` (the app's defaults); each other row "
        "changes one of these. BLEU and chrF are sacreBLEU's cased corpus scores with beam "
        "4 (the app's default); valid is where choices are made, test is reported. "
        f"Speed: the first {speed_sentences} test sentences at batch 64, one timing each "
        "(`benchmarks.translate speed`), in a process of its own; training and decoding "
        "seconds are those of the machine as it was (see the text next to the table).",
        "", *table(rows)])


def _variant(args, workdir, data, defaults, known, variant):
    """Train (or read) one variant and measure it."""
    settings = {**defaults, **known[variant]}
    # the ablation's own flags come last, so they win over anything in --extra
    flags = [*data, *args.extra, *as_flags(settings), "--seed", "0", "--epochs",
             str(args.epochs), "--time-budget", "0"]
    expected = {**settings, "seed": 0, "epochs": args.epochs, "time_budget": 0.0}
    result = run(workdir, variant, flags, expected, args.speed_sentences)
    print(f"{variant}: valid BLEU {result['valid']['bleu']:.2f}, test BLEU "
          f"{result['test']['bleu']:.2f}, {result['test']['train_seconds']:.0f} s", flush=True)
    return result


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.translate_ablation",
                                     description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", default="spa-eng", help="registry name (default spa-eng)")
    source.add_argument("--data-dir", help="a pairs file instead")
    parser.add_argument("--epochs", type=int, default=2, help="epochs a run (default 2)")
    defaults = tagger_ablation.app_defaults("translate", AXES)
    known = tagger_ablation.variants(defaults, VARIANTS)  # those that differ from the defaults
    parser.add_argument("--variants", nargs="+",
                        help=f"which (default all): {' '.join(known)}")
    parser.add_argument("--speed-sentences", type=int, default=2000,
                        help="test sentences of the speed measurement (default 2000)")
    parser.add_argument("--workdir", type=pathlib.Path,
                        help="default benchmarks/runs/translate_ablation")
    parser.add_argument("--write-readme", type=pathlib.Path, metavar="FILE",
                        help="also put the table in this markdown file, between marker "
                        "comments (replacing a previous copy)")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[],
                        help="last: flags for every run, e.g. --extra --units 128")
    args = parser.parse_args(argv)
    chosen = list(dict.fromkeys(args.variants or known))
    unknown = [v for v in chosen if v not in known]
    if unknown:
        parser.error(f"--variants: unknown: {', '.join(unknown)} (choose from "
                     f"{', '.join(known)})")
    if args.epochs < 1 or args.speed_sentences < 1:
        parser.error("--epochs and --speed-sentences must be at least 1")
    if args.data_dir and not pathlib.Path(args.data_dir).is_file():
        parser.error(f"--data-dir {args.data_dir}: no such pairs file")
    workdir = args.workdir or ROOT / "benchmarks" / "runs" / "translate_ablation"
    workdir.mkdir(parents=True, exist_ok=True)
    data = ["--data-dir", args.data_dir] if args.data_dir else ["--data", args.data]
    results = {}
    try:
        for variant in chosen:
            results[variant] = _variant(args, workdir, data, defaults, known, variant)
    except RuntimeError as error:  # a run failed: its log is named
        raise SystemExit(f"translate_ablation: {str(error).splitlines()[0]}") from None
    rows = [(v, as_flags(known[v]), results[v]) for v in chosen]
    (workdir / "ablation.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    source = pathlib.Path(args.data_dir).name if args.data_dir else args.data
    command = "python -m benchmarks.translate_ablation " + shlex.join(argv)
    markdown = report(source, command.strip(), args.epochs, defaults, args.speed_sentences, rows)
    (workdir / "ablation.md").write_text(markdown + "\n")
    print(markdown)
    if args.write_readme:
        tagger_ablation.write_readme(args.write_readme, "translate", markdown,
                                     marker="translate_ablation")
        print(f"wrote the table into {args.write_readme}")


if __name__ == "__main__":
    main()
