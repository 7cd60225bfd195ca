"""Sentence classification files: TREC, GLUE/SST-2 TSV, generic ``label<TAB>text``.

* TREC: ``COARSE:fine question tokens…`` per line, ``train.label`` and
  ``test.label`` (``valid.label`` read when present).
* GLUE (SST-2): ``train.tsv``, ``dev.tsv``, ``test.tsv`` with a header row
  naming the columns; a split without the label column (GLUE's test) is read
  with ``label=None`` and reported as unlabelled.
* Generic: ``train.tsv``, ``valid.tsv``, ``test.tsv``, no header, ``label<TAB>text``.

Splits other than ``train`` are optional; the report notes which are absent.
"""

from __future__ import annotations

import os

from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.examples import ClassificationDataset, TextExample
from kerasrnn.data.report import ReadReport
from kerasrnn.data.text_files import iter_lines


def read_trec(data_dir: str | os.PathLike, label_level: str = "coarse") -> ClassificationDataset:
    """Reads TREC question classification files.

    Args:
        data_dir: folder with ``train.label`` and ``test.label``.
        label_level: ``"coarse"`` (6 labels such as ``LOC``) or ``"fine"``
            (50 labels, kept with their coarse class: ``LOC:city``, because
            fine names such as ``other`` recur under several coarse classes).

    Raises:
        DataFormatError: a missing/empty file, invalid UTF-8, or a line that
            does not start with ``COARSE:fine`` followed by a question.
    """
    if label_level not in ("coarse", "fine"):
        raise ValueError(f"label_level must be 'coarse' or 'fine', received {label_level!r}")

    def parse(path, number, text):
        label, _, question = text.partition(" ")
        coarse, colon, fine = label.partition(":")
        if not colon or not coarse or not fine or not question.strip():
            raise DataFormatError(
                path, f"expected 'COARSE:fine question', found {text[:40]!r}", number)
        return TextExample(question.strip(), coarse if label_level == "coarse" else label)

    files = {"train": "train.label", "valid": "valid.label", "test": "test.label"}
    return _read_splits(data_dir, files, ("train", "test"), parse)


# The text column of a header row, by preference (GLUE's name first).
TEXT_COLUMNS = ("sentence", "text")


def is_header(fields) -> bool:
    """Whether a TSV line's (stripped) fields are a header row, not an example.

    A header names a ``sentence`` column (GLUE's), or ``text`` and ``label``
    columns in either order (``label<TAB>text`` files with a header).
    """
    return "sentence" in fields or {"text", "label"} <= set(fields)


def read_labelled_tsv(data_dir: str | os.PathLike) -> ClassificationDataset:
    """Reads generic ``label<TAB>text`` files ``train.tsv``, ``valid.tsv``, ``test.tsv``.

    Raises:
        DataFormatError: a missing train file, an empty file, invalid UTF-8,
            or a line without exactly two tab-separated columns.
    """

    def parse(path, number, text):
        fields = text.split("\t")
        if len(fields) != 2:
            raise DataFormatError(
                path, f"expected 2 tab-separated columns (label, text), found {len(fields)}",
                number)
        label, sentence = fields[0].strip(), fields[1].strip()
        if not label:
            raise DataFormatError(path, "empty label", number)
        return TextExample(sentence, label)  # an empty text is kept (GLUE rows are too)

    files = {"train": "train.tsv", "valid": "valid.tsv", "test": "test.tsv"}
    return _read_splits(data_dir, files, ("train",), parse)


def read_glue_tsv(
    data_dir: str | os.PathLike, text_column: str | None = None, label_column: str = "label"
) -> ClassificationDataset:
    """Reads GLUE-style TSV files with a header row (SST-2: ``sentence<TAB>label``).

    ``dev.tsv`` (optional; or ``valid.tsv``) becomes the ``valid`` split. The
    text is the column ``text_column`` names; by default ``sentence`` (GLUE's)
    or, where a header has none, ``text`` (``label<TAB>text`` or
    ``text<TAB>label`` with a header). A file whose
    header lacks ``label_column`` (GLUE test files: ``index<TAB>sentence``) is
    read with ``label=None`` and noted as unlabelled in the report.

    Raises:
        DataFormatError: a missing train file, an empty file, invalid
            UTF-8, a header (the first line that is not blank) without the
            text column, a row whose column count differs from the header's,
            an empty label, or both ``dev.tsv`` and ``valid.tsv``.
    """
    headers = {}
    named = (text_column,) if text_column else TEXT_COLUMNS

    def parse(path, number, text):
        fields = [field.strip() for field in text.split("\t")]
        if path not in headers:  # the first line that is not blank
            column = next((c for c in named if c in fields), None)
            if column is None:
                raise DataFormatError(
                    path, f"header has no {' or '.join(map(repr, named))} column: {fields} "
                    "(a folder with dev.tsv is read as GLUE, whose files start with a header "
                    "row such as 'sentence<TAB>label'; headerless label<TAB>text files name "
                    "that split valid.tsv)", number)
            headers[path] = fields, column
            return None
        header, column = headers[path]
        if len(fields) != len(header):
            raise DataFormatError(
                path, f"expected {len(header)} tab-separated columns as in the header "
                f"{header}, found {len(fields)}", number)
        row = dict(zip(header, fields, strict=True))
        if row.get(label_column) == "":
            raise DataFormatError(path, f"empty label (column {label_column!r})", number)
        return TextExample(row[column], row.get(label_column))

    present = [n for n in ("dev.tsv", "valid.tsv") if os.path.exists(os.path.join(data_dir, n))]
    if len(present) == 2:
        raise DataFormatError(data_dir, "both dev.tsv and valid.tsv: which is the validation "
                              "split? Remove or rename one")
    files = {"train": "train.tsv", "valid": (present or ["dev.tsv"])[0], "test": "test.tsv"}
    dataset = _read_splits(data_dir, files, ("train",), parse)
    for split, examples in dataset.splits.items():
        if examples and examples[0].label is None:
            dataset.report.note(f"{split} is unlabelled (no {label_column!r} column)")
    return dataset


def _read_splits(data_dir, files, required, parse) -> ClassificationDataset:
    """Reads each present split file with ``parse(path, line, text) -> example | None``."""
    data_dir = os.fspath(data_dir)
    report = ReadReport(source=data_dir)
    splits = {}
    for split, name in files.items():
        path = os.path.join(data_dir, name)
        if not os.path.exists(path) and split not in required:
            report.note(f"no {split} split ({name} absent)")
            continue
        report.add(split, "examples", 0)
        splits[split] = []
        for number, text in iter_lines(path):
            if not text.strip():
                report.skip(split, "blank lines")
                continue
            example = parse(path, number, text)
            if example is not None:
                splits[split].append(example)
                report.add(split, "examples")
        if not splits[split]:
            raise DataFormatError(path, "no examples found")
    return ClassificationDataset(splits=splits, report=report)
