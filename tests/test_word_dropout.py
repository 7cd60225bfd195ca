"""WordDropout: real words become the OOV id at the given rate while training, only then."""

import keras
import numpy as np
import pytest

from kerasrnn.layers import WordDropout

pytestmark = pytest.mark.backends


def _ids(rng):
    ids = rng.integers(2, 500, size=(64, 50)).astype("int32")
    ids[:, 40:] = 0  # padding
    ids[:, 0] = 1  # already unknown
    return ids


def test_training_replaces_real_words_at_the_rate_and_nothing_else(rng):
    ids = _ids(rng)
    out = keras.ops.convert_to_numpy(WordDropout(0.2, seed=7)(ids, training=True))
    assert out.dtype == ids.dtype
    words = ids >= 2
    replaced = out != ids
    assert np.all(out[replaced] == 1) and not replaced[~words].any()
    assert replaced[words].mean() == pytest.approx(0.2, abs=0.02)  # 2496 words
    again = keras.ops.convert_to_numpy(WordDropout(0.2, seed=7)(ids, training=True))
    np.testing.assert_array_equal(again, out)  # seeded


def test_inference_and_rate_zero_are_the_identity(rng):
    ids = _ids(rng)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(WordDropout(0.5)(ids)), ids)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(WordDropout(0.0)(ids, training=True)), ids)
    with pytest.raises(ValueError, match="rate"):
        WordDropout(1.0)


def test_in_a_model_it_trains_the_unknown_word_row_and_round_trips(rng, tmp_path):
    words = keras.Input((None,), dtype="int32")
    x = WordDropout(0.3, name="word_dropout")(words)
    x = keras.layers.Embedding(500, 4, mask_zero=True, name="embedding")(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    model = keras.Model(words, keras.layers.Dense(1)(x))
    model.compile("adam", "mse")
    ids = _ids(rng)
    ids[:, 0] = 2  # no unknown word in the data itself
    before = keras.ops.convert_to_numpy(model.get_layer("embedding").embeddings)[1].copy()
    model.fit(ids, np.ones((64, 1)), epochs=2, verbose=0)
    after = keras.ops.convert_to_numpy(model.get_layer("embedding").embeddings)[1]
    assert not np.allclose(before, after)  # the [UNK] row learned
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.get_layer("word_dropout").rate == 0.3
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(ids)),
                               keras.ops.convert_to_numpy(model(ids)), rtol=1e-6)
