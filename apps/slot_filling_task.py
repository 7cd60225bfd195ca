"""The slot-filling task behind `apps.slot_filling`: tensors, model, metrics, export.

Strings are turned into ids in `tf.data` (string lookups cannot be XLA-compiled);
the exported SavedModel repeats exactly those steps on raw text, so serving
normalises "I want to fly from Boston, tomorrow?" the way training data were.
"""

import json
import pathlib

import keras
import numpy as np
import tensorflow as tf

from apps.intent_labels import IntentLabels, intent_vocabulary
from kerasrnn.data import LetterTrigramHashing, normalize_text, normalize_token_lists, tokenize
from kerasrnn.data.padding import length_boundaries
from kerasrnn.data.pipelines import batch_by_length, ragged_rows
from kerasrnn.data.vocabulary import build_vocabulary
from kerasrnn.layers import CRFLoss
from kerasrnn.models import build_joint_tagger
from kerasrnn.training import ModelDirectoryError

PAD, OOV = "", "[UNK]"
MAX_TRIGRAMS = 16
SERVING_PUNCTUATION = "drop"  # ATIS-style data has no punctuation tokens


class SlotFillingTask:
    """Vocabularies + model + the steps `apps.common` calls (dataset, evaluate, save, export)."""

    def __init__(self, config, vocab, model, data=None):
        self.config, self.vocab, self.model, self.data = config, vocab, model, data
        self.digit_token = config.digit_token or None
        self.words = keras.layers.StringLookup(vocabulary=vocab["words"], mask_token=PAD,
                                               oov_token=OOV)
        self.tags = keras.layers.StringLookup(vocabulary=vocab["tags"], mask_token=PAD,
                                              oov_token=OOV)
        self.intents = IntentLabels(config.intent_head, vocab, config.intent_label_smoothing)
        self.trigrams = LetterTrigramHashing(config.trigram_bins, MAX_TRIGRAMS)
        # id -> name; padding and [UNK] predictions read as "O" / "[UNK]"
        self.tag_names = [PAD, "O", *vocab["tags"]]

    @classmethod
    def create(cls, config, data):
        train = data.splits["train"]
        words = normalize_token_lists([e.tokens for e in train], digit_token=config.digit_token
                                      or None)
        vocab = {"words": build_vocabulary(words, min_count=config.min_count),
                 "tags": sorted({t for e in train for t in e.tags}),
                 **intent_vocabulary([e.intent for e in train], config.intent_head)}
        intents = IntentLabels(config.intent_head, vocab, config.intent_label_smoothing)
        model = build_joint_tagger(
            len(vocab["words"]) + 2, len(vocab["tags"]) + 2, intents.size,
            cell=config.cell, units=config.units, layers=config.layers,
            bidirectional=config.bidirectional, embedding_dim=config.embedding_dim,
            trigram_bins=config.trigram_bins, trigram_dim=config.trigram_dim,
            max_trigrams=MAX_TRIGRAMS, context_window=config.context_window,
            dropout=config.dropout, word_dropout=config.word_dropout,
            slot_head=config.slot_head,
            intent_head=config.intent_head, intent_composition=intents.composition(),
            intent_encoder=config.intent_encoder,
            intent_to_slots=config.intent_to_slots, name="slot_filling")
        return cls(config, vocab, model, data)

    @classmethod
    def from_directory(cls, model_dir, run_config):
        from apps.slot_filling import Config

        folder = pathlib.Path(model_dir)
        try:
            vocab = json.loads((folder / "vocab.json").read_text())
        except FileNotFoundError:
            raise ModelDirectoryError(
                f"{folder}: incomplete model directory (no vocab.json)") from None
        # Runs written before the multilabel intent head had softmax intents.
        # Runs written before label smoothing trained on one-hot intents.
        config = Config(**{"intent_head": "softmax", "intent_label_smoothing": 0.0,
                           **run_config["config"]})
        return cls(config, vocab, keras.saving.load_model(folder / "model.keras"))

    # -- tensors -------------------------------------------------------------------------
    def features(self, tokens):
        """String tokens `(batch, time)` (already normalised) -> the model's inputs."""
        features = {"words": tf.cast(self.words(tokens), tf.int32)}
        if self.config.trigram_dim:
            features["trigrams"] = tf.cast(self.trigrams(tokens), tf.int32)
        return features

    def dataset(self, split, training=False, drop_remainder=False):
        """Batches of `(features, {slots, intent}, {slots: token weights})`, right-padded.

        Training batches are shuffled (seeded) and grouped by length to cut padding;
        evaluation batches keep the file order.
        """
        examples = self._split(split)
        columns = (ragged_rows([e.tokens for e in examples]),
                   ragged_rows([e.tags for e in examples]),
                   tf.constant([e.intent or PAD for e in examples]))
        dataset = tf.data.Dataset.from_tensor_slices(columns).map(lambda *row: row)
        bounds = None
        if training:
            dataset = dataset.shuffle(len(examples), seed=self.config.seed,
                                      reshuffle_each_iteration=True)
            bounds = length_boundaries([len(e.tokens) for e in examples])
        # Strings pad with "" (= PAD), on the right.
        dataset = batch_by_length(dataset, self.config.batch_size, bounds, drop_remainder)
        return dataset.map(self._encode, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)

    def _encode(self, tokens, tags, intent):
        tokens = normalize_text(tokens, punctuation="keep", digit_token=self.digit_token)
        weights = tf.cast(tf.not_equal(tokens, PAD), tf.float32)
        targets = {"slots": self.tags(tags), "intent": self.intents.targets(intent)}
        sample_weights = {"slots": weights, "intent": tf.ones_like(intent, tf.float32)}
        return self.features(tokens), targets, sample_weights

    def _split(self, split):
        if self.data is None:
            from apps.slot_filling import SlotFilling

            self.data = SlotFilling().load_data(self.config)
        if split not in self.data.splits:
            raise ModelDirectoryError(
                f"no split {split!r}; the data has {sorted(self.data.splits)}")
        return self.data.splits[split]

    def slot_ids(self, slots, words):
        """Per-token tag ids from the slot output: argmax, or the CRF's Viterbi path."""
        if self.config.slot_head == "crf":
            return self.model.get_layer("crf").decode(slots, mask=words > 0)
        return keras.ops.argmax(slots, axis=-1)

    def compile_args(self, learning_rate):
        clipnorm = self.config.clipnorm or None
        slot_loss = "sparse_categorical_crossentropy"
        if self.config.slot_head == "crf":
            slot_loss = CRFLoss(self.model.get_layer("crf"))
        return {
            "optimizer": keras.optimizers.Adam(learning_rate, clipnorm=clipnorm,
                                               use_ema=bool(self.config.ema),
                                               ema_momentum=self.config.ema or 0.99),
            "loss": {"slots": slot_loss, "intent": self.intents.loss()},
            "weighted_metrics": {"slots": ["sparse_categorical_accuracy"],
                                 "intent": [self.intents.metric()]},
        }

    # -- results -------------------------------------------------------------------------
    def predict_split(self, split):
        """(examples, predicted tag lists, predicted intent strings) for one split."""
        examples = self._split(split)
        tags, intents = [], []
        for features, _, _ in self.dataset(split):
            outputs = self.model(features, training=False)
            slot_ids = keras.ops.convert_to_numpy(
                self.slot_ids(outputs["slots"], features["words"]))
            names, _ = self.intents.decode(outputs["intent"])
            tags.extend(slot_ids)
            intents.extend(name.decode() for name in names.numpy())
        predicted_tags = [[self.tag_names[max(i, 1)] for i in ids[: len(e.tokens)]]
                          for ids, e in zip(tags, examples)]
        return examples, predicted_tags, intents

    def evaluate(self, split):
        from seqeval.metrics import f1_score, precision_score, recall_score

        examples, tags, intents = self.predict_split(split)
        gold = [list(e.tags) for e in examples]
        intent_right = [p == e.intent for p, e in zip(intents, examples)]
        metrics = {
            "slot_f1": f1_score(gold, tags), "slot_precision": precision_score(gold, tags),
            "slot_recall": recall_score(gold, tags),
            "intent_accuracy": float(np.mean(intent_right)),
            "sentence_accuracy": float(np.mean([g == p and ok for g, p, ok in
                                                zip(gold, tags, intent_right)])),
            "examples": len(examples),
        }
        focus = [(e.tags[i], t[i]) for e, t in zip(examples, tags) for i in e.focus]
        if focus:  # the arrive/leave cities of the built-in data
            metrics["focus_accuracy"] = float(np.mean([g == p for g, p in focus]))
        self._last = (gold, tags)
        return {k: (round(float(v), 6) if isinstance(v, float) else v) for k, v in metrics.items()}

    def reports(self, split):
        from seqeval.metrics import classification_report

        gold, tags = self._last
        report = classification_report(gold, tags, output_dict=True, zero_division=0)
        return {"slot_report.json": {k: {m: float(v) for m, v in row.items()}
                                     for k, row in report.items()}}

    def save(self, folder):
        self.model.save(pathlib.Path(folder) / "model.keras")
        (pathlib.Path(folder) / "vocab.json").write_text(json.dumps(self.vocab, indent=1))

    # -- serving -------------------------------------------------------------------------
    def serving_function(self):
        """A `tf.function` raw text `[batch]` -> tokens, tags, intent, intent_probability."""
        tag_names = tf.constant(self.tag_names)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(text):
            shown = tokenize(text, punctuation=SERVING_PUNCTUATION)
            # At least one (padding) step, so a batch of empty strings still runs.
            shown = tf.pad(shown, [[0, 0], [0, tf.maximum(0, 1 - tf.shape(shown)[1])]])
            tokens = normalize_text(shown, punctuation="keep", digit_token=self.digit_token)
            features = self.features(tokens)
            outputs = self.model(features, training=False)
            real = tf.not_equal(shown, PAD)
            slot_ids = tf.cast(self.slot_ids(outputs["slots"], features["words"]), tf.int32)
            slot_ids = tf.maximum(slot_ids, 1)
            intent, probability = self.intents.decode(outputs["intent"])
            return {
                "tokens": shown,
                "tags": tf.where(real, tf.gather(tag_names, slot_ids), PAD),
                "intent": intent,
                "intent_probability": probability,
            }

        return serve

    def export(self, path):
        """Writes a SavedModel whose `serving_default` takes raw text `[batch]`."""
        serve = self.serving_function()
        serve(tf.constant(["build the lookups"]))  # a loaded model's lookups build lazily
        archive = keras.export.ExportArchive()
        archive.track(self.model)
        archive.track(self.words)  # its lookup table is a resource the function captures
        for layer in self.intents.serving_layers():
            archive.track(layer)
        if self.config.trigram_dim:
            archive.track(self.trigrams)
        archive.add_endpoint("serve", serve)
        archive.write_out(str(path), verbose=False)

    def predict(self, texts):
        """Tags each text; returns dicts with tokens, tags, filled slots and the intent."""
        if not texts:
            return []
        out = self.serving_function()(tf.constant(list(texts)))
        results = []
        for i in range(len(texts)):
            tokens = [t.decode() for t in out["tokens"][i].numpy() if t]
            tags = [t.decode() for t in out["tags"][i].numpy()[: len(tokens)]]
            results.append({"text": texts[i], "tokens": tokens, "tags": tags,
                            "slots": filled_slots(tokens, tags),
                            "intent": out["intent"][i].numpy().decode(),
                            "intent_probability": round(float(out["intent_probability"][i]), 4)})
        return results


def filled_slots(tokens, tags):
    """BIO tags -> {slot: "words"} (a slot filled twice lists both, joined by " | ")."""
    slots, current, words = {}, None, []

    def close():
        if current:
            text = " ".join(words)
            slots[current] = f"{slots[current]} | {text}" if current in slots else text

    for token, tag in zip(tokens, tags):
        if tag.startswith("B-") or (tag.startswith("I-") and tag[2:] != current):
            close()
            current, words = tag[2:], [token]
        elif tag.startswith("I-"):
            words.append(token)
        else:
            close()
            current, words = None, []
    close()
    return slots

