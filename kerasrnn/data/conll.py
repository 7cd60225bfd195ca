"""CoNLL column files (CoNLL-2003 and CoNLL-2002 style NER data).

One token per line, columns separated by spaces (or tabs), a blank line after
each sentence, and ``-DOCSTART-`` lines between documents. The tag column is
configurable (default: the last one). The span scheme is detected per dataset
(IOB1 or IOB2) and converted to the one asked for (IOB2 or BIOES).
"""

from __future__ import annotations

import os

from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.examples import SequenceExample, SequenceLabellingDataset
from kerasrnn.data.report import ReadReport
from kerasrnn.data.tagging_schemes import (
    SCHEMES,
    check_bio_tag,
    convert,
    looks_like_iob1,
    repair_span_starts,
)
from kerasrnn.data.text_files import iter_lines

SPLIT_FILES = {"train": "train.txt", "valid": "valid.txt", "test": "test.txt"}


def read_conll(
    data_dir: str | os.PathLike,
    tag_column: int = -1,
    scheme: str = "iob2",
    input_scheme: str = "auto",
    on_invalid_span_start: str = "convert",
    split_files: dict[str, str] | None = None,
) -> SequenceLabellingDataset:
    """Reads and validates every split of a CoNLL NER folder.

    Args:
        data_dir: folder holding ``train.txt``, ``valid.txt`` and ``test.txt``.
        tag_column: 0-based column of the tags; negative counts from the end.
        scheme: the output scheme, ``"iob2"`` or ``"bioes"``.
        input_scheme: ``"auto"`` detects IOB1 vs IOB2 over all splits;
            ``"iob1"`` or ``"iob2"`` force one.
        on_invalid_span_start: for IOB2 input, ``"convert"`` turns a
            span-initial ``I-`` tag into ``B-`` (counted in the report);
            ``"reject"`` raises `DataFormatError`. IOB1 input is always
            converted, since span-initial ``I-`` is correct there.
        split_files: ``split -> file name`` to read other names (e.g.
            ``{"train": "esp.train", "valid": "esp.testa", "test": "esp.testb"}``).

    Returns:
        A `SequenceLabellingDataset` in ``scheme``; ``intent`` is ``None``.

    Raises:
        DataFormatError: a missing/empty file, a file without sentences,
            invalid UTF-8, a token line of one column, a token line whose
            column count differs from the file's first token line, or a tag
            that is not ``O``, ``B-TYPE`` or ``I-TYPE`` (``TYPE`` any non-empty
            string; BIOES ``E-``/``S-`` input is rejected, the files must be
            IOB1 or IOB2).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, received {scheme!r}")
    if input_scheme not in ("auto", "iob1", "iob2"):
        raise ValueError(
            f"input_scheme must be 'auto', 'iob1' or 'iob2', received {input_scheme!r}")
    data_dir = os.fspath(data_dir)
    report = ReadReport(source=data_dir)
    paths = {split: os.path.join(data_dir, name)
             for split, name in (split_files or SPLIT_FILES).items()}
    raw = {split: _read_sentences(path, split, tag_column, report)
           for split, path in paths.items()}
    if input_scheme == "auto":
        all_tags = [tags for sentences in raw.values() for _, _, tags in sentences]
        input_scheme = "iob1" if looks_like_iob1(all_tags) else "iob2"
        report.note(f"detected tag scheme {input_scheme.upper()}")
    if input_scheme == "iob1":
        on_invalid_span_start = "convert"  # span-initial I- is how IOB1 starts spans
    splits = {
        split: _to_examples(sentences, paths[split], split, report, scheme,
                            f"{input_scheme.upper()} I- tags converted to B-",
                            on_invalid_span_start)
        for split, sentences in raw.items()
    }
    if scheme != "iob2":
        report.note(f"tags converted to {scheme.upper()}")
    return SequenceLabellingDataset(splits=splits, report=report, tag_scheme=scheme)


def _to_examples(sentences, path, split, report, scheme, counted_as, on_invalid):
    """Repairs span starts (counted under ``counted_as``) and converts to ``scheme``."""
    examples = []
    for line, tokens, tags in sentences:
        tags, converted = repair_span_starts(tags, on_invalid, path, line, line_per_token=True)
        if converted:
            report.add(split, counted_as, converted)
        examples.append(SequenceExample(tokens, convert(tags, scheme)))
    return examples


def _read_sentences(path, split, tag_column, report) -> list[tuple[int, tuple, tuple]]:
    """Returns ``(first_line, tokens, tags)`` per sentence of one file.

    A line that is empty or holds only white space ends a sentence; so does a
    ``-DOCSTART-`` line. Raises `DataFormatError` as listed in `read_conll`.
    """
    sentences, tokens, tags = [], [], []
    start, width = 0, None
    report.add(split, "examples", 0)

    def flush():
        if tokens:
            sentences.append((start, tuple(tokens), tuple(tags)))
            report.add(split, "examples")
            report.add(split, "tokens", len(tokens))
            tokens.clear()
            tags.clear()

    for number, text in iter_lines(path):
        columns = text.split()
        if not columns:
            flush()
        elif columns[0] == "-DOCSTART-":
            flush()
            report.add(split, "documents")
        else:
            if len(columns) < 2:
                raise DataFormatError(
                    path, f"expected a token and its tag (two or more columns separated "
                    f"by spaces or tabs), found one: {columns[0]!r}", number)
            if width is None:
                width = len(columns)
                if not -width <= tag_column < width:
                    raise DataFormatError(
                        path, f"tag column {tag_column} does not exist in a line of "
                        f"{width} columns", number)
            elif len(columns) != width:
                raise DataFormatError(
                    path, f"expected {width} columns (as on the first token line), "
                    f"found {len(columns)}", number)
            if not tokens:
                start = number
            check_bio_tag(columns[tag_column], path, number)
            tokens.append(columns[0])
            tags.append(columns[tag_column])
    flush()
    if not sentences:
        raise DataFormatError(path, "no sentences found (only blank or -DOCSTART- lines)")
    return sentences
