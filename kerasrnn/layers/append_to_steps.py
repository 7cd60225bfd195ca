"""`AppendToSteps`: one vector per sequence, appended to every step's features."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrnn")
class AppendToSteps(keras.layers.Layer):
    """Concatenates a per-sequence vector to each step of a sequence.

        out_t = [ x_t ; v ]      for t = 1 … T

    Lets a per-token output read a sentence-level quantity, e.g. each token's slot
    scores read the predicted intent distribution: in ATIS, "how far is boston
    airport from downtown" (intent distance) tags `boston` as `city_name`, while a
    flight request tags it `fromloc.city_name`, and the words that decide may be far
    from the token. The sequence's mask passes through.

    Call arguments:
        inputs: `[x, v]` with `x` `(batch, time, features)` and `v` `(batch, size)`.
        mask: optional masks; the sequence's `(batch, time)` mask is kept.

    Returns:
        `(batch, time, features + size)`.

    Example:
        >>> AppendToSteps()([np.ones((2, 5, 3)), np.zeros((2, 4))]).shape
        (2, 5, 7)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        sequence, vector = inputs
        vector = ops.cast(vector, sequence.dtype)
        steps = ops.shape(sequence)[1]
        tiled = ops.repeat(ops.expand_dims(vector, 1), steps, axis=1)
        return ops.concatenate([sequence, tiled], axis=-1)

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else mask[0]

    def compute_output_shape(self, input_shape):
        sequence, vector = input_shape
        features = None if sequence[-1] is None or vector[-1] is None else (
            sequence[-1] + vector[-1])
        return (*sequence[:-1], features)
