"""Reading datasets of the tensorflow-datasets catalog into our dataclasses.

Only data already prepared in the TFDS data folder is used (``download=False``):
TFDS downloads have no timeout we control, and the registry's own URLs come
next in the resolution order anyway. ``tensorflow_datasets`` is imported
inside the functions, so ``import kerasrnn.data`` stays cheap.
"""

from __future__ import annotations

from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.examples import (
    ClassificationDataset,
    SequenceExample,
    SequenceLabellingDataset,
    TextExample,
)
from kerasrnn.data.report import ReadReport
from kerasrnn.data.tagging_schemes import to_iob2

# TFDS split names -> ours.
SPLITS = {"train": "train", "validation": "valid", "test": "test"}
# Splits are asked for by name: data without metadata (or mocked) lists none.
TFDS_SPLITS = {"trec": ("train", "test")}
DEFAULT_TFDS_SPLITS = ("train", "validation", "test")


def load_from_tfds(tfds_name: str, data_format: str, data_dir: str | None = None, **options):
    """Loads ``tfds_name`` from prepared TFDS data and converts it.

    Args:
        tfds_name: e.g. ``"conll2003"``, ``"conll2002/es"``, ``"trec"``, ``"glue/sst2"``.
        data_format: the registry format (``"conll"``, ``"trec"``, ``"glue_tsv"``).
        data_dir: TFDS data folder (``None``: TFDS's default).
        **options: ``label_level`` for TREC.

    Raises:
        DataFormatError: an example whose token and tag counts differ.
        Whatever TFDS raises when the data is not prepared (callers catch it).
    """
    import tensorflow_datasets as tfds  # deferred: slow to import, rarely needed

    split_names = list(TFDS_SPLITS.get(tfds_name, DEFAULT_TFDS_SPLITS))
    loaded, info = tfds.load(tfds_name, split=split_names, data_dir=data_dir, download=False,
                             with_info=True)
    datasets = dict(zip(split_names, loaded, strict=True))
    report = ReadReport(source=f"tensorflow-datasets:{tfds_name}")
    if data_format == "conll":
        return _conll(tfds, datasets, info, report)
    if data_format in ("trec", "glue_tsv"):
        return _classification(tfds, datasets, info, report, data_format, **options)
    raise ValueError(f"no TFDS conversion for format {data_format!r}")


def _conll(tfds, datasets, info, report) -> SequenceLabellingDataset:
    names = info.features["ner"].feature.names
    splits = {}
    for tfds_split, dataset in datasets.items():
        split = SPLITS.get(tfds_split, tfds_split)
        splits[split] = []
        report.add(split, "examples", 0)
        for number, row in enumerate(tfds.as_numpy(dataset), start=1):
            tokens = tuple(t.decode("utf-8") for t in row["tokens"])
            raw_tags = [names[i] for i in row["ner"]]
            if len(tokens) != len(raw_tags):
                raise DataFormatError(
                    report.source, f"{tfds_split} example {number}: {len(tokens)} tokens "
                    f"but {len(raw_tags)} NER tags")
            tags = to_iob2(raw_tags)
            converted = sum(a != b for a, b in zip(raw_tags, tags, strict=True))
            if converted:
                report.add(split, "I- tags converted to B-", converted)
            splits[split].append(SequenceExample(tokens, tags))
            report.add(split, "examples")
            report.add(split, "tokens", len(tokens))
    return SequenceLabellingDataset(splits=splits, report=report, tag_scheme="iob2")


def _classification(tfds, datasets, info, report, data_format, label_level="coarse"):
    text_key = "text" if data_format == "trec" else "sentence"
    splits = {}
    for tfds_split, dataset in datasets.items():
        split = SPLITS.get(tfds_split, tfds_split)
        splits[split] = []
        report.add(split, "examples", 0)
        for row in tfds.as_numpy(dataset):
            label = _label(row, info, data_format, label_level)
            splits[split].append(TextExample(row[text_key].decode("utf-8").strip(), label))
            report.add(split, "examples")
        if splits[split] and all(e.label is None for e in splits[split]):
            report.note(f"{split} is unlabelled")
    return ClassificationDataset(splits=splits, report=report)


def _label(row, info, data_format, label_level) -> str | None:
    if data_format == "glue_tsv":
        index = int(row["label"])
        # GLUE test labels are -1: unlabelled, as in the TSV files.
        return info.features["label"].names[index] if index >= 0 else None
    coarse = info.features["label-coarse"].names[int(row["label-coarse"])]
    if label_level == "coarse":
        return coarse
    # TFDS drops the coarse class from fine labels; we keep "LOC:city" as the files have it.
    return f"{coarse}:{info.features['label-fine'].names[int(row['label-fine'])]}"
