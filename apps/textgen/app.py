"""Character-level text generation (Kafka's Metamorphosis, 红楼梦, any UTF-8 text file).

    python -m apps.textgen train --data kafka
    python -m apps.textgen train --data-dir book.txt --cell gru --layers 1
    python -m apps.textgen generate --model saved_models/textgen-kafka \\
        --prompt "Gregor" --length 300 --temperature 0.8 --num-samples 3 --seed 1
    python -m apps.textgen score --model saved_models/textgen-kafka \\
        "the cat is small" "small is the cat"
    python -m apps.textgen evaluate --model saved_models/textgen-kafka --split valid
    python -m apps.textgen export --model saved_models/textgen-kafka --out /tmp/textgen

Data: `--data kafka` (without the Project Gutenberg header and licence) or
`--data hongloumeng` (from its first chapter), or `--data-dir` one UTF-8 text file.
Project Gutenberg's header and licence are removed from any file too: everything
up to a "*** START OF THE/THIS PROJECT GUTENBERG" line, and everything from the
first "*** END OF ..." or "End of the Project Gutenberg" line on (the summary
says how many lines went; a file without the markers loses nothing). The text is
split by position, each cut moved back to a line start: the last 10% is the test
part (metrics.json), the 5% before it the validation part (the kept epoch), the
rest is training.

Vocabulary: every character of the training part; characters first seen later
read as one out-of-vocabulary id (id 1; id 0 is padding). Neither is ever generated.

Model: a character embedding, `--layers` unidirectional recurrent layers of
`--cell` (any of kerasrnn.layers.recurrent's), dropout after each, and a softmax
over the vocabulary. Training reads windows of `--window` characters starting
every `--stride` characters of the training part, predicting every next character;
`--random-offsets` moves each window's start by a random 0 … `--stride` − 1
characters, drawn anew each epoch (AWD-LSTM's variable-length back-propagation
windows serve the same end: every character is seen at every position of a
window; Merity et al. 2018, "Regularizing and Optimizing LSTM Language Models",
section 4.1). `--variational-dropout` draws one dropout mask per sequence, shared
by all its steps (Gal & Ghahramani 2016, "A Theoretically Grounded Application of
Dropout in Recurrent Neural Networks"), instead of one per step; both are measured
on Kafka in benchmarks/README.md.
Defaults follow the training part's vocabulary: up to 1,000 characters (alphabetic
text) two LSTM-256 layers, dropout 0.35, windows of 100 every 50 moved by random
offsets, batch 32, learning rate 5e-3 and a weight average (--ema 0.995); above it
(Chinese), where the softmax over thousands of characters costs most of each step,
one LSTM-128 layer, no dropout, windows of 40 every 6 (no random offsets), batch
128, learning rate 1e-2 decaying to 0 along a cosine over 2 epochs, no average. A flag
given overrides its default; config.json records the values used.

Results: metrics.json holds `bits_per_char` (cross-entropy in bits, -log2 p of each
test character given the text before it, averaged) and `perplexity` (2 ** bits) of
the test part, and `valid_bits_per_char`, `valid_perplexity` of the validation
part. Each character is scored with between `--window`/2 and `--window`
characters of context (windows of `--window` overlapping by half).

`generate` continues `--prompt` (read as if it started a line) by `--length`
characters, drawn with `--temperature` and `--top-k` in one compiled loop that
carries the recurrent state (kerasrnn.generation.sample); `--num-samples` are
drawn as one batch; the same `--seed` gives the same text. `score` gives each
sentence's total natural-log probability (the sentence read as a line of its own:
its characters given a preceding newline), bits per character and perplexity
(an empty sentence has neither: null in JSON, n/a in text, NaN in the SavedModel).
The SavedModel has `generate` (also `serving_default`: prompt, length,
temperature, top_k, seed → generated: the continuation only, where the CLI prints
the prompt too) and `score` (text → log_probability, bits_per_char, perplexity,
characters). Its `generate` refuses, with InvalidArgumentError, the values the CLI
refuses (length outside 1 … 1,000,000, temperature ≤ 0, top_k outside 0 … the
vocabulary size, seed < 0).
"""

import dataclasses
import math

import keras
import numpy as np
import tensorflow as tf

