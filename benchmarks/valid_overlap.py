"""How many held-out texts are part of a training text, by how the valid part is carved.

    KERASRNN_DATA=../shared/data python -m benchmarks.valid_overlap --data sst2

For each rule (hash of the text itself, as classify did before d719e56; hash of the
longest training text holding it, `kerasrnn.data.splits.containing_texts`, as now)
it carves 10% of train the way `apps.classify` does and counts the valid texts that
occur word for word inside a text left in train; the test split (SST-2: its dev
split) is counted the same way for comparison. A valid part that is mostly inside
training texts scores the model on what it trained on.
"""

import argparse

from kerasrnn.data import load_dataset
from kerasrnn.data.splits import containing_texts, hash_split


def inside_count(held_out, train):
    """How many of `held_out` occur as whole words inside some text of `train`."""
    joined = "\n".join(f" {' '.join(e.text.split())} " for e in train)
    return sum(f" {' '.join(e.text.split())} " in joined for e in held_out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="sst2", help="a registry name (trec, sst2)")
    args = parser.parse_args(argv)
    data = load_dataset(args.data, None)
    splits = dict(data.splits)
    train = splits["train"]
    test = splits["test"] if all(e.label is not None for e in splits["test"]) else splits["valid"]
    sentence_of = containing_texts(e.text for e in train)
    print("| valid part carved by | valid texts | inside a training text | test texts inside |")
    print("|---|---:|---:|---:|")
    for rule, key in (("hash of the text", lambda e: e.text),
                      ("hash of its longest holder", lambda e: sentence_of[e.text])):
        kept, valid = hash_split(train, 0.1, key=key)
        inside = inside_count(valid, kept)
        print(f"| {rule} | {len(valid)} | {inside} ({100 * inside / len(valid):.1f}%) "
              f"| {inside_count(test, kept)} of {len(test)} |")


if __name__ == "__main__":
    main()
