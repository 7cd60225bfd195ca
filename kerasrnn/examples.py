"""The classic RNN lecture's worked examples, built from real layers.

Each function returns a small Keras model whose weights are set by hand, so that
the numbers the lecture computes on paper come out of `model(x)`:

- `toy_elman()`: 2 inputs, 2 hidden, 2 outputs, every weight 1, no biases, linear
  activations. Inputs [1,1], [1,1], [2,2] give [4,4], [12,12], [32,32].
- `toy_jordan()`: the same, but the *output* is fed back (y₀ = 0): [4,4], [20,20],
  [88,88].
- `hand_wired_lstm()`: a one-unit LSTM whose gates are wired by hand (input
  z = x₁, input gate 100·x₂ − 10, forget gate 100·x₂ + 10, output gate
  100·x₃ − 10): x₂ = 1 writes x₁ into memory, x₂ = −1 clears it, x₃ = 1 reads it.
"""

import keras
import numpy as np

from kerasrnn.layers import JordanRNN, PeepholeLSTM

TOY_INPUTS = np.array([[[1, 1], [1, 1], [2, 2]]], "float32")
LSTM_INPUTS = np.array(
    [[[1, 0, 0], [3, 1, 0], [2, 0, 0], [4, 1, 0], [2, 0, 0],
      [1, 0, 1], [3, -1, 0], [6, 1, 0], [1, 0, 1]]],
    "float32",
)


def toy_elman():
    """Elman network: the hidden layer h₋₁ is fed back (`keras.layers.SimpleRNN`)."""
    return keras.Sequential(
        [
            keras.Input((None, 2)),
            keras.layers.SimpleRNN(2, activation="linear", use_bias=False,
                                   kernel_initializer="ones", recurrent_initializer="ones",
                                   return_sequences=True, name="memory"),
            keras.layers.Dense(2, use_bias=False, kernel_initializer="ones", name="output"),
        ],
        name="toy_elman",
    )


def toy_jordan():
    """Jordan network: the output y₋₁ is fed back (`kerasrnn.layers.JordanRNN`)."""
    return keras.Sequential(
        [
            keras.Input((None, 2)),
            JordanRNN(2, output_units=2, activation="linear", output_activation="linear",
                      use_bias=False, kernel_initializer="ones", recurrent_initializer="ones",
                      output_initializer="ones", initial_output_initializer="zeros",
                      return_sequences=True, name="jordan"),
        ],
        name="toy_jordan",
    )


def _hand_wired_weights():
    # Columns are the gates in Keras order (i, f, c, o); rows are x₁, x₂, x₃.
    kernel = np.array([[0, 0, 1, 0], [100, 100, 0, 0], [0, 0, 0, 100]], "float32")
    bias = np.array([-10, 10, 0, -10], "float32")
    return kernel, np.zeros((1, 4), "float32"), bias


def hand_wired_lstm():
    """The hand-wired memory cell, as `PeepholeLSTM` (peepholes 0) and `keras.layers.LSTM`."""
    options = dict(activation="linear", recurrent_activation="sigmoid",
                   unit_forget_bias=False, return_sequences=True)
    models = []
    for layer in (PeepholeLSTM(1, peephole_initializer="zeros", name="peephole_lstm", **options),
                  keras.layers.LSTM(1, name="lstm", **options)):
        model = keras.Sequential([keras.Input((None, 3)), layer], name=f"hand_wired_{layer.name}")
        kernel, recurrent_kernel, bias = _hand_wired_weights()
        layer.cell.kernel.assign(kernel)
        layer.cell.recurrent_kernel.assign(recurrent_kernel)
        layer.cell.bias.assign(bias)
        models.append(model)
    return models


def gradient_through_time(factor, steps=1000):
    """What back-propagation through `steps` steps multiplies a gradient by: factor**steps.

    1.01**1000 ≈ 20959 (explodes: clip it) and 0.99**1000 ≈ 4.3e-5 (vanishes: gates help).
    """
    return float(factor) ** steps
