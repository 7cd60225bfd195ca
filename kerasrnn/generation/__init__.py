"""Step-by-step generation: samplers and decoders over `step(ids, states) -> (logits, states)`."""

from kerasrnn.generation.beam_search import beam_search, length_penalty
from kerasrnn.generation.greedy import allowed_log_probs, greedy_search
from kerasrnn.generation.sampling import next_ids, sample

__all__ = ["allowed_log_probs", "beam_search", "greedy_search", "length_penalty", "next_ids",
           "sample"]
