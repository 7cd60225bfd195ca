"""Which test utterances every one of several trained slot-filling models gets wrong.

    python -m benchmarks.atis_errors --model /tmp/runs/a /tmp/runs/b /tmp/runs/c

Errors that survive every seed and every architecture tried are a property of the
data (rare or unseen labels, inconsistent annotation), not of one run: this script
separates them from the errors that vary between runs. Each `--model` is a `train`
output directory (its `model.keras` is evaluated on `--split` exactly as `evaluate`
does; the data come from the run's own config, found through `KERASRNN_DATA`).

Prints each model's slot F1 and intent accuracy, then the utterances whose intent
every model gets wrong (gold ← the most common prediction) and the gold slot chunks
that no model finds (seqeval's chunks: type and token span).
"""

import argparse
import collections

from apps.harness.serving import load_trained
from apps.slot_filling.app import SlotFilling
from kerasrnn.data.tagging_schemes import spans
from kerasrnn.training import UserInputError, read_run


def chunks(tags):
    """{(type, start, end)} of a BIO tag sequence, as conlleval/seqeval read it."""
    return set(spans(tags))


def predictions(model_dir, split):
    """(examples, predicted tag lists, predicted intents) of one split, in file order."""
    app = SlotFilling()
    trained = load_trained(app, model_dir, read_run(model_dir, app.name))
    splits = app.read_data(trained.config).splits
    if split not in splits:
        raise UserInputError(f"--split must be one of {sorted(splits)}, got {split!r}")
    tags, intents = app.predict_items(trained, splits[split])
    return splits[split], tags, intents


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", nargs="+", required=True, help="train output directories")
    parser.add_argument("--split", default="test")
    parser.add_argument("--show", type=int, default=50, help="list at most this many of each")
    args = parser.parse_args(argv)
    from seqeval.metrics import f1_score

    examples = gold_chunks = None
    wrong_intents = collections.Counter()
    intent_guesses = collections.defaultdict(collections.Counter)
    found = collections.Counter()
    for model in args.model:
        got, tags, intents = predictions(model, args.split)
        if examples is None:
            examples, gold_chunks = got, [chunks(e.tags) for e in got]
        elif [e.tokens for e in got] != [e.tokens for e in examples]:
            raise SystemExit(f"{model}: its {args.split} split differs from the first model's")
        right = [p == e.intent for p, e in zip(intents, examples)]
        print(f"{model}: slot F1 {f1_score([list(e.tags) for e in examples], tags):.4f}, "
              f"intent accuracy {sum(right) / len(right):.4f} ({right.count(False)} wrong)")
        for i, (ok, guess) in enumerate(zip(right, intents)):
            if not ok:
                wrong_intents[i] += 1
                intent_guesses[i][guess] += 1
        for i, (gold, predicted) in enumerate(zip(gold_chunks, tags)):
            for chunk in gold & chunks(predicted):
                found[i, chunk] += 1

    runs = len(args.model)
    always = [i for i, n in wrong_intents.items() if n == runs]
    print(f"\nintent wrong in all {runs} models: {len(always)} of {len(examples)} utterances; "
          f"wrong in at least one: {len(wrong_intents)}")
    for i in sorted(always)[: args.show]:
        guess = intent_guesses[i].most_common(1)[0][0]
        print(f"  {examples[i].intent} <- {guess} | {' '.join(examples[i].tokens)}")

    gold = [(i, c) for i, chunk_set in enumerate(gold_chunks)
            for c in sorted(chunk_set, key=lambda c: c[1])]  # in sentence order
    never = [(i, c) for i, c in gold if not found[i, c]]
    print(f"\ngold slot chunks no model finds: {len(never)} of {len(gold)}; "
          f"missed by at least one: {sum(1 for key in gold if found[key] < runs)}")
    for i, (kind, start, end) in never[: args.show]:
        tokens = examples[i].tokens
        print(f"  {kind}: {' '.join(tokens[start:end + 1])} | {' '.join(tokens)}")


if __name__ == "__main__":
    main()