from apps.harness import App, AppData, TrainConfig, at_least_one, flag, new_default
from apps.harness.config import by_data, data_flag, flag_name, in_unit_interval
from apps.textgen import use
from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.loading import load_dataset
from kerasrnn.data.vocabulary import build_vocabulary
from kerasrnn.layers.recurrent import RECURRENT_KINDS, recurrent
from kerasrnn.training import UserInputError

VALID_FRACTION, TEST_FRACTION = 0.05, 0.10
PAD_ID, OOV_ID = 0, 1


# Defaults by the size of the training part's vocabulary (benchmarks/README.md,
# "Choosing the defaults", "Random window offsets" and "红楼梦: defaults for a large
# vocabulary"). Up to LARGE_VOCABULARY characters (alphabetic text: Kafka has 62): two
# LSTM-256 layers, dropout 0.35, random window offsets and a weight average, chosen on
# Kafka's validation part. Above it
# (Chinese: 红楼梦 has 4,473) the softmax over the vocabulary costs most of each step
# and the Kafka-sized model reached only 8.5 valid bits/char, near the unigram
# entropy (8.6), in the time budget; a smaller, faster model with bigger batches and
# no dropout, compared on 红楼梦's validation part, learns far more per second.
LARGE_VOCABULARY = 1000
DEFAULTS = {
    "small vocabulary": {"layers": 2, "units": 256, "dropout": 0.35, "window": 100,
                         "stride": 50, "random_offsets": True, "batch_size": 32,
                         "learning_rate": 5e-3, "lr_schedule": "constant", "epochs": 40,
                         "ema": 0.995},
    "large vocabulary": {"layers": 1, "units": 128, "dropout": 0.0, "window": 40,
                         "stride": 6, "random_offsets": False, "batch_size": 128,
                         "learning_rate": 1e-2, "lr_schedule": "cosine", "epochs": 2,
                         "ema": 0.0},
}


def _shown(value):
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _auto(name):
    small, large = DEFAULTS["small vocabulary"][name], DEFAULTS["large vocabulary"][name]
    return (f"{_shown(small)}; {_shown(large)} above {LARGE_VOCABULARY:,} characters "
            "of vocabulary")


@dataclasses.dataclass
class Config(TrainConfig):
    data: str | None = data_flag("text_corpus")
    cell: str = flag("lstm", "recurrent layer kind", choices=tuple(RECURRENT_KINDS))
    layers: int | None = by_data("recurrent layers, stacked", _auto("layers"))
    units: int | None = by_data("units of each recurrent layer", _auto("units"))
    embedding_dim: int = flag(64, "character embedding size")
    dropout: float | None = by_data("dropout after the embedding and each recurrent layer",
                                    _auto("dropout"))
    window: int | None = by_data("characters per training window (and evaluation context)",
                                 _auto("window"))
    stride: int | None = by_data("characters between the starts of training windows",
                                 _auto("stride"))
    random_offsets: bool | None = by_data("shift each training window's start by a random 0 "
                                          "to --stride - 1 characters, drawn anew each "
                                          "epoch, so that every character is seen at every "
                                          "position of a window", _auto("random_offsets"))
    variational_dropout: bool = flag(False, "one dropout mask per sequence, the same at "
                                     "every step (Gal & Ghahramani 2016), not one per step")
    batch_size: int | None = by_data(None, _auto("batch_size"), base="batch_size")
    learning_rate: float | None = by_data(None, _auto("learning_rate"), base="learning_rate")
    lr_schedule: str | None = by_data(None, _auto("lr_schedule"), base="lr_schedule")
    epochs: int | None = by_data(None, _auto("epochs"), base="epochs")
    ema: float | None = by_data(None, _auto("ema"), base="ema")
    time_budget: float = new_default(TrainConfig, "time_budget", 840)


def fill_defaults(config, vocabulary_size):
    """Sets the fields of `config` left None by the vocabulary's size; returns which set.

    Mutates `config` (the run then records the values used in config.json).
    """
    which = "large vocabulary" if vocabulary_size > LARGE_VOCABULARY else "small vocabulary"
    for name, value in DEFAULTS[which].items():
        if getattr(config, name) is None:
            setattr(config, name, value)
    return which


