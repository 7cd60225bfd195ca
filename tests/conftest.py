import os

import keras
import numpy as np
import pytest

BACKEND = keras.backend.backend()
if BACKEND == "jax":  # the float64 gradient checks need 64-bit JAX arrays
    import jax

    jax.config.update("jax_enable_x64", True)


@pytest.fixture(autouse=True)
def _seed_and_policy():
    """Every test starts from the same seeds and the float32 policy."""
    keras.utils.set_random_seed(1234)
    keras.config.set_dtype_policy("float32")
    yield
    keras.config.set_dtype_policy("float32")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def data_root():
    """The shared data root named by KERASRNN_DATA, or None."""
    root = os.environ.get("KERASRNN_DATA")
    return root if root and os.path.isdir(root) else None


tensorflow_only = pytest.mark.skipif(BACKEND != "tensorflow", reason="needs the TensorFlow backend")
