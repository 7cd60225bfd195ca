"""Vocabularies as Keras ``StringLookup`` layers.

Conventions shared by all lookups here, so models can rely on them:

* id 0 is padding: the mask token ``""`` (what `tokenize` and the pipelines pad
  with) maps to 0, so ``mask_zero=True`` embeddings mask it;
* id 1 is the out-of-vocabulary bucket ``[UNK]`` — the "other" dimension of a
  1-of-N encoding: every word not in the vocabulary lands there;
* ids 2… are the vocabulary, most frequent first (ties alphabetical, so the
  order is deterministic).

With ``min_count=2`` words seen once in training are left out and therefore
trained as ``[UNK]``, which teaches the model what to do with unseen words.
The layers serialise their vocabulary with the model (no pickles).
"""

from __future__ import annotations

import collections
import json
import os
from collections.abc import Iterable

import keras

PAD = ""
OOV = "[UNK]"


def count_tokens(sequences: Iterable[Iterable[str]]) -> collections.Counter:
    """Counts tokens over sequences (lists of tokens, or strings for characters)."""
    counts = collections.Counter()
    for sequence in sequences:
        counts.update(sequence)
    return counts


def build_vocabulary(
    sequences: Iterable[Iterable[str]], min_count: int = 1, max_size: int | None = None,
    reserved: tuple[str, ...] = (),
) -> list[str]:
    """Returns the tokens seen at least ``min_count`` times, most frequent first.

    ``reserved`` tokens (e.g. ``[START]``, ``[END]``) come first whatever their
    counts. The padding and OOV tokens are never part of the returned list.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, received {min_count}")
    counts = count_tokens(sequences)
    counts.pop(PAD, None)
    counts.pop(OOV, None)
    ranked = sorted((t for t, n in counts.items() if n >= min_count and t not in reserved),
                    key=lambda t: (-counts[t], t))
    return list(reserved) + (ranked[:max_size] if max_size is not None else ranked)


def make_lookup(vocabulary: list[str], invert: bool = False, name: str | None = None):
    """Returns a ``StringLookup`` with id 0 = padding ``""`` and id 1 = ``[UNK]``."""
    return keras.layers.StringLookup(
        vocabulary=list(vocabulary), mask_token=PAD, oov_token=OOV, num_oov_indices=1,
        invert=invert, name=name)


def make_token_lookup(sentences, min_count: int = 1, max_size: int | None = None,
                      reserved: tuple[str, ...] = (), name=None):
    """Builds a word lookup from training sentences (lists of tokens).

    Args:
        sentences: token lists of the *training* split only.
        min_count: 2 trains words seen once as ``[UNK]``.
        max_size: keep at most this many words (plus padding, ``[UNK]`` and reserved).
        reserved: tokens given ids 2, 3, … whatever their counts (``[START]``, ``[END]``).
    """
    return make_lookup(build_vocabulary(sentences, min_count, max_size, reserved), name=name)


def make_tag_lookup(tag_sequences, name=None):
    """Builds a tag (or label) lookup; tags unseen in training map to ``[UNK]`` (id 1).

    Evaluation data may hold tags that training lacks (ATIS test does); they
    count as errors instead of crashing the pipeline.
    """
    return make_lookup(build_vocabulary(tag_sequences), name=name)


def make_label_lookup(labels: Iterable[str | None], name=None):
    """Builds a sentence-label lookup (intents, classes) from training labels."""
    return make_tag_lookup([[label] for label in labels if label is not None], name=name)


def make_char_lookup(texts: Iterable[str], min_count: int = 1, name=None):
    """Builds a character lookup from texts (thousands of symbols for Chinese are fine)."""
    return make_lookup(build_vocabulary(texts, min_count), name=name)


def oov_rate(sentences, lookup) -> float:
    """Returns the share of tokens in ``sentences`` that ``lookup`` maps to ``[UNK]``."""
    known = set(lookup.get_vocabulary())
    total = unknown = 0
    for sentence in sentences:
        total += len(sentence)
        unknown += sum(1 for token in sentence if token not in known)
    return unknown / total if total else 0.0


def save_vocabulary(path: str | os.PathLike, lookup) -> None:
    """Writes a lookup's vocabulary (padding and ``[UNK]`` included) as JSON."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(lookup.get_vocabulary(), handle, ensure_ascii=False, indent=0)


def load_vocabulary(path: str | os.PathLike, invert: bool = False, name=None):
    """Reads a JSON vocabulary written by `save_vocabulary` back into a lookup."""
    with open(path, encoding="utf-8") as handle:
        vocabulary = json.load(handle)
    if vocabulary[:2] != [PAD, OOV]:
        raise ValueError(
            f"{path}: a vocabulary must start with {[PAD, OOV]}, found {vocabulary[:2]}")
    return make_lookup(vocabulary[2:], invert=invert, name=name)