def _check_filled(config):
    """Settings that do nothing or lose text, once the by-data defaults are filled in.

    Raises:
        UserInputError: `--stride` above `--window` without random offsets (the
            characters between windows would never be trained on), or
            `--variational-dropout` with `--dropout 0` (nothing to share a mask of).
    """
    if config.stride > config.window and not config.random_offsets:
        raise UserInputError(
            f"--stride {config.stride} is more than --window {config.window}: "
            f"{config.stride - config.window} of every {config.stride} training characters "
            "would never be trained on; lower --stride or add --random-offsets")
    if config.variational_dropout and not config.dropout:
        raise UserInputError("--variational-dropout shares one dropout mask per sequence, "
                             "but --dropout is 0: give --dropout above 0, or leave the "
                             "flag off")


class TextGen(App):
    name = "textgen"
    Config = Config
    description = __doc__
    use_commands = use.COMMANDS

    def check_config(self, config):
        return (at_least_one(config, "layers", "units", "embedding_dim", "window", "stride")
                + in_unit_interval(config, "dropout"))

    def read_data(self, config):
        options = {"valid_fraction": VALID_FRACTION, "test_fraction": TEST_FRACTION}
        if config.data:
            corpus = load_dataset(config.data, **options)
        else:
            corpus = load_dataset(data_dir=config.data_dir, data_format="text_corpus",
                                  strip_gutenberg=True, **options)
        splits = corpus.splits
        size = len(set(splits["train"]))
        which = fill_defaults(config, size)
        _check_filled(config)
        for name, text in splits.items():
            if len(text) <= config.window:
                raise DataFormatError(
                    corpus.report.source, f"the text is too short: its {name} part has "
                    f"{len(text)} characters, fewer than --window {config.window} + 1")
        counts = ", ".join(f"{name} {len(text):,}" for name, text in splits.items())
        summary = (f"{corpus.report.source}: characters {counts}; vocabulary "
                   f"{size:,} characters of train + out-of-vocabulary; "
                   + "; ".join(corpus.report.notes) + f"\nsettings used (the {which}'s "
                   f"defaults unless given; more than {LARGE_VOCABULARY:,} "
                   "characters is large): "
                   + ", ".join(f"{flag_name(k)} {_shown(getattr(config, k))}"
                               for k in DEFAULTS[which]))
        return AppData(splits, summary=summary, source=corpus.report.source,
                       notes={"splits": "by position, cut back to a line start: test the last "
                              "10%, valid the 5% before it, train the rest"})

    def build_vocabulary(self, config, train):
        return {"chars": build_vocabulary([train])}

    def make_dataset(self, config, vocabulary, items, training, drop_remainder=False):
        ids = char_ids(vocabulary, items)
        stride = config.stride if training else config.window
        starts = np.arange(0, len(ids) - config.window, stride, dtype=np.int64)
        text = tf.constant(ids)
        windows = tf.data.Dataset.from_tensor_slices(starts)
        if training:
            windows = windows.shuffle(len(starts), seed=config.seed)
        if training and config.random_offsets:
            last = len(ids) - config.window - 1  # the last start with a full window + target
            draws = tf.data.Dataset.random(seed=config.seed, rerandomize_each_iteration=True)
            windows = tf.data.Dataset.zip(windows, draws).map(
                lambda s, r: tf.minimum(s + tf.math.floormod(r, stride), last))
        window = config.window
        windows = windows.map(lambda s: (text[s:s + window], text[s + 1:s + window + 1]))
        return windows.batch(config.batch_size, drop_remainder=drop_remainder)

    def build_model(self, config, vocabulary, compile_options):
        model = language_model(config, len(vocabulary["chars"]) + 2)
        model.compile(**compile_options, loss="sparse_categorical_crossentropy")
        return model

    def evaluate(self, trained, items):
        bits, _ = bits_per_char(trained.model, char_ids(trained.vocabulary, items),
                                trained.config.window)
        valid = self.read_data(trained.config).splits["valid"]
        valid_bits, _ = bits_per_char(trained.model, char_ids(trained.vocabulary, valid),
                                      trained.config.window)
        unknown = int(np.sum(char_ids(trained.vocabulary, items) == OOV_ID))
        return {"bits_per_char": round(bits, 6), "perplexity": round(2 ** bits, 6),
                "valid_bits_per_char": round(valid_bits, 6),
                "valid_perplexity": round(2 ** valid_bits, 6),
                "characters": len(items), "oov_characters": unknown}

    def serving(self, trained):
        return use.endpoints(trained)


