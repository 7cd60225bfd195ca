"""ContextWindow and MaskedMeanMaxPooling against NumPy."""

import keras
import numpy as np
import pytest

from kerasrnn.layers import ContextWindow, MaskedMeanMaxPooling

pytestmark = pytest.mark.backends


@pytest.mark.parametrize("radius", [0, 1, 2])
def test_context_window_concatenates_neighbours(radius, rng):
    x = rng.normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], bool)
    got = keras.ops.convert_to_numpy(ContextWindow(radius)(x, mask=mask))
    zeroed = x * mask[..., None]
    padded = np.pad(zeroed, [(0, 0), (radius, radius), (0, 0)])
    want = np.concatenate([padded[:, o : o + 5] for o in range(2 * radius + 1)], axis=-1)
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_context_window_config_and_errors():
    layer = ContextWindow(2, name="w")
    assert ContextWindow.from_config(layer.get_config()).radius == 2
    with pytest.raises(ValueError):
        ContextWindow(-1)


def test_masked_mean_max_ignores_padding(rng):
    x = rng.normal(size=(3, 4, 2)).astype("float32")
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [0, 0, 0, 0]], bool)
    got = keras.ops.convert_to_numpy(MaskedMeanMaxPooling()(x, mask=mask))
    for row in range(2):
        real = x[row][mask[row]]
        np.testing.assert_allclose(got[row], np.concatenate([real.mean(0), real.max(0)]),
                                   atol=1e-6)
    np.testing.assert_array_equal(got[2], 0.0)  # no real step: zeros, not -1e9
