"""`AttentionPooling`: a sentence vector as an attention-weighted sum of the steps."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrnn")
class AttentionPooling(keras.layers.Layer):
    """Additive attention over the steps of a sequence, with one learned query.

        u_t = tanh(W h_t + b)                       (batch, time, units)
        e_t = v · u_t                                (batch, time)
        α_t = exp(e_t) / Σ_{s: m_s=1} exp(e_s)       on real steps (m_t = 1), 0 on padding
        out = Σ_t α_t h_t                            (batch, features)

    The score is Bahdanau et al.'s additive form with a learned vector `v` in place
    of a decoder state, as in Yang et al. 2016 (eqs. 5-7, "word attention") and
    Zhou et al. 2016. The weights `α` say which words the sentence vector was made
    of; they sum to 1 over the real steps of each row. A row with no real step
    (an empty text) gets all-zero weights and a zero vector.

    Args:
        units: size of the hidden layer `u_t` the scores are computed from.

    Call arguments:
        inputs: `(batch, time, features)`.
        mask: optional `(batch, time)` booleans, True on real steps.

    Returns:
        `[pooled (batch, features), weights (batch, time)]`.

    Example:
        >>> pooled, weights = AttentionPooling(8)(np.ones((2, 5, 3)))
        >>> pooled.shape, weights.shape
        ((2, 3), (2, 5))

    Reference:
        Bahdanau, Cho & Bengio 2015, "Neural Machine Translation by Jointly Learning
        to Align and Translate" (the additive score); Yang et al. 2016, "Hierarchical
        Attention Networks for Document Classification" (a learned query over words).
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        if units < 1:
            raise ValueError(f"units must be at least 1, got {units}")
        self.units = units
        self.supports_masking = True

    def build(self, input_shape):
        features = input_shape[-1]
        self.kernel = self.add_weight(name="kernel", shape=(features, self.units),
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        self.query = self.add_weight(name="query", shape=(self.units,),
                                     initializer="glorot_uniform")

    def call(self, inputs, mask=None):
        hidden = ops.tanh(ops.matmul(inputs, self.kernel) + self.bias)
        scores = ops.tensordot(hidden, self.query, axes=[[2], [0]])  # (batch, time)
        if mask is None:
            real = ops.ones_like(scores)
        else:
            real = ops.cast(mask, scores.dtype)
        # Subtracting the row maximum keeps exp() finite; padded steps get exactly 0.
        lowest = ops.cast(-1e4 if scores.dtype == "float16" else -1e9, scores.dtype)
        scores = ops.where(real > 0, scores, lowest)
        exp = ops.exp(scores - ops.max(scores, axis=1, keepdims=True)) * real
        total = ops.sum(exp, axis=1, keepdims=True)
        weights = exp / ops.maximum(total, ops.cast(1e-9, exp.dtype))
        pooled = ops.sum(inputs * weights[..., None], axis=1)
        return [pooled, weights]

    def compute_output_shape(self, input_shape):
        return [(input_shape[0], input_shape[-1]), (input_shape[0], input_shape[1])]

    def compute_mask(self, inputs, mask=None):
        return [None, None]

    def get_config(self):
        return {**super().get_config(), "units": self.units}
