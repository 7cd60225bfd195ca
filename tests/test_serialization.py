"""Configs, .keras files, SavedModel export, mixed precision and XLA for every kind."""

import keras
import numpy as np
import pytest

from kerasrnn.layers import RECURRENT_KINDS, JordanRNN, PeepholeLSTM, recurrent
from tests.conftest import tensorflow_only

pytestmark = pytest.mark.backends

OURS = ["jordan", "hybrid", "peephole_lstm"]


def _tagger(kind):
    """A small stacked bidirectional tagger, the shape of model users build."""
    inputs = keras.Input((None, 3), name="features")
    x = keras.layers.Masking()(inputs)
    x = keras.layers.Bidirectional(recurrent(kind, 4, return_sequences=True), name="bi")(x)
    x = recurrent(kind, 4, return_sequences=True, name="top")(x)
    return keras.Model(inputs, keras.layers.Dense(2, name="head")(x))


def _inputs(rng):
    x = rng.normal(size=(3, 6, 3)).astype("float32")
    x[1, 4:] = 0.0  # padded (masked) steps
    return x


@pytest.mark.parametrize("kind", sorted(RECURRENT_KINDS))
def test_config_round_trip(kind, rng):
    layer = recurrent(kind, 4, return_sequences=True, dropout=0.1)
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    layer(x)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(x)),
                               keras.ops.convert_to_numpy(layer(x)), atol=1e-6)


@pytest.mark.parametrize("kind", OURS)
def test_keras_file_round_trip_in_safe_mode(kind, rng, tmp_path):
    model = _tagger(kind)
    x = _inputs(rng)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode=True by default
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded(x)),
                                  keras.ops.convert_to_numpy(model(x)))


@tensorflow_only
@pytest.mark.parametrize("kind", OURS)
def test_saved_model_export(kind, rng, tmp_path):
    import tensorflow as tf

    model = _tagger(kind)
    x = _inputs(rng)
    model.export(str(tmp_path / "saved"), verbose=False)
    reloaded = tf.saved_model.load(str(tmp_path / "saved"))
    np.testing.assert_allclose(reloaded.serve(tf.constant(x)).numpy(),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-6)


@pytest.mark.parametrize("layer_class", [PeepholeLSTM, JordanRNN])
def test_mixed_float16_is_close_to_float32(layer_class, rng):
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    reference = layer_class(4, return_sequences=True)
    expected = keras.ops.convert_to_numpy(reference(x))
    keras.config.set_dtype_policy("mixed_float16")
    layer = layer_class(4, return_sequences=True)
    layer(x)
    layer.set_weights(reference.get_weights())
    got = layer(x)
    assert keras.backend.standardize_dtype(got.dtype) == "float16"
    assert all(keras.backend.standardize_dtype(w.dtype) == "float32" for w in layer.weights)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(got).astype("float32"), expected,
                               atol=5e-3)


@pytest.mark.parametrize("kind", OURS)
def test_trains_with_jit_compile(kind, rng):
    model = _tagger(kind)
    model.compile(optimizer=keras.optimizers.Adam(0.01, clipnorm=1.0), loss="mse",
                  jit_compile=True)
    x = _inputs(rng)
    y = rng.normal(size=(3, 6, 2)).astype("float32")
    losses = model.fit(x, y, epochs=8, batch_size=3, verbose=0).history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
