"""Throwaway sketches of the coming apps' shapes, to hold the contract to them.

Not apps: each is the least code that makes the harness meet one thing a coming app
needs, so the contract test fails if the harness stops carrying it (the text
generation sketch that stood here is now apps/textgen):

- `HeldOutClassifier` (sentence classification): no labelled validation split (it
  is carved from train by a hash of the text) and an unlabelled test split (the
  labelled dev split is the test split); both recorded in config.json.

An encoder-decoder needs nothing else from the harness: `build_model` may build any
functional model, and its serving functions take raw strings like these.
"""

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from apps.harness import (
    App,
    AppData,
    Endpoints,
    TrainConfig,
    flag,
)
from kerasrnn.data.splits import hash_split
from kerasrnn.data.vocabulary import build_vocabulary, make_lookup

WORDS = "the cat is small . a dog is big . my cat sat on the mat . ".split()


@dataclasses.dataclass
class ClassifierConfig(TrainConfig):
    data: str | None = flag("sketch", "built-in questions")
    units: int = flag(8, "LSTM units")
    epochs: int = flag(2, "maximum epochs")


class HeldOutClassifier(App):
    name = "sketch_classify"
    Config = ClassifierConfig
    labels = ("animal", "size")

    def read_data(self, config):
        rng = np.random.default_rng(1)
        train = [(" ".join(rng.choice(WORDS, 5)) + (" cat" if i % 2 else " big"),
                  self.labels[i % 2]) for i in range(200)]
        dev = train[:20]  # labelled dev set: the test split
        train, valid = hash_split(train, 0.1, key=lambda item: item[0])
        return AppData({"train": train, "valid": valid, "test": dev},
                       notes={"valid": "10% of train, chosen by a SHA-256 hash of the text",
                              "test": "the labelled dev split (test has no labels)"})

    def build_vocabulary(self, config, train):
        return {"words": build_vocabulary([t.split() for t, _ in train]),
                "labels": list(self.labels)}

    def make_dataset(self, config, vocabulary, items, training, drop_remainder=False):
        words, labels = make_lookup(vocabulary["words"]), make_lookup(vocabulary["labels"])
        texts = tf.constant([t for t, _ in items])
        ids = labels(tf.constant([label for _, label in items])) - 2
        data = tf.data.Dataset.from_tensor_slices((texts, ids))
        if training:
            data = data.shuffle(len(items), seed=config.seed)
        return data.batch(config.batch_size, drop_remainder=drop_remainder).map(
            lambda t, y: (words(tf.strings.split(t)).to_tensor(), y))

    def build_model(self, config, vocabulary, compile_options):
        ids = keras.Input((None,), dtype="int64", name="words")
        x = keras.layers.Embedding(len(vocabulary["words"]) + 2, 8, mask_zero=True)(ids)
        x = keras.layers.LSTM(config.units, name="encoder")(x)
        out = keras.layers.Dense(len(self.labels), activation="softmax", name="label")(x)
        model = keras.Model(ids, out)
        model.compile(**compile_options, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    def evaluate(self, trained, items):
        batches = self.make_dataset(trained.config, trained.vocabulary, items, training=False)
        result = trained.model.evaluate(batches, verbose=0, return_dict=True)
        return {"accuracy": round(result["accuracy"], 6)}

    def serving(self, trained):
        words = make_lookup(trained.vocabulary["words"])
        names = tf.constant(list(self.labels))

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def classify(text):
            ids = words(tf.strings.split(text)).to_tensor()
            ids = tf.pad(ids, [[0, 0], [0, tf.maximum(0, 1 - tf.shape(ids)[1])]])
            p = trained.model(ids, training=False)
            return {"label": tf.gather(names, tf.argmax(p, -1)), "probability":
                    tf.reduce_max(p, -1)}

        return Endpoints({"classify": classify}, [words])

    def present(self, texts, outputs):
        return [{"text": t, "label": label.decode(), "probability": round(float(p), 4)}
                for t, label, p in zip(texts, outputs["label"].numpy(),
                                       outputs["probability"].numpy())]
