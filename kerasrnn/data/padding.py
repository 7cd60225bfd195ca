"""How much of a padded batch is padding, with and without length bucketing.

Recurrent layers still spend work on padded steps (and cuDNN kernels need the
padding on the right), so batching sentences of similar length saves time.
These functions predict the padding fraction from the sentence lengths alone,
emulating exactly what ``padded_batch`` and ``bucket_by_sequence_length`` do
for a given order of examples.
"""

from __future__ import annotations

import dataclasses

import numpy as np


def length_boundaries(lengths, num_buckets: int = 8) -> list[int]:
    """Returns bucket boundaries at the length quantiles (bucket ``i``: ``b[i-1] <= n < b[i]``)."""
    if num_buckets < 2 or len(lengths) == 0:
        return []
    quantiles = np.quantile(np.asarray(lengths), np.linspace(0, 1, num_buckets + 1)[1:-1])
    return sorted({int(q) + 1 for q in quantiles})


def padding_fraction(lengths, batch_size: int, boundaries: list[int] | None = None) -> float:
    """Returns padded steps / all steps for batches formed in the given order.

    Without ``boundaries`` consecutive examples form a batch (``padded_batch``);
    with them each example joins the batch of its length bucket, a full batch
    is emitted at once, and partial batches are emitted at the end
    (``bucket_by_sequence_length``). Each batch is padded to its longest example.
    """
    batches = _batches(list(lengths), batch_size, boundaries)
    steps = sum(max(batch) * len(batch) for batch in batches)
    return 1.0 - sum(lengths) / steps if steps else 0.0


def _batches(lengths, batch_size, boundaries):
    if not boundaries:
        return [lengths[i:i + batch_size] for i in range(0, len(lengths), batch_size)]
    buckets = [[] for _ in range(len(boundaries) + 1)]
    batches = []
    for length in lengths:
        bucket = buckets[int(np.searchsorted(boundaries, length, side="right"))]
        bucket.append(length)
        if len(bucket) == batch_size:
            batches.append(list(bucket))
            bucket.clear()
    return batches + [bucket for bucket in buckets if bucket]


@dataclasses.dataclass
class PaddingReport:
    """Padding fractions of one pipeline, without and with length bucketing."""

    unbucketed: float
    bucketed: float
    boundaries: list[int]
    batch_size: int

    def summary(self) -> str:
        """One line for a CLI to print."""
        return (f"padding fraction: {self.unbucketed:.1%} without bucketing, "
                f"{self.bucketed:.1%} with {len(self.boundaries) + 1} length buckets "
                f"(batch size {self.batch_size})")


def padding_report(lengths, batch_size: int, boundaries: list[int] | None = None,
                   seed: int | None = 0) -> PaddingReport:
    """Predicts the padding fraction of shuffled batches with and without bucketing.

    The examples are put in a random order drawn from ``seed`` (``None``: file
    order), standing in for the pipeline's shuffle.
    """
    lengths = np.asarray(list(lengths))
    if seed is not None:
        lengths = lengths[np.random.default_rng(seed).permutation(len(lengths))]
    if boundaries is None:
        boundaries = length_boundaries(lengths)
    return PaddingReport(
        unbucketed=padding_fraction(lengths.tolist(), batch_size),
        bucketed=padding_fraction(lengths.tolist(), batch_size, boundaries),
        boundaries=list(boundaries), batch_size=batch_size)
