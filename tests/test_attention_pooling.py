"""`AttentionPooling` against a NumPy reference, and `MaskedPooling`'s mean and max."""

import keras
import numpy as np
import pytest

from kerasrnn.layers import AttentionPooling, MaskedPooling

pytestmark = pytest.mark.backends


def numpy_attention(inputs, mask, kernel, bias, query):
    """The docstring's equations, step by step."""
    scores = np.tanh(inputs @ kernel + bias) @ query  # (batch, time)
    weights = np.zeros_like(scores)
    for row in range(len(scores)):
        real = mask[row]
        if real.any():
            e = np.exp(scores[row][real] - scores[row][real].max())
            weights[row][real] = e / e.sum()
    return (weights[..., None] * inputs).sum(axis=1), weights


def test_weights_sum_to_one_over_the_real_words_and_match_numpy(rng):
    inputs = rng.normal(size=(3, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], dtype=bool)
    layer = AttentionPooling(6)
    pooled, weights = layer(inputs, mask=mask)
    pooled, weights = keras.ops.convert_to_numpy(pooled), keras.ops.convert_to_numpy(weights)
    np.testing.assert_allclose(weights.sum(axis=1), [1.0, 1.0, 0.0], atol=1e-6)
    assert np.all(weights[~mask] == 0)  # padding gets exactly nothing
    assert np.all(weights[mask] > 0)
    expected = numpy_attention(inputs, mask, *(keras.ops.convert_to_numpy(w) for w in
                                               (layer.kernel, layer.bias, layer.query)))
    np.testing.assert_allclose(pooled, expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(weights, expected[1], rtol=1e-5, atol=1e-6)


def test_attention_follows_an_embedding_mask_in_a_model_and_round_trips(tmp_path):
    words = keras.Input((None,), dtype="int32")
    vectors = keras.layers.Embedding(10, 4, mask_zero=True)(words)
    pooled, weights = AttentionPooling(3, name="attention")(vectors)
    model = keras.Model(words, [pooled, weights])
    ids = np.array([[3, 4, 0, 0], [5, 0, 0, 0]], dtype="int32")
    _, w = model(ids)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(w),
                               [[0.5, 0.5, 0, 0], [1, 0, 0, 0]], atol=0.2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(w).sum(axis=1), 1.0, atol=1e-6)
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(ids)[1]),
                               keras.ops.convert_to_numpy(w), atol=1e-6)
    assert again.get_layer("attention").units == 3


def test_attention_refuses_no_units():
    with pytest.raises(ValueError, match="units"):
        AttentionPooling(0)


@pytest.mark.parametrize("mode", ["mean", "max"])
def test_masked_pooling_ignores_padding_and_gives_zeros_for_an_empty_row(mode, rng):
    inputs = rng.normal(size=(2, 4, 3)).astype("float32") - 5.0  # all negative
    mask = np.array([[1, 1, 0, 0], [0, 0, 0, 0]], dtype=bool)
    out = keras.ops.convert_to_numpy(MaskedPooling(mode)(inputs, mask=mask))
    reduce = np.mean if mode == "mean" else np.max
    np.testing.assert_allclose(out[0], reduce(inputs[0, :2], axis=0), rtol=1e-6)
    np.testing.assert_allclose(out[1], 0.0)
    assert MaskedPooling.from_config(MaskedPooling(mode).get_config()).mode == mode


def test_masked_pooling_refuses_an_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        MaskedPooling("median")
