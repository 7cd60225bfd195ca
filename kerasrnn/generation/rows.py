"""Which rows of a decoding batch are still computed, and their states' shapes.

The decoders keep their bookkeeping (tokens so far, scores, lengths) for every row
of the batch, but call the `step` function only on the rows still growing: a
sentence that has ended (or, in beam search, a hypothesis that has ended or can no
longer win) costs nothing from then on. Its `states` are those rows' states, in
row order, so their batch dimension shrinks as rows end.
"""

import tensorflow as tf


def growing_rows(growing):
    """`[rows]` bool → int32 indices of its True rows, in increasing order."""
    return tf.cast(tf.where(growing)[:, 0], tf.int32)


def row_shape(state):
    """A state's shape with its batch dimension left free (rows end, beams reorder)."""
    return tf.TensorShape([None]).concatenate(tf.convert_to_tensor(state).shape[1:])
