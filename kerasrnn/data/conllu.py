"""CoNLL-U files (Universal Dependencies) read for part-of-speech tagging.

Ten tab-separated columns per word line; ``#`` comment lines; a blank line
after each sentence. Multi-word-token lines (ID ``3-4``, the surface form
"don't" above the words "do" and "n't") and empty nodes (ID ``5.1``) carry no
tag of their own: they are skipped and counted in the report.
"""

from __future__ import annotations

import glob
import os
import re

from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.examples import SequenceExample, SequenceLabellingDataset
from kerasrnn.data.report import ReadReport
from kerasrnn.data.text_files import iter_lines

TAG_COLUMNS = {"upos": 3, "xpos": 4}
# UD names its splits train/dev/test; the rest of kerasrnn calls dev "valid".
SPLIT_NAMES = {"train": "train", "dev": "valid", "test": "test"}


def find_conllu_files(data_dir: str | os.PathLike) -> dict[str, str]:
    """Returns ``split -> path`` for the ``*-ud-{train,dev,test}.conllu`` files of a folder."""
    data_dir = os.fspath(data_dir)
    found = {}
    for ud_name, split in SPLIT_NAMES.items():
        # UD names files <lang>_<treebank>-ud-<split>.conllu; other names fall back to *split*.
        matches = (sorted(glob.glob(os.path.join(data_dir, f"*-ud-{ud_name}.conllu")))
                   or sorted(glob.glob(os.path.join(data_dir, f"*{ud_name}*.conllu"))))
        if len(matches) > 1:
            raise DataFormatError(data_dir, f"several {ud_name} files: {matches}")
        if matches:
            found[split] = matches[0]
    if "train" not in found:
        raise DataFormatError(
            os.path.join(data_dir, "*-ud-train.conllu"), "no CoNLL-U train file found")
    return found


def read_conllu(data_dir: str | os.PathLike, tag: str = "upos") -> SequenceLabellingDataset:
    """Reads the word forms and POS tags of a Universal Dependencies treebank.

    Args:
        data_dir: folder with ``*-ud-train.conllu`` (and usually ``-dev``,
            ``-test``), or a single ``.conllu`` file (read as ``train``).
        tag: ``"upos"`` (column 4, the 17 universal tags) or ``"xpos"``.

    Returns:
        A `SequenceLabellingDataset` with ``tag_scheme="pos"``.

    Raises:
        DataFormatError: a missing/empty file, invalid UTF-8, a word line with
            other than 10 columns, an ID that is not ``3``, ``3-4`` or ``3.1``,
            or a word line without a UPOS tag (``_``).
            XPOS is optional in UD: with ``tag="xpos"`` a ``_`` is kept as the
            tag ``"_"`` and counted in the report.
    """
    if tag not in TAG_COLUMNS:
        raise ValueError(f"tag must be one of {sorted(TAG_COLUMNS)}, received {tag!r}")
    data_dir = os.fspath(data_dir)
    if os.path.isfile(data_dir):
        files = {"train": data_dir}
    else:
        files = find_conllu_files(data_dir)
    report = ReadReport(source=data_dir)
    splits = {
        split: _read_file(path, split, TAG_COLUMNS[tag], report) for split, path in files.items()
    }
    return SequenceLabellingDataset(splits=splits, report=report, tag_scheme="pos")


# CoNLL-U's ID column: a word index, a multi-word token's range, or an empty node.
_ID = re.compile(r"[0-9]+(-[0-9]+|\.[0-9]+)?")


def _read_file(path, split, column, report) -> list[SequenceExample]:
    examples, words, tags = [], [], []
    report.add(split, "examples", 0)

    def flush():
        if words:
            examples.append(SequenceExample(tuple(words), tuple(tags)))
            report.add(split, "examples")
            report.add(split, "words", len(words))
            words.clear()
            tags.clear()

    for number, text in iter_lines(path):
        if not text.strip():
            flush()
            continue
        if text.startswith("#"):
            continue  # sentence metadata (sent_id, text), not items
        fields = text.split("\t")
        if len(fields) != 10:
            raise DataFormatError(
                path, f"expected 10 tab-separated columns, found {len(fields)}", number)
        if not _ID.fullmatch(fields[0]):
            raise DataFormatError(path, f"invalid ID {fields[0]!r} in column 1: expected a "
                                  "word index (3), a range (3-4) or an empty node (3.1)",
                                  number)
        if "-" in fields[0]:
            report.skip(split, "multi-word-token lines")
        elif "." in fields[0]:
            report.skip(split, "empty-node lines")
        elif fields[column] == "_" and column == TAG_COLUMNS["upos"]:
            raise DataFormatError(path, f"word {fields[1]!r} has no UPOS tag (column 4 is _)",
                                  number)
        else:
            if fields[column] == "_":  # XPOS is optional in UD: "_" is its own tag here
                report.add(split, "words without an XPOS tag (tagged _)")
            words.append(fields[1])
            tags.append(fields[column])
    flush()
    if not examples:
        raise DataFormatError(path, "no sentences found")
    return examples
