"""The long-dependency task the gradients and memory lessons train on.

Recall the first symbol: a sequence starts with one of `symbols` symbols, then
`steps − 1` noise symbols (from a separate alphabet) follow; at the last step the
network must name the first. Only a network that carries the first input across
all `steps − 1` steps beats chance (1 / `symbols`). (The "noiseless/noisy
sequences" long-time-lag tasks of Hochreiter & Schmidhuber, "Long short-term
memory", Neural Computation 1997, experiments 2a–2b, in a small form.)
"""

import keras
import numpy as np

from kerasrnn.layers import recurrent

SYMBOLS, NOISE = 4, 4
JORDAN_OUTPUT_UNITS = 16
# Kinds whose gate biases `chrono_initialize` knows: (i, f, c, o) LSTMs and the (z, r, h) GRU.
GATED_KINDS = ("lstm", "peephole_lstm", "gru")


def recall_first_symbol(count, steps, rng, symbols=SYMBOLS, noise=NOISE):
    """Returns one-hot inputs `(count, steps, symbols + noise)` float32 and answers `(count,)`."""
    x = np.zeros((count, steps, symbols + noise), "float32")
    answers = rng.integers(0, symbols, count)
    rows = np.arange(count)
    x[rows, 0, answers] = 1
    noise_ids = symbols + rng.integers(0, noise, (count, steps - 1))
    x[rows[:, None], np.arange(1, steps)[None], noise_ids] = 1
    return x, answers


def recall_model(kind, units, steps, learning_rate=0.01, run_eagerly=False, clipnorm=None,
                 **layer_kwargs):
    """`recurrent(kind)` named "recurrent", then a softmax "answer"; compiled with Adam.

    The Jordan kinds feed back a softmax output of `JORDAN_OUTPUT_UNITS` units.
    `run_eagerly=True` skips tracing: faster for the tiny runs of the tests.
    `clipnorm` clips each gradient's norm (None: no clipping). No XLA: the lessons
    keep TensorFlow's op determinism on, under which Keras compiles none.
    """
    if kind in ("jordan", "hybrid"):
        layer_kwargs.setdefault("output_units", JORDAN_OUTPUT_UNITS)
    model = keras.Sequential([
        keras.Input((steps, SYMBOLS + NOISE)),
        recurrent(kind, units, name="recurrent", **layer_kwargs),
        keras.layers.Dense(SYMBOLS, activation="softmax", name="answer"),
    ], name=f"recall_{kind}")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=clipnorm),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=run_eagerly)
    return model


def chrono_initialize(layer, kind, longest_lag, rng):
    """Sets a built gated layer's gate biases by the chrono initialisation.

    Tallec & Ollivier, "Can recurrent neural networks warp time?", ICLR 2018:
    b_f = log(u) with u ~ Uniform(1, `longest_lag` − 1) per unit and b_i = −b_f,
    so that at the start of training unit j forgets with a time constant of about
    u_j steps instead of the 1 / (1 − σ(1)) ≈ 3.7 steps of Keras' forget bias 1.
    The GRU's update gate z (h = z ⊙ h₋₁ + (1 − z) ⊙ h̃ in Keras) gets b_z = log(u),
    its input-side bias, and 0 on its recurrent-side bias; our adaptation.

    Args:
        layer: a built `keras.layers.LSTM`, `PeepholeLSTM` or `keras.layers.GRU`.
        kind: "lstm", "peephole_lstm" or "gru" (gate order (i, f, c, o), resp. (z, r, h)).
        longest_lag: T_max in steps (> 2).
        rng: a NumPy Generator.

    Returns:
        The forget (GRU: update) gate biases set, `(units,)`.
    """
    if kind not in GATED_KINDS:
        raise ValueError(f"chrono initialisation needs one of {GATED_KINDS}, got {kind!r}")
    cell = layer.cell
    n = cell.units
    forget = np.log(rng.uniform(1, longest_lag - 1, n)).astype("float32")
    bias = keras.ops.convert_to_numpy(cell.bias).copy()
    if kind == "gru":
        bias = bias.reshape(-1, 3 * n)
        bias[:, :n] = 0
        bias[0, :n] = forget
        bias = bias.reshape(cell.bias.shape)
    else:
        bias[:n], bias[n:2 * n] = -forget, forget
    cell.bias.assign(bias)
    return forget
