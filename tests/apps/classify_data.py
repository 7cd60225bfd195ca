"""Tiny sentence-classification folders (TREC, GLUE, label<TAB>text) for apps.classify's tests.

The task is separable: a sentence is "pos" or "neg" by the one sentiment word it
holds, among filler words that say nothing.
"""

import random

POSITIVE = ["good", "great", "lovely", "superb", "witty"]
NEGATIVE = ["bad", "awful", "dull", "boring", "clumsy"]
FILLER = ["the", "film", "was", "a", "movie", "plot", "really", "quite", "very", "story",
          "actors", "ending", "and", "of", "it"]
# Tiny flags: every model part present, everything small.
TINY = ["--units", "8", "--embedding-dim", "8", "--attention-units", "4", "--trigram-dim", "4",
        "--trigram-bins", "64", "--batch-size", "16", "--time-budget", "0"]


def sentences(count, seed):
    """`count` (label, sentence) pairs, labels alternating."""
    rng = random.Random(seed)
    pairs = []
    for i in range(count):
        label = "pos" if i % 2 else "neg"
        words = rng.sample(FILLER, 4) + [rng.choice(POSITIVE if label == "pos" else NEGATIVE)]
        rng.shuffle(words)
        pairs.append((label, " ".join(words)))
    return pairs


def write_tsv_folder(folder, sizes=(120, 30), lines=None):
    """Headerless label<TAB>text train.tsv and test.tsv (no valid.tsv); `lines` replace train's."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, (split, count) in enumerate(zip(("train", "test"), sizes)):
        rows = [f"{label}\t{text}" for label, text in sentences(count, seed)]
        if split == "train" and lines is not None:
            rows = lines
        (folder / f"{split}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def write_glue_folder(folder, sizes=(120, 30, 20)):
    """GLUE layout: train.tsv and dev.tsv (sentence, label) with a header; test.tsv unlabelled."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, (split, count) in enumerate(zip(("train", "dev", "test"), sizes)):
        pairs = sentences(count, seed)
        if split == "test":
            rows = ["index\tsentence", *(f"{i}\t{text}" for i, (_, text) in enumerate(pairs))]
        else:
            rows = ["sentence\tlabel", *(f"{text}\t{int(label == 'pos')}" for label, text in pairs)]
        (folder / f"{split}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def write_trec_folder(folder, sizes=(120, 30)):
    """TREC layout: train.label and test.label, `COARSE:fine question` lines."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, (split, count) in enumerate(zip(("train", "test"), sizes)):
        rows = [f"{'POS' if label == 'pos' else 'NEG'}:{text.split()[0]} {text}"
                for label, text in sentences(count, seed)]
        (folder / f"{split}.label").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder
