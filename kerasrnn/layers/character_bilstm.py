"""`CharacterBiLSTM`: a word vector from the word's characters, read both ways by an LSTM."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrnn")
class CharacterBiLSTM(keras.layers.Layer):
    """Encodes each word as the final states of an LSTM over its characters, both ways.

    For a word with character ids c_1 … c_n (0 = padding) and embeddings E[c_i],

        →h_n = LSTM(E[c_1], …, E[c_n]),   ←h_1 = LSTM(E[c_n], …, E[c_1])
        v    = [→h_n ; ←h_1]

    the forward state ends on the suffix and the backward one on the prefix. Padded
    characters are masked; a padding word (no character) gives a vector that the
    returned mask marks as padding.

    Args:
        input_dim: number of character ids (0 = padding, 1 = unknown character).
        output_dim: character embedding size (Lample et al.: 25).
        units: LSTM units per direction; v has 2·units values (Lample et al.: 25).
        dropout: dropout on the character embeddings while training.

    Call arguments:
        inputs: int `(batch, time, max_chars)` character ids, right-padded with 0.

    Returns:
        `(batch, time, 2·units)`, with the mask "the word has a character".

    Example:
        >>> CharacterBiLSTM(40, 8, 4)(np.array([[[3, 4, 0], [0, 0, 0]]])).shape
        (1, 2, 8)

    Reference:
        Lample et al. 2016, "Neural Architectures for Named Entity Recognition" (§4.1).
    """

    def __init__(self, input_dim, output_dim=25, units=25, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if min(input_dim, output_dim, units) < 1:
            raise ValueError("input_dim, output_dim and units must be positive, "
                             f"got {input_dim}, {output_dim}, {units}")
        self.input_dim, self.output_dim, self.units = input_dim, output_dim, units
        self.dropout = dropout
        self.embedding = keras.layers.Embedding(input_dim, output_dim, name="char_embedding")
        self.embedding_dropout = keras.layers.Dropout(dropout)
        self.bilstm = keras.layers.Bidirectional(keras.layers.LSTM(units), name="char_bilstm")
        self.supports_masking = True

    def build(self, input_shape):
        max_chars = input_shape[-1]
        self.embedding.build((None, max_chars))
        self.bilstm.build((None, max_chars, self.output_dim))

    def call(self, inputs, training=None):
        shape = ops.shape(inputs)
        chars = ops.reshape(inputs, (-1, shape[-1]))  # one row per word
        vectors = self.embedding_dropout(self.embedding(chars), training=training)
        # Every row keeps its first step: an all-padding row (a padding word) would be
        # a zero-length sequence, which cuDNN rejects; its output is masked anyway.
        first = ops.arange(ops.shape(chars)[1]) == 0
        mask = ops.logical_or(ops.not_equal(chars, 0), first[None, :])
        encoded = self.bilstm(vectors, mask=mask, training=training)
        return ops.reshape(encoded, (shape[0], shape[1], 2 * self.units))

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, 0), axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 2 * self.units)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim, "units": self.units, "dropout": self.dropout}
