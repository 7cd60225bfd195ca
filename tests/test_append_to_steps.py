"""AppendToSteps: a per-sequence vector joins every step; the sequence's mask passes through."""

import keras
import numpy as np
import pytest

from kerasrnn.layers import AppendToSteps

pytestmark = pytest.mark.backends


def test_every_step_gets_the_vector_and_the_mask_survives(rng):
    sequence = rng.normal(size=(2, 5, 3)).astype("float32")
    vector = rng.normal(size=(2, 4)).astype("float32")
    out = keras.ops.convert_to_numpy(AppendToSteps()([sequence, vector]))
    assert out.shape == (2, 5, 7)
    np.testing.assert_array_equal(out[..., :3], sequence)
    np.testing.assert_array_equal(out[..., 3:], np.repeat(vector[:, None], 5, axis=1))
    words = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 3, mask_zero=True)(words)
    pooled = keras.layers.GlobalAveragePooling1D()(embedded)
    joined = AppendToSteps()([embedded, pooled])
    # a masked GRU keeps its state over padding: the last output equals the last real one
    states = keras.layers.GRU(4, return_sequences=True)(joined)
    model = keras.Model(words, states)
    outputs = keras.ops.convert_to_numpy(model(np.array([[3, 4, 0, 0]])))
    np.testing.assert_allclose(outputs[0, 3], outputs[0, 1], rtol=1e-6)
    assert AppendToSteps().compute_output_shape(((None, None, 3), (None, 4))) == (None, None, 7)
