"""Throwaway sketches of the coming apps' shapes, to hold the contract to them.

Not apps: each is the least code that makes the harness meet one thing a coming app
needs, so the contract test fails if the harness stops carrying it:

- `CorpusLanguageModel` (text generation): one long string as data, split by
  position; no `bidirectional` flag; steps per epoch only known from the dataset;
  `generate` and `score` instead of `predict`, each its own SavedModel signature.

(The sentence classifier's sketch is gone: `apps.classify` now carries the same
contract case, a validation split carved from train by a hash of the text and a
labelled dev split as the test split, both recorded in config.json.)

An encoder-decoder needs nothing else from the harness: `build_model` may build any
functional model, and its serving functions take raw strings like these.
"""

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from apps.console import json_line
from apps.harness import (
    App,
    AppData,
    Endpoints,
    TrainConfig,
    UseCommand,
    at_least_one,
    flag,
)
from apps.harness.serving import endpoints
from kerasrnn.data.pipelines import char_lm_dataset
from kerasrnn.data.vocabulary import build_vocabulary, make_lookup

WORDS = "the cat is small . a dog is big . my cat sat on the mat . ".split()


def corpus(characters=6000, seed=0):
    rng = np.random.default_rng(seed)
    text = ""
    while len(text) < characters:
        text += " ".join(rng.choice(WORDS, size=8)) + "\n"
    return text


@dataclasses.dataclass
class LMConfig(TrainConfig):
    data: str | None = flag("sketch", "built-in text")
    units: int = flag(16, "GRU units")
    window: int = flag(24, "characters per training window")
    batch_size: int = flag(8, "windows per batch")

    epochs: int = flag(2, "maximum epochs")


class CorpusLanguageModel(App):
    name = "sketch_lm"
    Config = LMConfig

    def check_config(self, config):
        return at_least_one(config, "units", "window")

    def read_data(self, config):
        text = corpus()
        a, b = int(len(text) * 0.85), int(len(text) * 0.9)
        return AppData({"train": text[:a], "valid": text[a:b], "test": text[b:]},
                       summary=f"{len(text)} characters", notes={"splits": "by position"})

    def build_vocabulary(self, config, train):
        return {"chars": build_vocabulary([train])}

    def make_dataset(self, config, vocabulary, items, training, drop_remainder=False):
        return char_lm_dataset(items, make_lookup(vocabulary["chars"]), config.window,
                               config.batch_size, shuffle=training, seed=config.seed)

    def build_model(self, config, vocabulary, compile_options):
        ids = keras.Input((None,), dtype="int32", name="chars")
        x = keras.layers.Embedding(len(vocabulary["chars"]) + 2, 8, name="embedding")(ids)
        x = keras.layers.GRU(config.units, return_sequences=True, name="gru")(x)
        probabilities = keras.layers.Dense(len(vocabulary["chars"]) + 2, activation="softmax",
                                           name="next_char")(x)
        model = keras.Model(ids, probabilities)
        model.compile(**compile_options, loss="sparse_categorical_crossentropy")
        return model

    def evaluate(self, trained, items):
        batches = self.make_dataset(trained.config, trained.vocabulary, items, training=False)
        loss = trained.model.evaluate(batches, verbose=0, return_dict=True)["loss"]
        return {"bits_per_char": round(loss / np.log(2), 6)}

    def serving(self, trained):
        lookup = make_lookup(trained.vocabulary["chars"])
        model = trained.model

        def log_probability(text):
            ids = lookup(tf.strings.unicode_split(text, "UTF-8")).to_tensor()
            ids = tf.pad(ids, [[0, 0], [0, tf.maximum(0, 2 - tf.shape(ids)[1])]])
            p = model(ids[:, :-1], training=False)
            chosen = tf.gather(p, ids[:, 1:], batch_dims=2)
            real = tf.cast(ids[:, 1:] > 0, p.dtype)
            return tf.reduce_sum(tf.math.log(tf.maximum(chosen, 1e-9)) * real, axis=-1)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def score(text):
            return {"log_probability": log_probability(text)}

        names = tf.constant(["", "?", *trained.vocabulary["chars"]])

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="prompt")])
        def generate(prompt):
            text = prompt
            for _ in range(5):  # greedy, whole prefix each step: a sketch, not a sampler
                ids = lookup(tf.strings.unicode_split(text, "UTF-8")).to_tensor()
                ids = tf.pad(ids, [[0, 0], [0, tf.maximum(0, 1 - tf.shape(ids)[1])]])
                p = model(ids, training=False)[:, -1, 2:]
                text = text + tf.gather(names, tf.argmax(p, -1, output_type=tf.int32) + 2)
            return {"generated": text}

        return Endpoints({"generate": generate, "score": score}, [lookup])


def _texts(parser):
    parser.add_argument("texts", nargs="*")
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _run(signature, key):
    def run(app, trained, args):
        out = endpoints(app, trained).functions[signature](tf.constant(args.texts or [""]))
        for text, value in zip(args.texts or [""], out[key].numpy()):
            value = value.decode() if isinstance(value, bytes) else round(float(value), 4)
            print(json_line({"text": text, key: value}))
    return run


CorpusLanguageModel.use_commands = (
    UseCommand("generate", "continue prompts", _texts, _run("generate", "generated")),
    UseCommand("score", "log-probability of texts", _texts, _run("score", "log_probability")),
)
