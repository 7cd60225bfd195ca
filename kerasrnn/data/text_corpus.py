"""Plain-text corpora for character language models.

A corpus is one UTF-8 file (CRLF line endings are accepted and turned into
LF; Chinese and other scripts are read as they are). Project Gutenberg e-books
carry a header and a long licence after the text; ``strip_gutenberg=True``
removes both and the report says how many lines went.

Split by position (documented contract): the text is cut into consecutive
parts, ``train`` first, then ``valid``, then ``test``; e.g. with
``valid_fraction=0.1`` the last 10% of the characters are validation. Cuts are
moved back to the start of the line they fall in, so no line is split between
two parts (unless the text is a single line). Positional splits keep the
held-out text unseen as a whole, which a random split of overlapping windows
would not.
"""

from __future__ import annotations

import os
import re

from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.examples import TextCorpus
from kerasrnn.data.report import ReadReport
from kerasrnn.data.text_files import read_lines

# Markers used by Project Gutenberg since the 1990s (case and wording vary).
_GUTENBERG_START = re.compile(r"^\s*\*{3}\s*START OF (THIS|THE) PROJECT GUTENBERG", re.I)
_GUTENBERG_END = re.compile(
    r"^\s*(\*{3}\s*END OF (THIS|THE) PROJECT GUTENBERG|End of (the )?Project Gutenberg)", re.I)


def strip_gutenberg_boilerplate(lines: list[str]) -> tuple[list[str], int, int]:
    """Returns ``(lines, removed_before, removed_after)`` without Gutenberg header and licence.

    The header ends at a ``*** START OF THE PROJECT GUTENBERG EBOOK`` line; the
    licence starts at the first ``End of the Project Gutenberg EBook`` or
    ``*** END OF THE PROJECT GUTENBERG EBOOK`` line. Missing markers remove
    nothing. Blank lines before the end marker go with the licence.
    """
    start = next((i + 1 for i, line in enumerate(lines) if _GUTENBERG_START.match(line)), 0)
    end = next(
        (i for i in range(start, len(lines)) if _GUTENBERG_END.match(lines[i])), len(lines))
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end], start, len(lines) - end


def read_text_corpus(
    path: str | os.PathLike,
    valid_fraction: float = 0.1,
    test_fraction: float = 0.0,
    strip_gutenberg: bool = False,
    skip_lines: int = 0,
) -> TextCorpus:
    """Reads a UTF-8 text file and splits it by position.

    Args:
        path: the text file.
        valid_fraction: share of characters, taken after ``train``, for ``valid``.
        test_fraction: share of characters at the very end for ``test``
            (no ``test`` split when 0).
        strip_gutenberg: remove Project Gutenberg header and licence text.
        skip_lines: lines to drop at the start (e.g. a website header); counted.

    Raises:
        DataFormatError: a missing or empty file, bytes that are not UTF-8, or
            a text too short to give every split at least one line.
    """
    if not (0 <= valid_fraction < 1 and 0 <= test_fraction < 1
            and valid_fraction + test_fraction < 1):
        raise ValueError(
            "valid_fraction and test_fraction must be in [0, 1) with a sum below 1, received "
            f"{valid_fraction} and {test_fraction}")
    path = os.fspath(path)
    lines = read_lines(path)
    report = ReadReport(source=path)
    if skip_lines:
        report.note("skipped the first line" if skip_lines == 1
                    else f"skipped the first {skip_lines} lines")
        lines = lines[skip_lines:]
    if strip_gutenberg:
        lines, before, after = strip_gutenberg_boilerplate(lines)
        report.note(f"removed Gutenberg boilerplate: {before} lines before, {after} after")
    text = "\n".join(lines).strip("\n") + "\n"
    if not text.strip():
        raise DataFormatError(path, "no text left after removing boilerplate")
    splits = _split_by_position(text, valid_fraction, test_fraction, path)
    for split, part in splits.items():
        report.add(split, "lines", part.count("\n"))
        report.add(split, "characters", len(part))
    report.note(f"{len(set(text))} distinct characters in the whole text")
    return TextCorpus(splits=splits, report=report)


def _split_by_position(text, valid_fraction, test_fraction, path) -> dict[str, str]:
    def cut(fraction_before_end):
        position = round(len(text) * (1 - fraction_before_end))
        line_start = text.rfind("\n", 0, position) + 1  # back to the start of the line
        return line_start or position  # a text of one long line is cut mid-line

    valid_start = cut(valid_fraction + test_fraction) if valid_fraction else None
    test_start = cut(test_fraction) if test_fraction else None
    ends = [p for p in (valid_start, test_start) if p is not None] + [len(text)]
    names = ["train"] + (["valid"] if valid_fraction else []) + (["test"] if test_fraction else [])
    splits, begin = {}, 0
    for name, end in zip(names, ends, strict=True):
        if end <= begin:
            raise DataFormatError(
                path, f"the text ({text.count(chr(10))} lines) is too short to give the "
                f"{name} split a line of its own")
        splits[name], begin = text[begin:end], end
    return splits
