"""Validation splits carved from a training split, stable when the file is reordered.

Datasets such as TREC ship no validation split. Taking "the last 10%" would change
with every reordering of the file; here each example goes to validation by a hash
of its text, so the same examples are held out whatever the order, on any
machine (the hash is SHA-256, not Python's per-process `hash`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence


def in_held_out_part(key: str, fraction: float, salt: str = "valid") -> bool:
    """True when `key` falls in the held-out `fraction` (by SHA-256 of salt + key)."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1), got {fraction}")
    digest = hashlib.sha256(f"{salt}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def hash_split(items: Sequence, fraction: float, key: Callable[[object], str],
               salt: str = "valid") -> tuple[list, list]:
    """Splits `items` into (kept, held out) by a hash of `key(item)`; order is kept.

    Items with the same key (duplicate texts) always land on the same side, so a
    validation example never has a copy in training.

    Args:
        items: the training examples.
        fraction: the expected share held out, in (0, 1).
        key: the text an item is hashed by.
        salt: another salt gives another, independent split.

    Raises:
        ValueError: `fraction` outside (0, 1).

    Example:
        >>> train, valid = hash_split(["a", "b", "c"], 0.5, key=str)
    """
    kept, held_out = [], []
    for item in items:
        (held_out if in_held_out_part(key(item), fraction, salt) else kept).append(item)
    return kept, held_out
