"""Our `.keras` files: the v0.1.0 fixture, a plain `import kerasrnn`, and other backends."""

import importlib.util
import json
import pathlib
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import kerasrnn

pytestmark = pytest.mark.backends

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
ROOT = FIXTURES.parent.parent
BACKENDS = [b for b in ("tensorflow", "jax", "torch") if importlib.util.find_spec(b)]


def _python(code, backend=None, **env):
    """Runs `code` in a fresh interpreter (optionally on another Keras backend)."""
    import os

    environ = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    if backend:
        environ["KERAS_BACKEND"] = backend
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=environ,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_version():
    assert kerasrnn.__version__ == "0.1.0"


def test_fixture_from_version_0_1_0_still_loads_and_computes_the_same():
    stored = np.load(FIXTURES / "layers_v0.1.0.npz")
    model = keras.saving.load_model(FIXTURES / "layers_v0.1.0.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(stored["inputs"])),
                               stored["outputs"], atol=1e-6)


def test_plain_import_registers_layers_and_stays_light():
    out = _python(f"""
        import json, sys
        import keras, numpy as np
        before = set(sys.modules)  # Keras itself may load matplotlib/sklearn when installed
        import kerasrnn
        added = set(sys.modules) - before
        stored = np.load({str(FIXTURES / "layers_v0.1.0.npz")!r})
        model = keras.saving.load_model({str(FIXTURES / "layers_v0.1.0.keras")!r})
        diff = float(np.abs(keras.ops.convert_to_numpy(model(stored["inputs"]))
                            - stored["outputs"]).max())
        heavy = [m for m in ("tensorflow_datasets", "matplotlib", "sklearn", "seqeval",
                             "apps", "kerasrnn.training") if m in added]
        print(json.dumps({{"diff": diff, "heavy": heavy}}))
    """)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["diff"] < 1e-6
    assert result["heavy"] == []


# Run from the TensorFlow suite only (both directions with each other backend), so
# the JAX and torch runs of the suite don't repeat these slow subprocesses.
@pytest.mark.parametrize(
    "other",
    [b for b in BACKENDS if b != "tensorflow"] if keras.backend.backend() == "tensorflow" else [],
)
def test_files_move_between_backends(other, rng, tmp_path):
    from tests.test_serialization import _tagger

    x = rng.normal(size=(2, 5, 3)).astype("float32")
    np.save(tmp_path / "x.npy", x)
    ours = _tagger("hybrid")
    ours.save(tmp_path / "ours.keras")
    np.save(tmp_path / "ours.npy", keras.ops.convert_to_numpy(ours(x)))
    _python(f"""
        import keras, numpy as np
        import kerasrnn
        from tests.test_serialization import _tagger
        d = {str(tmp_path)!r}
        x = np.load(d + "/x.npy")
        loaded = keras.saving.load_model(d + "/ours.keras")
        np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)),
                                   np.load(d + "/ours.npy"), atol=1e-6)
        keras.utils.set_random_seed(5)
        theirs = _tagger("peephole_lstm")
        theirs.save(d + "/theirs.keras")
        np.save(d + "/theirs.npy", keras.ops.convert_to_numpy(theirs(x)))
    """, backend=other)
    loaded = keras.saving.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)),
                               np.load(tmp_path / "theirs.npy"), atol=1e-6)
