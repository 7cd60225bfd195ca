"""`WordDropout`: unknown-word practice for a word embedding (ids → the OOV id at random)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrnn")
class WordDropout(keras.layers.Layer):
    """While training, turns each real word id into the OOV id with probability `rate`.

        ids'_t = oov_id   if ids_t ≥ first_word_id and u_t < rate  (u_t ~ U[0, 1))
        ids'_t = ids_t    otherwise (padding, the OOV id itself, and at inference)

    A vocabulary built from the training data has no unknown words in training, so
    the embedding row of `[UNK]` never learns, and at test time every unseen word
    ("dtw", "bh") arrives as an untrained vector. Replacing a few known words by
    `[UNK]` teaches that row, and teaches the tagger to read such a word from its
    context and spelling (e.g. letter-trigram features, which are left as they are).
    Goes before the `Embedding`; ids keep their dtype.

    Args:
        rate: probability of replacing a word, in `[0, 1)`.
        oov_id: the out-of-vocabulary id (kerasrnn vocabularies: 1).
        first_word_id: the first id of a real word (ids below it, padding 0 and
            the OOV id, are never replaced).
        seed: seed of the layer's random draws (default: from Keras' global seed).

    Example:
        >>> layer = WordDropout(0.5)
        >>> layer(np.array([[5, 7, 0]]), training=False)  # identity at inference
        array([[5, 7, 0]])

    Reference:
        Iyyer et al. 2015, "Deep Unordered Composition Rivals Syntactic Methods for
        Text Classification" (word dropout); Lample et al. 2016 (replacing singletons
        by the unknown word for NER).
    """

    def __init__(self, rate, oov_id=1, first_word_id=2, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"rate must be in [0, 1), got {rate}")
        self.rate, self.oov_id, self.first_word_id, self.seed = rate, oov_id, first_word_id, seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def call(self, ids, training=None):
        if not training or self.rate == 0:
            return ids
        draws = keras.random.uniform(ops.shape(ids), seed=self.seed_generator)
        replace = ops.logical_and(ops.greater_equal(ids, self.first_word_id), draws < self.rate)
        return ops.where(replace, ops.cast(self.oov_id, ids.dtype), ids)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "oov_id": self.oov_id,
                "first_word_id": self.first_word_id, "seed": self.seed}
