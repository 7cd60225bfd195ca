"""JordanRNNCell / JordanRNN against the NumPy reference."""

import functools

import keras
import numpy as np
import pytest

from kerasrnn.layers import JordanRNN, JordanRNNCell
from tests.numpy_rnn import assert_valid_steps_close, jordan_step, run, weights_of

pytestmark = pytest.mark.backends

UNITS, LABELS, FEATURES, BATCH, TIME = 6, 4, 3, 4, 5


def _random_layer(rng, **kwargs):
    layer = JordanRNN(UNITS, output_units=LABELS, **kwargs)
    layer.build((None, None, FEATURES))
    for w in layer.weights:  # y₀ included, so the initial output is really used
        w.assign(rng.normal(scale=0.5, size=w.shape).astype("float32"))
    return layer


def _reference(layer, x, mask=None, go_backwards=False):
    w = weights_of(layer)
    hybrid = layer.cell.hybrid
    step = functools.partial(jordan_step, w=w, hybrid=hybrid)
    y0 = np.broadcast_to(w["initial_output"], (x.shape[0], LABELS))
    state = (y0, np.zeros((x.shape[0], UNITS))) if hybrid else (y0,)
    return run(step, x.astype("float64"), state, mask, go_backwards)


@pytest.mark.parametrize("hybrid", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_matches_numpy_reference(rng, hybrid, go_backwards, masked):
    layer = _random_layer(rng, hybrid=hybrid, return_sequences=True, return_state=True,
                          go_backwards=go_backwards)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = None
    if masked:
        mask = np.arange(TIME)[None, :] < np.array([TIME, 3, 2, 1])[:, None]
    seq, *states = layer(x, mask=mask)
    ref_seq, _, ref_states = _reference(layer, x, mask, go_backwards)
    assert_valid_steps_close(keras.ops.convert_to_numpy(seq), ref_seq, mask, go_backwards)
    assert len(states) == (2 if hybrid else 1)
    for got, want in zip(states, ref_states):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(got), want, atol=1e-5)


def test_output_is_a_label_distribution_fed_back(rng):
    layer = _random_layer(rng, return_sequences=True)
    y = keras.ops.convert_to_numpy(layer(rng.normal(size=(BATCH, TIME, FEATURES))))
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, atol=1e-5)
    assert layer.cell.state_size == [LABELS]


def test_explicit_initial_state_replaces_initial_output(rng):
    layer = _random_layer(rng, return_sequences=True)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    y0 = rng.dirichlet(np.ones(LABELS), size=BATCH).astype("float32")
    got = keras.ops.convert_to_numpy(layer(x, initial_state=[y0]))
    w = weights_of(layer)
    ref, _, _ = run(functools.partial(jordan_step, w=w), x.astype("float64"), (y0,))
    np.testing.assert_allclose(got, ref, atol=1e-5)


def test_weight_names():
    layer = JordanRNN(UNITS, output_units=LABELS, hybrid=True)
    layer.build((None, None, FEATURES))
    assert {w.name: tuple(w.shape) for w in layer.weights} == {
        "kernel": (FEATURES, UNITS),
        "recurrent_kernel": (LABELS, UNITS),
        "hidden_kernel": (UNITS, UNITS),
        "bias": (UNITS,),
        "output_kernel": (UNITS, LABELS),
        "output_bias": (LABELS,),
        "initial_output": (LABELS,),
    }
    plain = JordanRNN(UNITS)
    plain.build((None, None, FEATURES))
    assert "hidden_kernel" not in [w.name for w in plain.weights]
    assert plain.output_units == UNITS


def test_cell_in_plain_rnn_matches_layer(rng):
    layer = _random_layer(rng, hybrid=True, return_sequences=True)
    plain = keras.layers.RNN(JordanRNNCell(UNITS, output_units=LABELS, hybrid=True),
                             return_sequences=True)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    plain(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(plain(x)), keras.ops.convert_to_numpy(layer(x)), atol=1e-6
    )


def test_dropout_only_in_training(rng):
    layer = JordanRNN(UNITS, output_units=LABELS, hybrid=True, dropout=0.5,
                      recurrent_dropout=0.5, seed=1, return_sequences=True)
    x = np.ones((BATCH, TIME, FEATURES), "float32")
    a = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(a, keras.ops.convert_to_numpy(layer(x, training=False)))
    assert not np.allclose(a, keras.ops.convert_to_numpy(layer(x, training=True)))


def test_stateful_reset_returns_to_initial_output(rng):
    whole = _random_layer(rng)
    layer = JordanRNN(UNITS, output_units=LABELS, stateful=True)
    inputs = keras.Input(batch_shape=(2, None, FEATURES))
    model = keras.Model(inputs, layer(inputs))
    layer.set_weights(whole.get_weights())
    x = rng.normal(size=(2, TIME, FEATURES)).astype("float32")
    model(x[:, :2])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x[:, 2:])),
                               keras.ops.convert_to_numpy(whole(x)), atol=1e-5)
    layer.reset_state()
    y0 = keras.ops.convert_to_numpy(layer.cell.initial_output)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.states[0]),
                               np.broadcast_to(y0, (2, LABELS)))


@pytest.mark.parametrize("bad", [{"units": 0}, {"units": 3, "output_units": -1},
                                 {"units": 3, "recurrent_dropout": 1.5}])
def test_invalid_arguments(bad):
    with pytest.raises(ValueError):
        JordanRNN(**bad)
