"""What a reader read: counts per split, conversions, and skipped items."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class ReadReport:
    """Counts a reader collected, so that nothing is dropped or changed silently.

    Attributes:
        source: the file or folder that was read.
        counts: ``split -> {quantity -> number}``, in the order first
            recorded: ``"examples"`` (sentences, pairs; for a corpus
            ``"lines"`` and ``"characters"``), ``"tokens"``,
            ``"I- tags converted to B-"``, ...
        skipped: ``split -> {reason -> number}`` of items that were read but
            not turned into examples (comment lines, multi-word tokens, ...).
        notes: free-form remarks (detected tag scheme, unlabelled splits, ...).
    """

    source: str
    counts: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    skipped: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)

    def add(self, split: str, quantity: str, number: int = 1) -> None:
        """Adds ``number`` to the count of ``quantity`` in ``split``."""
        per_split = self.counts.setdefault(split, {})
        per_split[quantity] = per_split.get(quantity, 0) + number

    def skip(self, split: str, reason: str, number: int = 1) -> None:
        """Records that ``number`` items of ``split`` were skipped for ``reason``."""
        per_split = self.skipped.setdefault(split, {})
        per_split[reason] = per_split.get(reason, 0) + number

    def note(self, text: str) -> None:
        """Adds a remark, once."""
        if text not in self.notes:
            self.notes.append(text)

    def count(self, split: str, quantity: str = "examples") -> int:
        """Returns a count, 0 when it was never recorded."""
        return self.counts.get(split, {}).get(quantity, 0)

    def total(self, quantity: str) -> int:
        """Returns the count of ``quantity`` summed over all splits."""
        return sum(c.get(quantity, 0) for c in self.counts.values())

    def summary(self) -> str:
        """Returns a few human-readable lines, one per split, for a CLI to print."""
        lines = [f"read {self.source}"]
        for split, counts in self.counts.items():
            parts = [f"{n} {counted(quantity, n)}" for quantity, n in counts.items()]
            skipped = self.skipped.get(split, {})
            parts += [f"skipped {n} {counted(reason, n)}" for reason, n in skipped.items()]
            lines.append(f"  {split}: " + ", ".join(parts))
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


# The plural nouns the readers count in; `counted` writes their singular after a 1.
PLURALS = {"examples", "tokens", "documents", "lines", "words", "characters", "utterances",
           "tags", "sentences"}


def counted(quantity: str, number: int) -> str:
    """``quantity`` as it reads after ``number``: "1 document", "1 blank line", "2 lines"."""
    if number != 1:
        return quantity
    words = quantity.split(" ")
    for i, word in enumerate(words):
        if word in PLURALS:
            words[i] = word[:-1]
            break
    return " ".join(words)
