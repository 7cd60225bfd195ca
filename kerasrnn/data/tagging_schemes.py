"""Span tag schemes: detecting IOB1 vs IOB2, repairing and converting tags.

IOB1 (the original CoNLL-2003 files) starts a span with ``I-`` and uses ``B-``
only between two adjacent spans of the same type. IOB2 starts every span with
``B-``. BIOES additionally marks single-token spans ``S-`` and span ends ``E-``.
Everything here works on one sentence's tags at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from kerasrnn.data.errors import DataFormatError

SCHEMES = ("iob2", "bioes")


def check_bio_tag(tag: str, path, line: int) -> None:
    """Raises `DataFormatError` unless ``tag`` is ``O``, ``B-TYPE`` or ``I-TYPE``.

    ``TYPE`` is any non-empty string (``B-creative-work`` is valid). Without
    this check ``X-PER``, ``B-`` or ``BPER`` would pass as entity types of
    their own and only show up as odd labels after training. Read by the
    CoNLL and the slot-filling (``seq.out``) readers.
    """
    if tag == "O" or (len(tag) > 2 and tag[:2] in ("B-", "I-")):
        return
    problem = f"invalid tag {tag!r}: expected O, B-TYPE or I-TYPE"
    if len(tag) > 2 and tag[:2] in ("E-", "S-"):
        problem += " (BIOES input is not read; use IOB1 or IOB2 files)"
    raise DataFormatError(path, problem, line)


def split_tag(tag: str) -> tuple[str, str]:
    """Returns ``(prefix, type)``: ``"B-LOC" -> ("B", "LOC")``, ``"O" -> ("O", "")``."""
    if len(tag) > 2 and tag[1] == "-" and tag[0] in "BIES":
        return tag[0], tag[2:]
    return "O", "" if tag == "O" else tag


def span_starting_inside(tags: Sequence[str]) -> list[int]:
    """Returns the positions of ``I-`` tags that start a span.

    Such a tag follows ``O``, the sentence start, or a tag of another type. It
    is correct in IOB1 and an error in IOB2.
    """
    positions = []
    previous_type = ""
    for i, tag in enumerate(tags):
        prefix, kind = split_tag(tag)
        if prefix == "I" and kind != previous_type:
            positions.append(i)
        previous_type = kind if prefix != "O" else ""
    return positions


def looks_like_iob1(sentences: Sequence[Sequence[str]]) -> bool:
    """Guesses the scheme of a corpus: IOB1 when spans start with ``I-``.

    A corpus is IOB1 when span-initial ``I-`` tags exist and every ``B-`` tag
    directly follows a span of the same type (the only place IOB1 uses ``B-``).
    A corpus with span-initial ``I-`` tags *and* other ``B-`` tags is IOB2 with
    errors; those are repaired or rejected by the reader.
    """
    inside_starts = 0
    for tags in sentences:
        inside_starts += len(span_starting_inside(tags))
        previous_type = ""
        for tag in tags:
            prefix, kind = split_tag(tag)
            if prefix == "B" and kind != previous_type:
                return False
            previous_type = kind if prefix != "O" else ""
    return inside_starts > 0


def to_iob2(tags: Sequence[str]) -> tuple[str, ...]:
    """Returns the tags with every span-initial ``I-X`` replaced by ``B-X``."""
    fixed = list(tags)
    for i in span_starting_inside(tags):
        fixed[i] = "B-" + fixed[i][2:]
    return tuple(fixed)


def iob2_to_bioes(tags: Sequence[str]) -> tuple[str, ...]:
    """Converts IOB2 tags to BIOES (``B``egin, ``I``nside, ``O``utside, ``E``nd, ``S``ingle)."""
    result = []
    for i, tag in enumerate(tags):
        prefix, kind = split_tag(tag)
        if prefix == "O":
            result.append(tag)
            continue
        following = split_tag(tags[i + 1]) if i + 1 < len(tags) else ("O", "")
        continues = following == ("I", kind)
        if prefix == "B":
            result.append(("B-" if continues else "S-") + kind)
        else:
            result.append(("I-" if continues else "E-") + kind)
    return tuple(result)


def convert(tags: Sequence[str], scheme: str) -> tuple[str, ...]:
    """Converts IOB2 tags to ``scheme`` (``"iob2"`` leaves them unchanged)."""
    if scheme not in SCHEMES:
        raise ValueError(f"tag scheme must be one of {SCHEMES}, received {scheme!r}")
    return tuple(tags) if scheme == "iob2" else iob2_to_bioes(tags)


def repair_span_starts(
    tags: Sequence[str], on_invalid: str, path, line: int, line_per_token: bool = False
) -> tuple[tuple[str, ...], int]:
    """Repairs (or rejects) ``I-`` tags that start a span in IOB2 data.

    Args:
        tags: one sentence's tags.
        on_invalid: ``"convert"`` to turn them into ``B-`` tags, or
            ``"reject"`` to raise `DataFormatError`.
        path, line: where the sentence is, for the error message.
        line_per_token: ``True`` for column files (token ``i`` is on line
            ``line + i``); ``False`` when the whole sentence is one line.

    Returns:
        ``(tags, number_of_converted_tags)``.
    """
    if on_invalid not in ("convert", "reject"):
        raise ValueError(f"on_invalid must be 'convert' or 'reject', received {on_invalid!r}")
    positions = span_starting_inside(tags)
    if positions and on_invalid == "reject":
        i = positions[0]
        before = tags[i - 1] if i else "the sentence start"
        raise DataFormatError(
            path, f"tag {tags[i]!r} at token {i + 1} starts a span (after {before}); "
            "IOB2 spans start with B-", line + i if line_per_token else line)
    return (to_iob2(tags) if positions else tuple(tags)), len(positions)


def spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """The chunks of a BIO (IOB1, IOB2 or BIOES) tag sequence as (type, first, last).

    `last` is inclusive. Chunk boundaries are conlleval's, as computed by seqeval
    (the library that scores slot F1 and NER F1 here), so the spans a model's
    `predict` shows are the ones its F1 counted: an `I-X` after `O` or after another
    type starts a chunk.

    Example:
        >>> spans(["B-PER", "I-PER", "O", "I-LOC"])
        [('PER', 0, 1), ('LOC', 3, 3)]
    """
    # Imported here so that `import kerasrnn` stays light (seqeval pulls in more).
    from seqeval.metrics.sequence_labeling import get_entities

    return [(kind, first, last) for kind, first, last in get_entities(list(tags))]
