"""Any labelled-text dataset → train / valid / test, with everything odd about it counted.

`read_classification_data(config)` reads `--data trec|sst2|atis` or a `--data-dir`
in one of the data layer's classification layouts (TREC, GLUE, `label<TAB>text`;
a slot-filling folder gives its utterances and intents). A split the data lack is
made, and `AppData.notes` (kept in config.json) says how:

- no labelled test split (GLUE's test has no labels; a `label<TAB>text` folder
  without test.tsv): the labelled dev/valid split becomes the test split, or,
  without one, `TEST_FRACTION` of train chosen by a hash of the text;
- no labelled valid split (TREC; SST-2 once its dev split is the test split):
  `VALID_FRACTION` of train chosen by a hash of the text, so the same examples are
  held out however the file is ordered (`kerasrnn.data.splits.hash_split`).

Both hash the longest training text that contains the text word for word
(`kerasrnn.data.splits.containing_texts`), not the text itself: SST-2 lists every
phrase of a sentence as an example, and the phrases of one sentence must not be on
both sides (validation would then score phrases of sentences it trained on); a
phrase several sentences share goes with the longest. For data without such
phrases (TREC: 2 of 5,452 questions are inside another) this is the plain hash of
the text.

Nothing is dropped: empty texts, texts that train gives different labels, texts of
valid/test that train also has, and labels of valid/test that train never saw are
counted in the summary (`train` prints it; config.json keeps it).
"""

import collections
import os

from apps.harness import AppData
from kerasrnn.data import DATASETS, DataFormatError, TextExample, detect_format, load_dataset
from kerasrnn.data.registry import get_entry
from kerasrnn.data.splits import containing_texts, hash_split
from kerasrnn.training import UserInputError

VALID_FRACTION = 0.1
TEST_FRACTION = 0.1
CLASSIFICATION_FORMATS = ("trec", "glue_tsv", "labelled_tsv", "slot_filling")


def read_classification_data(config):
    """`AppData` of `config.data` / `config.data_dir`; see the module docstring.

    Raises:
        UserInputError: a dataset of another kind, `--label-level fine` for data
            that are not TREC's, unlabelled training data, or one class only.
        DataFormatError: a file that can't be read (`PATH:LINE: problem`).
    """
    data, kind = _load(config)
    if kind == "slot_filling":  # utterances and their intents
        splits = {split: [TextExample(" ".join(e.tokens), e.intent) for e in examples]
                  for split, examples in data.splits.items()}
    else:
        splits = dict(data.splits)
    source = data.report.source
    if any(e.label is None for e in splits["train"]):
        raise UserInputError(f"{source}: the train split has no labels")
    # The labelled dev split becomes the test split; GLUE's dev.tsv is then what a
    # user means by `evaluate --split dev` (SST-2's dev accuracy is its test score).
    dev_is_test = (_labelled(splits.get("valid")) and not _labelled(splits.get("test"))
                   and kind == "glue_tsv" and os.path.exists(os.path.join(source, "dev.tsv")))
    notes = _make_missing_splits(splits)
    labels = collections.Counter(e.label for e in splits["train"])
    if len(labels) < 2:
        raise UserInputError(f"{source}: every training example has the label "
                             f"{next(iter(labels))!r}; a classifier needs two classes or more")
    summary = "\n".join([data.summary(), *_counts(splits, labels), *(
        f"  note: {split}: {how}" for split, how in notes.items())])
    return AppData({s: splits[s] for s in ("train", "valid", "test")}, summary=summary,
                   source=source, notes=notes, aliases={"dev": "test"} if dev_is_test else {})


