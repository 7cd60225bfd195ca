"""`MaskedMeanMaxPooling`: a sentence vector from per-step vectors, ignoring padding."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrnn")
class MaskedMeanMaxPooling(keras.layers.Layer):
    """Concatenates the mean and the maximum over the real (unmasked) steps.

        out = [ Σ_t m_t x_t / Σ_t m_t ;  max_{t: m_t=1} x_t ]

    Used for sentence-level outputs (e.g. the intent of a slot-filling utterance)
    on top of a recurrent layer's per-step outputs. A sentence with no real step
    gives zeros.

    Call arguments:
        inputs: `(batch, time, features)`.
        mask: optional `(batch, time)` booleans.

    Returns:
        `(batch, 2·features)`.

    Example:
        >>> MaskedMeanMaxPooling()(np.ones((2, 5, 3))).shape
        (2, 6)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.concatenate([ops.mean(inputs, axis=1), ops.max(inputs, axis=1)], axis=-1)
        weights = ops.cast(mask, inputs.dtype)[..., None]
        count = ops.maximum(ops.sum(weights, axis=1), 1.0)
        mean = ops.sum(inputs * weights, axis=1) / count
        lowest = ops.cast(-1e4 if inputs.dtype == "float16" else -1e9, inputs.dtype)
        maximum = ops.max(ops.where(weights > 0, inputs, lowest), axis=1)
        maximum = ops.where(ops.sum(weights, axis=1) > 0, maximum, ops.zeros_like(maximum))
        return ops.concatenate([mean, maximum], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None if input_shape[-1] is None else 2 * input_shape[-1])

    def compute_mask(self, inputs, mask=None):
        return None
