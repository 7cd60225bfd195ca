"""Parallel sentence pairs (Tatoeba/Anki "manythings" files).

One pair per line, two or three tab-separated columns (newer files add an
attribution column). Lines holding only white space and no tab (a blank line at
the end of a hand-made file) are skipped and counted in the report; any other
line must be a pair. Which column is the source and which the target is chosen
by the caller: the shared ``spa-eng.txt`` is ``English<TAB>Spanish``.

Split contract (deterministic, documented): the files have no split, and one
sentence often has several translations. Pairs are grouped into connected
components (two pairs are connected when they share their source *or* their
target sentence); each component goes whole to one split, so no sentence of
either language appears in two splits. Components are ordered by a hash of
their smallest pair (independent of file order and of Python's hash seed) and
assigned in that order until ``train`` then ``valid`` hold their share of the
pairs; the rest is ``test``.
"""

from __future__ import annotations

import hashlib
import os

from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.examples import ParallelDataset, SentencePair
from kerasrnn.data.report import ReadReport
from kerasrnn.data.text_files import iter_lines


def read_parallel_pairs(
    path: str | os.PathLike,
    source_column: int = 0,
    target_column: int = 1,
    valid_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
) -> ParallelDataset:
    """Reads a tab-separated pairs file and splits it without sentence overlap.

    Args:
        path: the pairs file.
        source_column, target_column: 0-based columns (``1, 0`` reads
            ``English<TAB>Spanish`` as Spanish → English). Either order gives
            the same split: pairs are grouped and split in column order.
        valid_fraction, test_fraction: approximate shares of the pairs.
        seed: changes the (still deterministic) assignment of groups to splits.

    Raises:
        DataFormatError: a missing/empty file, invalid UTF-8, a line with
            other than 2 or 3 columns, or an empty source/target sentence.
    """
    if {source_column, target_column} - {0, 1, 2} or source_column == target_column:
        raise ValueError(
            "source_column and target_column must be two different columns among 0, 1, 2; "
            f"received {source_column} and {target_column}")
    path = os.fspath(path)
    report = ReadReport(source=path)
    pairs, blank = [], 0
    for number, text in iter_lines(path):
        if not text.strip() and "\t" not in text:
            blank += 1
            continue
        fields = text.split("\t")
        if len(fields) not in (2, 3) or max(source_column, target_column) >= len(fields):
            raise DataFormatError(
                path, "expected 2 or 3 tab-separated columns (with columns "
                f"{source_column + 1} and {target_column + 1}), found {len(fields)}", number)
        source, target = fields[source_column].strip(), fields[target_column].strip()
        if not source or not target:
            empty = " and ".join(f"column {c + 1}" for c in (source_column, target_column)
                                 if not fields[c].strip())
            raise DataFormatError(path, f"empty source or target sentence ({empty})", number)
        pairs.append(SentencePair(source, target))
    # Grouped and split in the file's column order, so that both directions of a
    # file get the same split (no test sentence of one direction is trained on
    # by the other).
    flipped = source_column > target_column
    in_file_order = [SentencePair(p.target, p.source) for p in pairs] if flipped else pairs
    groups = group_pairs(in_file_order)
    splits = assign_groups(groups, valid_fraction, test_fraction, seed)
    if flipped:
        splits = {name: [SentencePair(p.target, p.source) for p in members]
                  for name, members in splits.items()}
    for split, members in splits.items():
        report.add(split, "examples", len(members))
    report.note(f"{len(groups)} groups of pairs sharing a sentence, kept within one split")
    if blank:
        report.note(f"{blank} blank line{'s' if blank > 1 else ''} skipped")
    return ParallelDataset(splits=splits, report=report)


def group_pairs(pairs: list[SentencePair]) -> list[list[SentencePair]]:
    """Returns the connected components of pairs linked by a shared sentence (union-find)."""
    parent = list(range(len(pairs)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving keeps the trees flat
            i = parent[i]
        return i

    first_seen = {}
    for i, pair in enumerate(pairs):
        # Sources and targets are keyed apart: the same string in both
        # languages ("No.") is two different sentences.
        for key in (("s", pair.source), ("t", pair.target)):
            j = first_seen.setdefault(key, i)
            parent[root(i)] = root(j)
    components = {}
    for i, pair in enumerate(pairs):
        components.setdefault(root(i), []).append(pair)
    return list(components.values())


def assign_groups(groups, valid_fraction, test_fraction, seed) -> dict[str, list[SentencePair]]:
    """Assigns whole groups to train/valid/test in hash order (see the module docstring)."""

    def key(group):
        smallest = min((p.source, p.target) for p in group)
        return hashlib.sha1(f"{seed}\t{smallest[0]}\t{smallest[1]}".encode()).hexdigest()

    total = sum(len(group) for group in groups)
    limits = {"train": total * (1 - valid_fraction - test_fraction),
              "valid": total * (1 - test_fraction)}
    splits = {"train": [], "valid": [], "test": []}
    assigned = 0
    for group in sorted(groups, key=key):
        split = next((s for s in ("train", "valid") if assigned < limits[s]), "test")
        splits[split].extend(group)
        assigned += len(group)
    return splits