def language_model(config, size, stateful_batch=None):
    """The uncompiled character language model: `[batch, time]` ids → probabilities.

    Embedding, `config.layers` recurrent layers of `config.cell` with dropout after
    each, and a softmax over `size` ids. With `stateful_batch`, the recurrent layers
    are stateful for batches of that size (truncated back-propagation through time
    with the state carried across batches; `benchmarks/textgen_tbptt.py`); the layer
    names and weights are the same either way, so weights move between the two.
    """
    shape = {"batch_shape": (stateful_batch, None)} if stateful_batch else {"shape": (None,)}
    ids = keras.Input(**shape, dtype="int32", name="chars")
    x = keras.layers.Embedding(size, config.embedding_dim, name="embedding")(ids)
    x = _dropout(config, config.embedding_dim, "embedding_dropout")(x)
    for i in range(config.layers):
        x = recurrent(config.cell, config.units, return_sequences=True,
                      stateful=bool(stateful_batch), name=f"recurrent_{i}")(x)
        x = _dropout(config, config.units, f"dropout_{i}")(x)
    logits = keras.layers.Dense(size, name="logits")(x)
    probabilities = keras.layers.Activation("softmax", dtype="float32", name="next_char")(logits)
    return keras.Model(ids, probabilities, name="char_language_model")


def _dropout(config, features, name):
    """Dropout on `[batch, time, features]`: a mask per step, or with
    `config.variational_dropout` one per sequence shared by all its steps."""
    noise = (None, 1, features) if config.variational_dropout else None
    return keras.layers.Dropout(config.dropout, noise_shape=noise, name=name)


def char_ids(vocabulary, text):
    """`text` as an int32 array of ids (2.. for characters of train, 1 for others)."""
    index = {c: i + 2 for i, c in enumerate(vocabulary["chars"])}
    return np.fromiter((index.get(c, OOV_ID) for c in text), np.int32, len(text))


def bits_per_char(model, ids, window):
    """(mean -log2 p(character | the text before it), characters scored) over `ids`.

    `ids`: 1-D int32 character ids; `model`: `[batch, time]` ids → `[batch, time,
    vocabulary]` probabilities. Bits per character is the cross-entropy in bits
    (nats ÷ ln 2) and perplexity per character is 2 ** bits, as in Graves (2013),
    "Generating Sequences With Recurrent Neural Networks", section 3.

    Windows of `window` ids start every `window // 2`; each scores its second half
    (the first window scores all), so every character but the first few has at least
    `window // 2` characters of context and none more than the model trained on.
    The first id is context only.
    """
    half = max(window // 2, 1)
    inputs, targets, weights = [], [], []
    for begin in range(0, max(len(ids) - 1, 1), half):
        chunk = ids[begin:begin + window + 1]
        if len(chunk) < 2:
            break
        scored = np.zeros(window, np.float32)  # target j predicts ids[begin + j + 1]
        scored[(0 if begin == 0 else window - half):len(chunk) - 1] = 1
        inputs.append(np.pad(chunk[:-1], (0, window + 1 - len(chunk))))
        targets.append(np.pad(chunk[1:], (0, window + 1 - len(chunk))))
        weights.append(scored)
        if begin + window + 1 >= len(ids):
            break
    total, count = 0.0, 0.0
    for i in range(0, len(inputs), 64):
        x, y, w = (np.stack(a[i:i + 64]) for a in (inputs, targets, weights))
        total += float(_log_likelihood(model, x, y, w))
        count += float(w.sum())
    return -total / max(count, 1) / math.log(2), int(count)


@tf.function(reduce_retracing=True)
def _log_likelihood(model, inputs, targets, weights):
    p = model(inputs, training=False)
    chosen = tf.gather(p, targets, batch_dims=2)
    return tf.reduce_sum(tf.math.log(tf.maximum(chosen, 1e-30)) * tf.cast(weights, p.dtype))
