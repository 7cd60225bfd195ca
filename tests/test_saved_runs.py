"""Run directories are a file format: old ones still work, and `import kerasrnn` loads any.

`tests/fixtures/runs_v0.1.0/` holds slot-filling runs written by kerasrnn 0.1.0
(e3213a3, see make_app_fixtures.py), one per configuration that adds a custom Keras
object. Each `model.keras`, and those this version writes, must load in a fresh
process after nothing but `import kerasrnn` — `keras.saving.load_model` with its
defaults (`compile=True`, `safe_mode=True`) — and give the same outputs.
"""

import json
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest

from apps.harness import main
from apps.slot_filling.app import SlotFilling
from tests.fixtures.make_app_fixtures import CONFIGS, SENTENCES, inputs
from tests.test_slot_filling_app import write_slot_folder

pytestmark = pytest.mark.app

ROOT = pathlib.Path(__file__).parent.parent
OLD_RUNS = ROOT / "tests" / "fixtures" / "runs_v0.1.0"
TINY = ["--units", "8", "--embedding-dim", "8", "--trigram-dim", "4", "--trigram-bins", "64",
        "--batch-size", "16", "--patience", "0", "--epochs", "1"]


@pytest.fixture(scope="module")
def new_runs(tmp_path_factory):
    """A run of this version per configuration, with its outputs on fixed inputs."""
    base = tmp_path_factory.mktemp("runs")
    data = write_slot_folder(base / "flights", sizes=(60, 12, 12))
    runs = {}
    for name, flags in CONFIGS.items():
        out = base / name
        assert main(SlotFilling(), [str(a) for a in ["train", "--data-dir", data,
                                                     "--output-dir", out, *TINY, *flags]]) == 0
        model = keras.saving.load_model(out / "model.keras")
        feeds = inputs(model)
        np.savez(out / "outputs.npz", **{f"in_{k}": v for k, v in feeds.items()},
                 **{f"out_{k}": keras.ops.convert_to_numpy(v)
                    for k, v in model(feeds, training=False).items()})
        runs[name] = out
    return runs


def test_a_plain_import_kerasrnn_loads_every_run_with_the_same_outputs(new_runs):
    folders = [str(OLD_RUNS / name) for name in CONFIGS] + [str(p) for p in new_runs.values()]
    # From outside the checkout, so only the package (not apps/) can be imported.
    done = subprocess.run([sys.executable, str(ROOT / "tests/fixtures/check_runs_load.py"),
                           *folders], capture_output=True, text=True, cwd="/", timeout=600,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "loaded 8" in done.stdout


def test_runs_of_version_0_1_0_still_predict_and_evaluate(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(OLD_RUNS)  # their config.json names the data folder "flights"
    for name in CONFIGS:
        capsys.readouterr()
        assert main(SlotFilling(), ["predict", "--model", name, "--format", "json",
                                    *SENTENCES]) == 0
        now = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        then = [json.loads(line) for line in (OLD_RUNS / name / "predict.jsonl").open()]
        for new, old in zip(now, then, strict=True):
            assert (new["tokens"], new["tags"], new["intent"]) == (
                old["tokens"], old["tags"], old["intent"]), name
            assert new["intent_probability"] == pytest.approx(old["intent_probability"],
                                                              abs=1e-4)
        assert main(SlotFilling(), ["evaluate", "--model", name]) == 0
        metrics = json.loads(capsys.readouterr().out)
        saved = json.loads((OLD_RUNS / name / "metrics.json").read_text())
        for key in ("slot_f1", "intent_accuracy", "sentence_accuracy"):
            assert metrics[key] == pytest.approx(saved[key], abs=1e-6), (name, key)
