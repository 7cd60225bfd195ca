"""Letter-trigram word hashing (DSSM-style), as Keras layers.

A word is padded with ``#`` and cut into its letter trigrams — the lecture's
"apple" -> ``#ap app ppl ple le#`` — and each trigram is hashed into one of
``num_bins`` buckets. A word's vector is the mean (or sum) of its trigrams'
embeddings, so a word never seen in training still gets a meaningful vector
from the trigrams it shares with known words ("apples", "applet").
"""

from __future__ import annotations

import keras
import tensorflow as tf


def letter_trigrams(word: str) -> list[str]:
    """Returns the letter trigrams of ``#word#`` (pure Python, for inspection and tests).

    Example:
        >>> letter_trigrams("apple")
        ['#ap', 'app', 'ppl', 'ple', 'le#']
    """
    padded = f"#{word}#"
    return [padded[i:i + 3] for i in range(len(padded) - 2)] if word else []


@keras.saving.register_keras_serializable(package="kerasrnn")
class LetterTrigramHashing(keras.layers.Layer):
    """Maps words to the hashed ids of their letter trigrams.

    Id 0 marks padding (no trigram); ids 1..num_bins-1 are trigram buckets.
    Runs in ``tf.data`` or inside an exported TensorFlow model.

    Args:
        num_bins: hash buckets, including the padding id 0.
        max_trigrams: trigrams kept per word (longer words are truncated).
        lowercase: lower-case words first.

    Call arguments:
        inputs: string tensor of words, any shape; ``""`` is padding.

    Returns:
        int64 tensor ``inputs.shape + (max_trigrams,)``.
    """

    def __init__(self, num_bins=4096, max_trigrams=16, lowercase=True, **kwargs):
        super().__init__(**kwargs)
        if num_bins < 2 or max_trigrams < 1:
            raise ValueError(
                f"num_bins must be >= 2 and max_trigrams >= 1, received {num_bins}, {max_trigrams}")
        self.num_bins = num_bins
        self.max_trigrams = max_trigrams
        self.lowercase = lowercase
        self.hashing = keras.layers.Hashing(num_bins=num_bins, mask_value="")

    def call(self, inputs):
        # Strings have no keras.ops equivalent; this part is TensorFlow by necessity.
        words = tf.convert_to_tensor(inputs, dtype=tf.string)
        shape = tf.shape(words)
        flat = tf.reshape(words, [-1])
        if self.lowercase:
            flat = tf.strings.lower(flat, encoding="utf-8")
        padded = tf.strings.join(["#", flat, "#"])
        # "" becomes "##": two characters, no trigram, so padding words get none.
        chars = tf.strings.unicode_split(padded, "UTF-8")
        grams = tf.strings.ngrams(chars, 3, separator="", preserve_short_sequences=False)
        dense = grams.to_tensor(default_value="", shape=[None, self.max_trigrams])
        ids = tf.cast(self.hashing(dense), tf.int64)
        return tf.reshape(ids, tf.concat([shape, [self.max_trigrams]], axis=0))

    def compute_output_spec(self, inputs):
        return keras.KerasTensor((*inputs.shape, self.max_trigrams), dtype="int64")

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins,
                "max_trigrams": self.max_trigrams, "lowercase": self.lowercase}


@keras.saving.register_keras_serializable(package="kerasrnn")
class LetterTrigramEmbedding(keras.layers.Layer):
    """Embeds words from their hashed letter trigrams.

    ``vector(word) = combine(E[id] for id in trigram_ids(word) if id != 0)``,
    with ``combine`` the mean (default) or sum; a padding word gets zeros.

    Args:
        num_bins: hash buckets (rows of the embedding table ``E``).
        output_dim: embedding size.
        max_trigrams: trigrams kept per word.
        combiner: ``"mean"`` or ``"sum"``.
        lowercase: lower-case words before hashing.
        mask_zero: emit a mask that is False for padding words (``""``).
        embeddings_initializer: initializer of ``E``.

    Call arguments:
        inputs: string tensor of words ``(batch, time)`` (hashed here, with
            `LetterTrigramHashing`), or int ids ``(batch, time, max_trigrams)``
            already hashed in ``tf.data``.

    Returns:
        ``(batch, time, output_dim)`` word vectors.

    Example:
        >>> layer = LetterTrigramEmbedding(num_bins=64, output_dim=4)
        >>> layer(tf.constant([["apple", ""]])).shape
        TensorShape([1, 2, 4])

    Reference:
        Huang et al. 2013, "Learning Deep Structured Semantic Models for Web
        Search using Clickthrough Data" (word hashing).
    """

    def __init__(self, num_bins=4096, output_dim=64, max_trigrams=16, combiner="mean",
                 lowercase=True, mask_zero=True, embeddings_initializer="uniform", **kwargs):
        super().__init__(**kwargs)
        if combiner not in ("mean", "sum"):
            raise ValueError(f"combiner must be 'mean' or 'sum', received {combiner!r}")
        self.num_bins = num_bins
        self.output_dim = output_dim
        self.max_trigrams = max_trigrams
        self.combiner = combiner
        self.lowercase = lowercase
        self.mask_zero = mask_zero
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)
        self.hashing = LetterTrigramHashing(num_bins, max_trigrams, lowercase)
        self.supports_masking = mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight(
            shape=(self.num_bins, self.output_dim), initializer=self.embeddings_initializer,
            name="embeddings")

    def _ids(self, inputs):
        if isinstance(inputs, str) or getattr(inputs, "dtype", None) in (tf.string, "string"):
            return self.hashing(inputs)
        return inputs

    def call(self, inputs):
        ids = self._ids(inputs)
        vectors = keras.ops.take(self.embeddings, keras.ops.cast(ids, "int32"), axis=0)
        present = keras.ops.cast(keras.ops.not_equal(ids, 0), vectors.dtype)
        summed = keras.ops.sum(vectors * keras.ops.expand_dims(present, -1), axis=-2)
        if self.combiner == "sum":
            return summed
        count = keras.ops.sum(present, axis=-1, keepdims=True)
        return summed / keras.ops.maximum(count, 1.0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return keras.ops.any(keras.ops.not_equal(self._ids(inputs), 0), axis=-1)

    def compute_output_spec(self, inputs):
        shape = tuple(inputs.shape)
        if "string" not in str(inputs.dtype):
            shape = shape[:-1]  # already-hashed ids carry a trigram axis
        return keras.KerasTensor((*shape, self.output_dim), dtype=self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins,
                "output_dim": self.output_dim, "max_trigrams": self.max_trigrams,
                "combiner": self.combiner, "lowercase": self.lowercase,
                "mask_zero": self.mask_zero,
                "embeddings_initializer": keras.initializers.serialize(
                    self.embeddings_initializer)}
