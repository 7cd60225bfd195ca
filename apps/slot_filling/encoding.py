"""Strings to the slot-filling model's tensors and back, one way for training and serving.

`Encoder` turns words into the model's inputs and targets (in `tf.data` while
training, inside the SavedModel while serving); `Decoder` turns the model's outputs
into tag ids and intent labels, never padding or `[UNK]`.
"""

import keras
import tensorflow as tf

from apps.slot_filling.intents import IntentLabels
from kerasrnn.data import LetterTrigramHashing
from kerasrnn.data.normalization import normalize_words
from kerasrnn.data.vocabulary import OOV, PAD, make_lookup

MAX_TRIGRAMS = 16
PUNCTUATION = "strip"  # per word, in training files and served text alike
FIRST_TAG = 2  # tag ids 0 and 1 are padding and [UNK]: never predicted


class Encoder:
    """Strings -> the model's inputs and targets, the same way in training and serving."""

    def __init__(self, config, vocabulary):
        self.config = config
        self.words = make_lookup(vocabulary["words"])
        self.tags = make_lookup(vocabulary["tags"])
        self.intents = IntentLabels(config.intent_head, vocabulary,
                                    config.intent_label_smoothing)
        self.trigrams = LetterTrigramHashing(config.trigram_bins, MAX_TRIGRAMS)

    def normalize(self, words, digits=True):
        """Words `(batch, None)` (ragged, or right-padded with "") -> normalised, padded."""
        digit_token = (self.config.digit_token or None) if digits else None
        tokens = normalize_words(words, punctuation=PUNCTUATION, digit_token=digit_token)
        if isinstance(tokens, tf.RaggedTensor):
            tokens = tokens.to_tensor(default_value=PAD)
        # At least one (padding) step, so a batch of empty strings still runs.
        return tf.pad(tokens, [[0, 0], [0, tf.maximum(0, 1 - tf.shape(tokens)[1])]])

    def features(self, tokens):
        """Normalised tokens `(batch, time)` -> {"words": ids[, "trigrams": ids]}."""
        features = {"words": tf.cast(self.words(tokens), tf.int32)}
        if self.config.trigram_dim:
            features["trigrams"] = tf.cast(self.trigrams(tokens), tf.int32)
        return features

    def training_batch(self, tokens, tags, intent):
        tokens = self.normalize(tokens)
        weights = tf.cast(tf.not_equal(tokens, PAD), tf.float32)
        targets = {"slots": self.tags(tags), "intent": self.intents.targets(intent)}
        sample_weights = {"slots": weights, "intent": tf.ones_like(intent, tf.float32)}
        return self.features(tokens), targets, sample_weights


class Decoder:
    """Model outputs -> tag ids and intent labels that training could teach."""

    def __init__(self, trained):
        config = trained.config
        self.crf = trained.model.get_layer("crf") if config.slot_head == "crf" else None
        self.tag_names = [PAD, OOV, *trained.vocabulary["tags"]]  # by tag id
        self.intents = IntentLabels(config.intent_head, trained.vocabulary,
                                    config.intent_label_smoothing)

    def __call__(self, outputs, features):
        """(tag ids `(batch, time)` int32 ≥ 2, intent strings, intent probabilities)."""
        slots = outputs["slots"]
        real = keras.ops.arange(keras.ops.shape(slots)[-1]) >= FIRST_TAG
        if self.crf is not None:  # emissions: padding and [UNK] made impossible
            ids = self.crf.decode(keras.ops.where(real, slots, -1e9),
                                  mask=features["words"] > 0)
        else:
            ids = keras.ops.argmax(keras.ops.where(real, slots, -1.0), axis=-1)
        ids = tf.maximum(tf.cast(ids, tf.int32), FIRST_TAG)  # padded steps: any real tag
        intent, probability = self.intents.decode(outputs["intent"])
        return ids, intent, probability
