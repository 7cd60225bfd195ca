"""Back-propagation through time against finite differences, in float64.

The analytic gradients come from each backend's autodiff through our layers; the
finite differences come from the NumPy reference of the same equations, which is
exact in float64 on every backend (XLA's CPU tanh is only accurate to ~3e-8, too
coarse for differences of the layer's own outputs under JAX).
"""

import functools

import keras
import numpy as np
import pytest

from kerasrnn.layers import JordanRNN, PeepholeLSTM
from tests.backend_gradients import gradients
from tests.numpy_rnn import jordan_step, peephole_lstm_step, run

pytestmark = pytest.mark.backends

UNITS, LABELS = 3, 2

CASES = {
    "peephole_lstm": (
        lambda: PeepholeLSTM(UNITS, return_sequences=True, dtype="float64"),
        peephole_lstm_step,
        lambda w, batch: (np.zeros((batch, UNITS)),) * 2,
    ),
    "jordan": (
        lambda: JordanRNN(UNITS, output_units=LABELS, return_sequences=True, dtype="float64"),
        jordan_step,
        lambda w, batch: (np.broadcast_to(w["initial_output"], (batch, LABELS)),),
    ),
    "hybrid": (
        lambda: JordanRNN(UNITS, output_units=LABELS, hybrid=True, return_sequences=True,
                          dtype="float64"),
        functools.partial(jordan_step, hybrid=True),
        lambda w, batch: (np.broadcast_to(w["initial_output"], (batch, LABELS)),
                          np.zeros((batch, UNITS))),
    ),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_gradients_match_finite_differences(kind, rng):
    make_layer, step, initial_state = CASES[kind]
    layer = make_layer()
    layer.build((None, None, 3))
    for w in layer.weights:
        w.assign(rng.normal(scale=0.5, size=w.shape))
    x = rng.normal(size=(2, 4, 3))
    mask = np.array([[True] * 4, [True, True, True, False]])
    probe = rng.normal(size=(2, 4, layer.cell.output_size)) * mask[..., None]

    def reference_loss(w):
        outputs, _, _ = run(functools.partial(step, w=w), x, initial_state(w, 2), mask)
        return float((outputs * probe).sum())

    def layer_loss():
        return keras.ops.sum(keras.ops.multiply(layer(x, mask=mask), probe))

    analytic = gradients(layer, layer_loss)
    assert analytic.pop("__missing__") == []  # every weight receives a gradient
    weights = {w.name: np.asarray(keras.ops.convert_to_numpy(w), "float64") for w in layer.weights}
    assert reference_loss(weights) == pytest.approx(
        float(keras.ops.convert_to_numpy(layer_loss())), rel=1e-6)
    eps = 1e-6
    # JAX's float64 tanh error (~3e-8) also reaches its gradients: allow 1e-4 there.
    rel = 1e-4 if keras.backend.backend() == "jax" else 1e-5
    for w in layer.trainable_weights:
        grad = analytic[w.path]
        assert np.abs(grad).max() > 0, f"{w.path} gets a zero gradient"
        for index in np.ndindex(*w.shape):
            shifted = {**weights, w.name: weights[w.name].copy()}
            shifted[w.name][index] += eps
            up = reference_loss(shifted)
            shifted[w.name][index] -= 2 * eps
            numeric = (up - reference_loss(shifted)) / (2 * eps)
            assert grad[index] == pytest.approx(numeric, rel=rel, abs=1e-8), (w.path, index)
