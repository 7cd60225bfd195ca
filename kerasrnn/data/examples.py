"""The plain-Python structures every reader returns.

Readers return these dataclasses rather than tensors so that applications can
inspect, count and validate the data before any model is built; the builders in
`kerasrnn.data.pipelines` turn them into ``tf.data`` pipelines.
"""

from __future__ import annotations

import dataclasses

from kerasrnn.data.report import ReadReport


@dataclasses.dataclass(frozen=True)
class SequenceExample:
    """One sentence with one tag per token, and optionally a sentence label.

    Attributes:
        tokens: the words, as read (no normalisation).
        tags: one tag per token (BIO slot tags, NER tags, POS tags).
        intent: the sentence label (ATIS intent), ``None`` when there is none.
            Multi-intents such as ``atis_flight#atis_airfare`` are kept whole.
        focus: token positions whose tag is decided by distant context (the
            built-in flight data marks the city after "arrive"/"leave"), so a
            demo can score exactly those; empty for data read from files.
    """

    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    intent: str | None = None
    focus: tuple[int, ...] = ()


@dataclasses.dataclass
class SequenceLabellingDataset:
    """Splits of `SequenceExample` (slot filling, NER, POS tagging).

    Attributes:
        splits: ``"train"``, ``"valid"``, ``"test"`` -> examples, in file order.
        report: what was read, converted and skipped.
        tag_scheme: ``"iob2"``, ``"bioes"`` or ``"pos"`` (tags that are not spans).
    """

    splits: dict[str, list[SequenceExample]]
    report: ReadReport
    tag_scheme: str = "iob2"

    def tags(self, split: str | None = None) -> list[str]:
        """Returns the sorted distinct tags of one split, or of all splits."""
        return _distinct(self.splits, split, lambda e: e.tags)

    def intents(self, split: str | None = None) -> list[str]:
        """Returns the sorted distinct intents (``[]`` when the data has none)."""
        return _distinct(self.splits, split, lambda e: [e.intent] if e.intent else [])

    def summary(self) -> str:
        """Returns the read report as text, for a CLI to print."""
        return self.report.summary()


@dataclasses.dataclass(frozen=True)
class TextExample:
    """One text with its label; ``label`` is ``None`` in unlabelled splits."""

    text: str
    label: str | None


@dataclasses.dataclass
class ClassificationDataset:
    """Splits of `TextExample` (TREC, SST-2, generic ``label<TAB>text`` files)."""

    splits: dict[str, list[TextExample]]
    report: ReadReport

    def labels(self, split: str | None = None) -> list[str]:
        """Returns the sorted distinct labels (unlabelled examples are ignored)."""
        return _distinct(self.splits, split, lambda e: [e.label] if e.label is not None else [])

    def summary(self) -> str:
        """Returns the read report as text, for a CLI to print."""
        return self.report.summary()


@dataclasses.dataclass
class TextCorpus:
    """A plain-text corpus for character language models, split by position.

    Attributes:
        splits: ``"train"``, ``"valid"`` (and ``"test"`` when asked for) -> text.
        report: counts of lines, characters and removed boilerplate.
    """

    splits: dict[str, str]
    report: ReadReport

    def characters(self, split: str | None = None) -> list[str]:
        """Returns the sorted distinct characters (newline included)."""
        texts = self.splits.values() if split is None else [self.splits[split]]
        return sorted(set().union(*map(set, texts)))

    def summary(self) -> str:
        """Returns the read report as text, for a CLI to print."""
        return self.report.summary()


@dataclasses.dataclass(frozen=True)
class SentencePair:
    """A source sentence and its translation."""

    source: str
    target: str


@dataclasses.dataclass
class ParallelDataset:
    """Splits of `SentencePair`, in which no sentence occurs in two splits."""

    splits: dict[str, list[SentencePair]]
    report: ReadReport

    def summary(self) -> str:
        """Returns the read report as text, for a CLI to print."""
        return self.report.summary()


def _distinct(splits, split, values_of) -> list[str]:
    chosen = splits.values() if split is None else [splits[split]]
    return sorted({v for examples in chosen for e in examples for v in values_of(e)})
