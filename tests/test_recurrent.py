"""The `recurrent(kind, units)` factory and every kind inside Bidirectional and stacks."""

import keras
import numpy as np
import pytest

from kerasrnn.layers import RECURRENT_KINDS, JordanRNN, PeepholeLSTM, recurrent

pytestmark = pytest.mark.backends


@pytest.mark.parametrize(
    "kind, cls",
    [("elman", keras.layers.SimpleRNN), ("jordan", JordanRNN), ("hybrid", JordanRNN),
     ("lstm", keras.layers.LSTM), ("peephole_lstm", PeepholeLSTM), ("gru", keras.layers.GRU)],
)
def test_kinds(kind, cls):
    layer = recurrent(kind, 4, return_sequences=True)
    assert type(layer) is cls and layer.return_sequences
    if cls is JordanRNN:
        assert layer.cell.hybrid == (kind == "hybrid")


def test_unknown_kind_lists_the_valid_ones():
    with pytest.raises(ValueError) as error:
        recurrent("transformer", 4)
    for kind in RECURRENT_KINDS:
        assert kind in str(error.value)


def test_gru_has_fewer_parameters_than_lstm():
    counts = {}
    for kind in ("elman", "gru", "lstm", "peephole_lstm"):
        layer = recurrent(kind, 8)
        layer.build((None, None, 5))
        counts[kind] = layer.count_params()
    # 4 blocks of (5+8+1)·8 for the LSTM, 3 (plus a reset bias) for the GRU, 1 for Elman.
    assert counts["lstm"] == 4 * (5 + 8 + 1) * 8
    assert counts["peephole_lstm"] == counts["lstm"] + 3 * 8
    assert counts["elman"] < counts["gru"] < counts["lstm"]


@pytest.mark.parametrize("kind", sorted(RECURRENT_KINDS))
def test_bidirectional_and_stacked(kind, rng):
    inputs = keras.Input((None, 3))
    x = keras.layers.Bidirectional(recurrent(kind, 4, return_sequences=True))(inputs)
    x = recurrent(kind, 4, return_sequences=True)(x)
    outputs = recurrent(kind, 4)(x)
    model = keras.Model(inputs, outputs)
    y = model(rng.normal(size=(2, 5, 3)).astype("float32"))
    assert tuple(y.shape) == (2, 4)
    # Reading a sequence in the other order gives other outputs: order matters.
    layer = keras.layers.Bidirectional(recurrent(kind, 4))
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    a = keras.ops.convert_to_numpy(layer(x))
    b = keras.ops.convert_to_numpy(layer(x[:, ::-1]))
    assert not np.allclose(a, b)
