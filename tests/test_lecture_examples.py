"""The worked examples of the classic RNN lecture, computed by our layers.

They double as documentation: `python -m apps.demo --layers` prints the same numbers.
"""

import keras
import numpy as np
import pytest

from kerasrnn.examples import hand_wired_lstm, toy_elman, toy_jordan

pytestmark = pytest.mark.backends

TOY_INPUTS = np.array([[[1, 1], [1, 1], [2, 2]]], "float32")


def test_toy_elman_network():
    outputs = keras.ops.convert_to_numpy(toy_elman()(TOY_INPUTS))
    np.testing.assert_allclose(outputs[0], [[4, 4], [12, 12], [32, 32]])


def test_toy_jordan_network():
    outputs = keras.ops.convert_to_numpy(toy_jordan()(TOY_INPUTS))
    np.testing.assert_allclose(outputs[0], [[4, 4], [20, 20], [88, 88]])


def test_order_matters():
    reversed_inputs = TOY_INPUTS[:, ::-1]
    for model in (toy_elman(), toy_jordan()):
        forward = keras.ops.convert_to_numpy(model(TOY_INPUTS))
        backward = keras.ops.convert_to_numpy(model(reversed_inputs))
        assert not np.allclose(forward[:, -1], backward[:, -1])
    # Elman on [2,2], [1,1], [1,1]: h = 4, 2+8, 2+20 per unit; y = 2·h.
    elman_reversed = keras.ops.convert_to_numpy(toy_elman()(reversed_inputs))[0]
    np.testing.assert_allclose(elman_reversed, [[8, 8], [20, 20], [44, 44]])


def test_hand_wired_lstm_cell():
    x = np.array([[[1, 0, 0], [3, 1, 0], [2, 0, 0], [4, 1, 0], [2, 0, 0],
                   [1, 0, 1], [3, -1, 0], [6, 1, 0], [1, 0, 1]]], "float32")
    for model in hand_wired_lstm():  # our PeepholeLSTM (peepholes off) and keras.layers.LSTM
        outputs = keras.ops.convert_to_numpy(model(x))[0, :, 0]
        np.testing.assert_allclose(outputs, [0, 0, 0, 0, 0, 7, 0, 0, 6], atol=1e-2)
