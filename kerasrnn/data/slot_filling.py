"""Slot-filling folders in the ATIS/SNIPS layout.

Layout::

    DATA_DIR/{train,valid,test}/seq.in    space-separated tokens, one utterance a line
    DATA_DIR/{train,valid,test}/seq.out   one BIO slot tag per token
    DATA_DIR/{train,valid,test}/label     one intent per line (``a#b`` multi-intents kept whole)

Label sets may differ between splits (ATIS test has intents that train lacks);
nothing is filtered here, so evaluation code sees them.
"""

from __future__ import annotations

import os

from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.examples import SequenceExample, SequenceLabellingDataset
from kerasrnn.data.report import ReadReport
from kerasrnn.data.tagging_schemes import check_bio_tag, repair_span_starts
from kerasrnn.data.text_files import read_lines

SPLITS = ("train", "valid", "test")
FILES = ("seq.in", "seq.out", "label")
CONVERTED = "I- tags converted to B-"


def read_slot_filling(
    data_dir: str | os.PathLike,
    splits: tuple[str, ...] = SPLITS,
    on_invalid_span_start: str = "convert",
) -> SequenceLabellingDataset:
    """Reads and validates every split of a slot-filling folder.

    Args:
        data_dir: the folder holding one sub-folder per split.
        splits: the split folders to read; all must exist.
        on_invalid_span_start: ``"convert"`` (default) turns an ``I-`` tag that
            starts a span into ``B-`` and counts it in the report;
            ``"reject"`` raises `DataFormatError` instead.

    Returns:
        A `SequenceLabellingDataset` whose examples carry ``intent``.

    Raises:
        DataFormatError: a missing or empty file, files of one split with
            different line counts, a line whose token and tag counts differ
            (the message names both files and both counts), or a tag that is
            not ``O``, ``B-TYPE`` or ``I-TYPE``.

    Example:
        >>> data = read_slot_filling("shared/data/atis")  # doctest: +SKIP
        >>> print(data.summary())  # doctest: +SKIP
    """
    data_dir = os.fspath(data_dir)
    if not os.path.isdir(data_dir):
        raise DataFormatError(data_dir, "slot-filling data folder not found")
    report = ReadReport(source=data_dir)
    result = {}
    for split in splits:
        result[split] = _read_split(
            os.path.join(data_dir, split), split, report, on_invalid_span_start)
    return SequenceLabellingDataset(splits=result, report=report, tag_scheme="iob2")


def _read_split(folder, split, report, on_invalid) -> list[SequenceExample]:
    paths = [os.path.join(folder, name) for name in FILES]
    for path in paths:
        if not os.path.isfile(path):
            raise DataFormatError(path, f"missing {split} split file {os.path.basename(path)}")
    utterances, tag_lines, intents = (read_lines(path) for path in paths)
    _check_line_counts(paths, (utterances, tag_lines, intents))
    examples = []
    report.add(split, "examples", 0)
    for number, (text, tag_text, intent) in enumerate(
            zip(utterances, tag_lines, intents, strict=True), start=1):
        tokens, tags = text.split(), tag_text.split()
        if len(tokens) != len(tags):
            raise DataFormatError(
                paths[1], f"{len(tags)} tags in seq.out but {len(tokens)} tokens in seq.in "
                f"({paths[0]}:{number})", number)
        if not tokens:
            report.skip(split, "empty utterances")
            continue
        if not intent.strip():
            raise DataFormatError(paths[2], "empty intent label", number)
        for tag in tags:  # "Q-fromloc" or a bare "fromloc" is no slot tag
            check_bio_tag(tag, paths[1], number)
        tags, converted = repair_span_starts(tags, on_invalid, paths[1], number)
        examples.append(SequenceExample(tuple(tokens), tags, intent.strip()))
        report.add(split, "examples")
        report.add(split, "tokens", len(tokens))
        if converted:
            report.add(split, CONVERTED, converted)
    return examples


def _check_line_counts(paths, contents) -> None:
    counts = [len(lines) for lines in contents]
    if len(set(counts)) > 1:
        shortest = min(range(len(counts)), key=counts.__getitem__)
        described = ", ".join(
            f"{os.path.basename(p)} has {n}" for p, n in zip(paths, counts, strict=True))
        raise DataFormatError(
            paths[shortest], f"line counts differ ({described}); "
            f"line {counts[shortest] + 1} is missing", counts[shortest] + 1)
