"""--jit-compile: XLA where the model allows it, and a clear word where it does not.

Keras compiles no XLA while TensorFlow's op determinism is on, and drops
`jit_compile=True` for a model with a layer lacking XLA kernels, in both cases with
only a Python warning: --jit-compile was once a silent no-op in every app.
"""

import json

import pytest
import tensorflow as tf
from tensorflow.python.framework import config as tf_config

from apps.harness import main
from apps.ner.app import NER
from apps.slot_filling.app import SlotFilling
from apps.textgen.app import TextGen
from tests.apps.tagging_data import TINY as TINY_TAGGER
from tests.apps.tagging_data import write_conll_folder
from tests.apps.textgen_data import TINY as TINY_TEXTGEN
from tests.apps.textgen_data import write_text
from tests.test_slot_filling_app import TINY as TINY_SLOTS
from tests.test_slot_filling_app import write_slot_folder

pytestmark = pytest.mark.app


@pytest.fixture
def built(monkeypatch):
    """The models the apps build, in order (each app's build_model wrapped)."""
    models = []
    for app in (TextGen, SlotFilling):
        def recording(self, config, vocabulary, compile_options, build=app.build_model):
            models.append(build(self, config, vocabulary, compile_options))
            return models[-1]

        monkeypatch.setattr(app, "build_model", recording)
    yield models
    tf.config.experimental.enable_op_determinism()  # as every other run expects


@pytest.mark.parametrize("jit", [False, True])
def test_jit_compile_trains_with_xla_and_without_it_ops_stay_deterministic(tmp_path, built,
                                                                          jit):
    text = write_text(tmp_path / "text.txt", characters=3000)
    flags = ["--jit-compile"] if jit else []
    assert main(TextGen(), [str(a) for a in ["train", "--data-dir", text, *TINY_TEXTGEN,
                                             "--epochs", "1", *flags,
                                             "--output-dir", tmp_path / "run"]]) == 0
    assert built[-1].jit_compile is jit
    assert tf_config.is_op_determinism_enabled() is not jit


def test_a_layer_without_xla_kernels_is_named_and_the_run_records_no_xla(tmp_path, built,
                                                                         capsys):
    data = write_slot_folder(tmp_path / "flights", sizes=(40, 8, 8))
    assert main(SlotFilling(), [str(a) for a in ["train", "--data-dir", data, *TINY_SLOTS,
                                                 "--slot-head", "softmax", "--epochs", "1",
                                                 "--jit-compile",
                                                 "--output-dir", tmp_path / "run"]]) == 0
    assert built[-1].jit_compile is False  # letter-trigram hashing works on strings
    assert ("note: --jit-compile: training without XLA (and with op determinism): Keras "
            "can't XLA-compile hashing" in capsys.readouterr().out)
    assert tf_config.is_op_determinism_enabled()  # back on: same seed, same metrics
    config = json.loads((tmp_path / "run" / "config.json").read_text())["config"]
    assert config["jit_compile"] is False  # what ran


@pytest.mark.parametrize("trigrams,needs", [
    ("0", "--jit-compile needs --head softmax: XLA"),
    ("4", "--jit-compile needs --head softmax and --trigram-dim 0 (letter-trigram hashing")])
def test_a_crf_head_with_jit_compile_is_refused_in_one_line(tmp_path, capsys, trigrams,
                                                             needs):
    data = write_conll_folder(tmp_path / "data")
    out = tmp_path / "run"
    assert main(NER(), [str(a) for a in ["train", "--data-dir", data, *TINY_TAGGER,
                                         "--trigram-dim", trigrams, "--jit-compile",
                                         "--output-dir", out]]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needs in err
    assert not out.exists()
