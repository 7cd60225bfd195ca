"""The long-dependency task the gradients and memory lessons train on.

Recall the first symbol: a sequence starts with one of `symbols` symbols, then
`steps − 1` noise symbols (from a separate alphabet) follow; at the last step the
network must name the first. Only a network that carries the first input across
all `steps − 1` steps beats chance (1 / `symbols`).
"""

import keras
import numpy as np

from kerasrnn.layers import recurrent

SYMBOLS, NOISE = 4, 4
JORDAN_OUTPUT_UNITS = 16


def recall_first_symbol(count, steps, rng, symbols=SYMBOLS, noise=NOISE):
    """Returns one-hot inputs `(count, steps, symbols + noise)` float32 and answers `(count,)`."""
    x = np.zeros((count, steps, symbols + noise), "float32")
    answers = rng.integers(0, symbols, count)
    rows = np.arange(count)
    x[rows, 0, answers] = 1
    noise_ids = symbols + rng.integers(0, noise, (count, steps - 1))
    x[rows[:, None], np.arange(1, steps)[None], noise_ids] = 1
    return x, answers


def recall_model(kind, units, steps, learning_rate=0.01, run_eagerly=False, **layer_kwargs):
    """`recurrent(kind)` named "recurrent", then a softmax "answer"; compiled with Adam.

    The Jordan kinds feed back a softmax output of `JORDAN_OUTPUT_UNITS` units.
    `run_eagerly=True` skips tracing: faster for the tiny runs of the tests.
    """
    if kind in ("jordan", "hybrid"):
        layer_kwargs.setdefault("output_units", JORDAN_OUTPUT_UNITS)
    model = keras.Sequential([
        keras.Input((steps, SYMBOLS + NOISE)),
        recurrent(kind, units, name="recurrent", **layer_kwargs),
        keras.layers.Dense(SYMBOLS, activation="softmax", name="answer"),
    ], name=f"recall_{kind}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=run_eagerly)
    return model
