"""`CharacterCNN`: a word vector from the word's characters, by convolution and max-pooling."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrnn")
class CharacterCNN(keras.layers.Layer):
    """Encodes each word's characters with a 1-D convolution and a max over positions.

    For a word with character ids c_1 … c_n (0 = padding) and character embeddings
    E[c_i] ∈ R^d,

        h_i = tanh(W · [E[c_{i-k}]; …; E[c_{i+k}]] + b)     (window 2k+1, `filters` outputs)
        v   = max_{i : c_i ≠ 0} h_i                          (element-wise)

    so v sees prefixes, suffixes and capitalisation ("-ing", "Mc", "U.S."), which is
    what a tagger needs for words its word embedding never saw. The convolution pads
    with zeros at the word's ends; padded positions never win the max. A padding
    word (no character) gives zeros and is masked.

    Args:
        input_dim: number of character ids (0 = padding, 1 = unknown character).
        output_dim: character embedding size d (Ma & Hovy: 30).
        filters: convolution filters, the size of v (Ma & Hovy: 30).
        kernel_size: the window 2k+1 (Ma & Hovy: 3).
        dropout: dropout on the character embeddings while training (Ma & Hovy: 0.5).

    Call arguments:
        inputs: int `(batch, time, max_chars)` character ids, right-padded with 0.

    Returns:
        `(batch, time, filters)`, with the mask "the word has a character".

    Example:
        >>> CharacterCNN(40, 8, 16)(np.array([[[3, 4, 0], [0, 0, 0]]])).shape
        (1, 2, 16)

    Reference:
        Ma & Hovy 2016, "End-to-end Sequence Labeling via Bi-directional
        LSTM-CNNs-CRF" (§2.1); Chiu & Nichols 2016.
    """

    def __init__(self, input_dim, output_dim=30, filters=30, kernel_size=3, dropout=0.0,
                 **kwargs):
        super().__init__(**kwargs)
        if min(input_dim, output_dim, filters, kernel_size) < 1:
            raise ValueError("input_dim, output_dim, filters and kernel_size must be positive, "
                             f"got {input_dim}, {output_dim}, {filters}, {kernel_size}")
        self.input_dim, self.output_dim = input_dim, output_dim
        self.filters, self.kernel_size, self.dropout = filters, kernel_size, dropout
        self.embedding = keras.layers.Embedding(input_dim, output_dim, name="char_embedding")
        self.embedding_dropout = keras.layers.Dropout(dropout)
        self.convolution = keras.layers.Conv1D(filters, kernel_size, padding="same",
                                               activation="tanh", name="char_convolution")
        self.supports_masking = True

    def build(self, input_shape):
        max_chars = input_shape[-1]
        self.embedding.build((None, max_chars))
        self.convolution.build((None, max_chars, self.output_dim))

    def call(self, inputs, training=None):
        shape = ops.shape(inputs)
        chars = ops.reshape(inputs, (-1, shape[-1]))  # one row per word
        vectors = self.embedding_dropout(self.embedding(chars), training=training)
        present = ops.expand_dims(ops.not_equal(chars, 0), -1)
        vectors = vectors * ops.cast(present, vectors.dtype)
        hidden = self.convolution(vectors)
        lowest = ops.cast(-2.0, hidden.dtype)  # below tanh's range: padding never wins
        pooled = ops.max(ops.where(present, hidden, lowest), axis=1)
        pooled = ops.where(ops.any(present, axis=1), pooled, ops.zeros_like(pooled))
        return ops.reshape(pooled, (shape[0], shape[1], self.filters))

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, 0), axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim, "filters": self.filters,
                "kernel_size": self.kernel_size, "dropout": self.dropout}