def _load(config):
    """(the reader's dataset, its format), refusing data that are not labelled texts."""
    if config.data:
        try:
            kind = get_entry(config.data).format
        except KeyError as error:
            raise UserInputError(error.args[0]) from None
    else:
        if not os.path.exists(config.data_dir):
            raise DataFormatError(config.data_dir, "data folder not found (--data-dir)")
        kind = detect_format(config.data_dir)
    if kind not in CLASSIFICATION_FORMATS:
        usable = sorted(n for n, e in DATASETS.items() if e.format in CLASSIFICATION_FORMATS)
        raise UserInputError(f"{config.data or config.data_dir} is {kind} data; classify reads "
                             f"{', '.join(usable)}, or a --data-dir of TREC .label files, "
                             "GLUE .tsv files with a header, or label<TAB>text .tsv files")
    if config.label_level != "coarse" and kind != "trec":
        raise UserInputError(f"--label-level {config.label_level} is for TREC data; "
                             f"{config.data or config.data_dir} is {kind}")
    options = {"label_level": config.label_level} if kind == "trec" else {}
    data = load_dataset(config.data, config.data_dir,
                        data_format=None if config.data else kind, **options)
    return data, kind


def _labelled(examples):
    return examples is not None and all(e.label is not None for e in examples)


def _make_missing_splits(splits):
    """Fills in test and valid where the data lack labelled ones; returns how (notes)."""
    notes = {}
    if _labelled(splits.get("test")) and _labelled(splits.get("valid")):
        return notes  # nothing to carve: don't pay for grouping the phrases
    sentence_of = containing_texts(e.text for e in splits["train"])
    if not _labelled(splits.get("test")):
        why = "the test split has no labels" if "test" in splits else "there is no test split"
        if _labelled(splits.get("valid")):
            splits["test"] = splits.pop("valid")
            notes["test"] = f"the labelled dev/valid split ({why})"
        else:
            splits["train"], splits["test"] = hash_split(
                splits["train"], TEST_FRACTION, key=lambda e: sentence_of[e.text], salt="test")
            notes["test"] = (f"{TEST_FRACTION:.0%} of train, chosen by a SHA-256 hash of the "
                             "longest training text holding the text (phrases with their "
                             f"sentence; {why}, nor a labelled dev split)")
    if not _labelled(splits.get("valid")):
        splits["train"], splits["valid"] = hash_split(
            splits["train"], VALID_FRACTION, key=lambda e: sentence_of[e.text])
        notes["valid"] = (f"{VALID_FRACTION:.0%} of train, chosen by a SHA-256 hash of the "
                          "longest training text holding the text (phrases with their "
                          "sentence; the data have no labelled validation split)")
    return notes


def _counts(splits, train_labels):
    """Summary lines: sizes, classes, and every oddity a reader should know about."""
    lines = ["  used: " + ", ".join(f"{s} {len(splits[s])}" for s in ("train", "valid", "test")),
             f"  classes ({len(train_labels)}): " + ", ".join(
                 f"{label} {n}" for label, n in sorted(train_labels.items()))]
    for split in ("train", "valid", "test"):
        empty = sum(not e.text.strip() for e in splits[split])
        if empty:
            lines.append(f"  note: {split} has {empty} empty texts (kept; they are classified "
                         "from no words)")
    by_text = collections.defaultdict(set)
    for e in splits["train"]:
        by_text[e.text].add(e.label)
    conflicting = [text for text, labels in by_text.items() if len(labels) > 1]
    if conflicting:
        examples = sum(e.text in set(conflicting) for e in splits["train"])
        texts = "text" if len(conflicting) == 1 else "texts"
        lines.append(f"  note: train has {len(conflicting)} {texts} with different labels "
                     f"({examples} examples, kept as they are), e.g. {conflicting[0]!r}")
    for split in ("valid", "test"):
        unseen = collections.Counter(e.label for e in splits[split]
                                     if e.label not in train_labels)
        if unseen:
            listed = ", ".join(f"{k} ({n})" for k, n in sorted(unseen.items()))
            lines.append(f"  note: {split} has labels training never saw, which can only be "
                         f"missed (they count as errors): {listed}")
        in_train = sum(e.text in by_text for e in splits[split])
        if in_train:
            lines.append(f"  note: {in_train} {split} texts are in train too")
    return lines
