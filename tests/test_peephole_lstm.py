"""PeepholeLSTMCell / PeepholeLSTM against the NumPy reference and against keras.layers.LSTM."""

import functools

import keras
import numpy as np
import pytest

from kerasrnn.layers import PeepholeLSTM, PeepholeLSTMCell
from tests.numpy_rnn import assert_valid_steps_close, peephole_lstm_step, run, weights_of

pytestmark = pytest.mark.backends

UNITS, FEATURES, BATCH, TIME = 5, 3, 4, 6


def _random_layer(rng, **kwargs):
    layer = PeepholeLSTM(UNITS, **kwargs)
    layer.build((None, None, FEATURES))
    for w in layer.weights:  # non-zero everything, peepholes included
        w.assign(rng.normal(scale=0.5, size=w.shape).astype("float32"))
    return layer


def _reference(layer, x, mask=None, go_backwards=False):
    step = functools.partial(peephole_lstm_step, w=weights_of(layer))
    zeros = np.zeros((x.shape[0], UNITS))
    return run(step, x.astype("float64"), (zeros, zeros), mask, go_backwards)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_matches_numpy_reference(rng, go_backwards, masked):
    layer = _random_layer(rng, return_sequences=True, return_state=True, go_backwards=go_backwards)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = None
    if masked:  # right padding of different lengths, one sequence unpadded
        lengths = np.array([TIME, 4, 2, 1])
        mask = np.arange(TIME)[None, :] < lengths[:, None]
    seq, h, c = layer(x, mask=mask)
    ref_seq, ref_last, (ref_h, ref_c) = _reference(layer, x, mask, go_backwards)
    assert_valid_steps_close(keras.ops.convert_to_numpy(seq), ref_seq, mask, go_backwards)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(h), ref_h, atol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(c), ref_c, atol=1e-5)


def test_zero_peepholes_equal_keras_lstm(rng):
    lstm = keras.layers.LSTM(UNITS, return_sequences=True)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    lstm(x)
    for w in lstm.weights:
        w.assign(rng.normal(scale=0.5, size=w.shape).astype("float32"))
    peephole = PeepholeLSTM.from_lstm(lstm)
    assert peephole.return_sequences
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(peephole(x)), keras.ops.convert_to_numpy(lstm(x)), atol=1e-5
    )
    # The same weights under the same names: LSTM weights load by name.
    assert [w.name for w in peephole.weights[:3]] == ["kernel", "recurrent_kernel", "bias"]
    for ours, theirs in zip(peephole.weights[:3], lstm.weights):
        assert tuple(ours.shape) == tuple(theirs.shape)


def test_from_lstm_rejects_unbuilt_and_other_layers():
    with pytest.raises(ValueError, match="no weights yet"):
        PeepholeLSTM.from_lstm(keras.layers.LSTM(3))
    with pytest.raises(TypeError, match="keras.layers.LSTM"):
        PeepholeLSTM.from_lstm(keras.layers.GRU(3))


def test_weight_names_and_unit_forget_bias():
    layer = PeepholeLSTM(UNITS)
    layer.build((None, None, FEATURES))
    names = [w.name for w in layer.weights]
    assert names[:3] == ["kernel", "recurrent_kernel", "bias"]
    assert sorted(n for n in names if "peephole" in n) == [
        "forget_peephole", "input_peephole", "output_peephole"]
    bias = keras.ops.convert_to_numpy(layer.cell.bias)
    np.testing.assert_array_equal(bias[UNITS : 2 * UNITS], 1.0)
    np.testing.assert_array_equal(np.delete(bias, np.s_[UNITS : 2 * UNITS]), 0.0)


def test_cell_in_plain_rnn_matches_layer(rng):
    layer = _random_layer(rng, return_sequences=True)
    cell = PeepholeLSTMCell(UNITS)
    plain = keras.layers.RNN(cell, return_sequences=True)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    plain(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(plain(x)), keras.ops.convert_to_numpy(layer(x)), atol=1e-6
    )


def test_dropout_masks_are_variational_and_off_at_inference(rng):
    layer = PeepholeLSTM(UNITS, dropout=0.5, recurrent_dropout=0.5, seed=3,
                         return_sequences=True)
    x = np.ones((BATCH, TIME, FEATURES), "float32")
    inference = keras.ops.convert_to_numpy(layer(x, training=False))
    np.testing.assert_allclose(inference, keras.ops.convert_to_numpy(layer(x)), atol=1e-6)
    trained = keras.ops.convert_to_numpy(layer(x, training=True))
    assert not np.allclose(trained, inference)
    # The same cell inside a plain keras.layers.RNN also trains with dropout.
    plain = keras.layers.RNN(PeepholeLSTMCell(UNITS, dropout=0.5, seed=3))
    a = keras.ops.convert_to_numpy(plain(x, training=True))
    b = keras.ops.convert_to_numpy(plain(x, training=False))
    assert a.shape == b.shape and not np.allclose(a, b)


def test_stateful_continues_where_the_last_call_ended(rng):
    whole = _random_layer(rng)
    layer = PeepholeLSTM(UNITS, stateful=True)
    inputs = keras.Input(batch_shape=(2, None, FEATURES))
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights(whole.get_weights())
    x = rng.normal(size=(2, TIME, FEATURES)).astype("float32")
    model(x[:, :3])
    second_half = keras.ops.convert_to_numpy(model(x[:, 3:]))
    # Two stateful halves compute what one pass over the whole sequence computes.
    np.testing.assert_allclose(second_half, keras.ops.convert_to_numpy(whole(x)), atol=1e-5)
    layer.reset_state()
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model(x[:, :3])),
        keras.ops.convert_to_numpy(whole(x[:, :3])),
        atol=1e-5,
    )


def test_unroll_gives_the_same_numbers(rng):
    layer = _random_layer(rng, return_sequences=True)
    unrolled = PeepholeLSTM(UNITS, return_sequences=True, unroll=True)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    unrolled(x)
    unrolled.set_weights(layer.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(unrolled(x)), keras.ops.convert_to_numpy(layer(x)), atol=1e-6
    )


@pytest.mark.parametrize("bad", [{"units": 0}, {"units": 4, "dropout": 1.0}])
def test_invalid_arguments(bad):
    with pytest.raises(ValueError):
        PeepholeLSTM(**bad)
