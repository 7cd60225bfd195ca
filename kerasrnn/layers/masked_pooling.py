"""`MaskedMeanMaxPooling`, `MaskedPooling`: one vector from per-step vectors, minus padding."""

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


@keras.saving.register_keras_serializable(package="kerasrnn")
class MaskedPooling(keras.layers.Layer):
    """The mean or the maximum over the real (unmasked) steps.

        mean: out = Σ_t m_t x_t / Σ_t m_t        max: out = max_{t: m_t=1} x_t

    Unlike `keras.layers.GlobalAveragePooling1D` (which divides by zero) and
    `GlobalMaxPooling1D` (which ignores the mask), a row with no real step (an
    empty text) gives zeros.

    Args:
        mode: "mean" or "max".

    Call arguments:
        inputs: `(batch, time, features)`.
        mask: optional `(batch, time)` booleans.

    Returns:
        `(batch, features)`.

    Raises:
        ValueError: another `mode`.

    Example:
        >>> MaskedPooling("max")(np.ones((2, 5, 3))).shape
        (2, 3)
    """

    MODES = ("mean", "max")

    def __init__(self, mode="mean", **kwargs):
        super().__init__(**kwargs)
        if mode not in self.MODES:
            raise ValueError(f"mode must be one of {self.MODES}, got {mode!r}")
        self.mode = mode
        self.supports_masking = True

    def call(self, inputs, mask=None):
        weights = (ops.ones_like(inputs[..., :1]) if mask is None
                   else ops.cast(mask, inputs.dtype)[..., None])
        count = ops.sum(weights, axis=1)
        if self.mode == "mean":
            return ops.sum(inputs * weights, axis=1) / ops.maximum(count, 1.0)
        lowest = ops.cast(-1e4 if inputs.dtype == "float16" else -1e9, inputs.dtype)
        maximum = ops.max(ops.where(weights > 0, inputs, lowest), axis=1)
        return ops.where(count > 0, maximum, ops.zeros_like(maximum))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}
