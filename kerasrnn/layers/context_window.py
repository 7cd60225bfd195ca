"""`ContextWindow`: each step also sees its d neighbours on either side (Mesnil et al.)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrnn")
class ContextWindow(keras.layers.Layer):
    """Concatenates each step's vector with those of its `radius` neighbours.

        out_t = [x_{t-d}; …; x_t; …; x_{t+d}]      (zeros beyond either end)

    Mesnil et al. feed a word-embedding window like this to their Elman/Jordan
    taggers, so even the first recurrent step sees the next words. With right
    padding, padded steps are zero vectors (masked inputs are zeroed first),
    so a sentence's last words see zeros, never another sentence.

    Args:
        radius: d, the neighbours on each side (0 returns the input).

    Call arguments:
        inputs: `(batch, time, features)`.
        mask: optional `(batch, time)`; passed on unchanged.

    Returns:
        `(batch, time, (2d+1)·features)`.

    Example:
        >>> ContextWindow(1)(np.ones((2, 5, 3))).shape
        (2, 5, 9)

    Reference:
        Mesnil et al., "Using recurrent neural networks for slot filling in
        spoken language understanding", IEEE/ACM TASLP 23(3), 2015.
    """

    def __init__(self, radius=1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(radius, int) or radius < 0:
            raise ValueError(f"`radius` must be a non-negative integer, got {radius!r}.")
        self.radius = radius
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            inputs = inputs * ops.cast(mask, inputs.dtype)[..., None]
        d = self.radius
        if d == 0:
            return inputs
        time = ops.shape(inputs)[1]
        padded = ops.pad(inputs, [[0, 0], [d, d], [0, 0]])
        windows = [padded[:, offset : offset + time] for offset in range(2 * d + 1)]
        return ops.concatenate(windows, axis=-1)

    def compute_output_shape(self, input_shape):
        features = input_shape[-1]
        return (*input_shape[:-1], None if features is None else features * (2 * self.radius + 1))

    def compute_mask(self, inputs, mask=None):
        return mask

    def get_config(self):
        return {**super().get_config(), "radius": self.radius}
