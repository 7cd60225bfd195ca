"""Step-by-step generation: samplers over a `step(ids, states) -> (logits, states)` function."""

from kerasrnn.generation.sampling import next_ids, sample

__all__ = ["next_ids", "sample"]
