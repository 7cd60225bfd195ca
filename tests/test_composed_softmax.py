"""ComposedSoftmax: a label's score adds its atoms' scores; it starts as Dense + softmax."""

import keras
import numpy as np
import pytest

from kerasrnn.layers import ComposedSoftmax

pytestmark = pytest.mark.backends

# labels: padding (no atoms), a, b, a#b
COMPOSITION = [[], [0], [1], [0, 1]]


def softmax(z):
    z = z - z.max(-1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(-1, keepdims=True)


def test_scores_follow_the_equation(rng):
    layer = ComposedSoftmax(COMPOSITION)
    h = rng.normal(size=(3, 5)).astype("float32")
    layer.build(h.shape)
    w, b, v = (rng.normal(size=s).astype("float32") for s in ((5, 4), (4,), (5, 2)))
    layer.set_weights([w, b, v])
    atoms = h @ v
    z = h @ w + b + np.stack([np.zeros(3), atoms[:, 0], atoms[:, 1], atoms.sum(-1)], -1)
    out = keras.ops.convert_to_numpy(layer(h))
    np.testing.assert_allclose(out, softmax(z), rtol=1e-5, atol=1e-6)
    assert out.dtype == np.float32
    assert layer.compute_output_shape((None, 5)) == (None, 4)


def test_a_new_layer_computes_dense_plus_softmax(rng):
    h = rng.normal(size=(3, 5)).astype("float32")
    layer = ComposedSoftmax(COMPOSITION)
    out = keras.ops.convert_to_numpy(layer(h))
    w, b, v = layer.get_weights()
    assert not v.any()
    np.testing.assert_allclose(out, softmax(h @ w + b), rtol=1e-5, atol=1e-6)


def test_atom_scores_learn_from_every_label_they_are_part_of(rng):
    """Fit on a#b only: the atom scores of a and b come to speak for those inputs,
    the atom c (in no label trained on) against them."""
    composition = [*COMPOSITION, [2]]  # ..., c
    h = (1.0 + 0.1 * rng.normal(size=(64, 5))).astype("float32")  # one kind of input
    model = keras.Sequential([keras.Input((5,)), ComposedSoftmax(composition)])
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    model.fit(h, np.full(64, 3), epochs=20, verbose=0)
    atom_scores = (h @ model.layers[0].get_weights()[2]).mean(0)
    assert atom_scores[0] > 0 and atom_scores[1] > 0 and atom_scores[2] < 0
    assert keras.ops.convert_to_numpy(model(h))[:, 3].mean() > 0.9


def test_config_round_trip_and_saving(tmp_path, rng):
    model = keras.Sequential([keras.Input((5,)), ComposedSoftmax(COMPOSITION, name="intent")])
    h = rng.normal(size=(2, 5)).astype("float32")
    model.layers[0].set_weights([rng.normal(size=w.shape).astype("float32")
                                 for w in model.layers[0].get_weights()])
    path = tmp_path / "composed.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.get_layer("intent").composition == COMPOSITION
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(h)),
                               keras.ops.convert_to_numpy(model(h)), rtol=1e-6)


@pytest.mark.parametrize("composition", [[], [[0], [-1]], [[0], [3]]])
def test_bad_compositions_are_refused(composition):
    with pytest.raises(ValueError):
        ComposedSoftmax(composition, **({"num_atoms": 2} if composition == [[0], [3]] else {}))
