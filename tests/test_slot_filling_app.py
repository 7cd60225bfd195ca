"""`python -m apps.slot_filling`: train/evaluate/predict/export on a tiny generated dataset."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from apps.harness import main
from apps.slot_filling.app import SlotFilling
from kerasrnn.data import generate_flights

pytestmark = pytest.mark.app  # trains an app

ROOT = pathlib.Path(__file__).parent.parent
TINY = ["--units", "8", "--embedding-dim", "8", "--trigram-dim", "4", "--trigram-bins", "64",
        "--batch-size", "16", "--patience", "0", "--seed", "3", "--cell", "lstm",
        "--slot-head", "softmax", "--dropout", "0.2"]


def write_slot_folder(folder, sizes=(120, 30, 40)):
    """Writes generated flight data in the ATIS layout (seq.in, seq.out, label)."""
    data = generate_flights(*sizes, seed=1)
    for split, examples in data.splits.items():
        (folder / split).mkdir(parents=True)
        (folder / split / "seq.in").write_text("".join(" ".join(e.tokens) + "\n" for e in examples))
        (folder / split / "seq.out").write_text("".join(" ".join(e.tags) + "\n" for e in examples))
        (folder / split / "label").write_text("".join(e.intent + "\n" for e in examples))
    return folder


def run(argv):
    return main(SlotFilling(), [str(a) for a in argv])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    base = tmp_path_factory.mktemp("slots")
    data = write_slot_folder(base / "flights")
    out = base / "run"
    assert run(["train", "--data-dir", data, "--output-dir", out, "--epochs", "2", *TINY,
                "--lr-schedule", "cosine"]) == 0  # model.keras keeps the schedule
    return data, out


def test_train_leaves_a_complete_run_directory(trained):
    data, out = trained
    for name in ("config.json", "model.keras", "vocab.json", "metrics.json", "history.csv",
                 "training.png", "slot_report.json", "saved_model/saved_model.pb", "logs"):
        assert (out / name).exists(), name
    assert not out.with_name("run.resume").exists() and not out.with_name("run.staging").exists()
    metrics = json.loads((out / "metrics.json").read_text())
    for key in ("slot_f1", "slot_precision", "slot_recall", "intent_accuracy",
                "sentence_accuracy"):
        assert 0.0 <= metrics[key] <= 1.0
    assert metrics["train_seconds"] > 0 and metrics["examples_per_second"] > 0
    config = json.loads((out / "config.json").read_text())
    assert config["app"] == "slot_filling" and config["config"]["units"] == 8
    assert {"kerasrnn", "keras", "tensorflow"} <= set(config["versions"])
    assert len(config["data"]["sha256"]["train/seq.in"]) == 64  # every data file's checksum
    history = (out / "history.csv").read_text().splitlines()
    assert history[0].startswith("epoch,") and len(history) == 3


def test_saved_model_serves_raw_text(trained):
    import tensorflow as tf

    _, out = trained
    serve = tf.saved_model.load(str(out / "saved_model")).signatures["serving_default"]
    (name, spec), = serve.structured_input_signature[1].items()
    assert spec.dtype == tf.string and spec.shape.as_list() == [None]
    texts = ["I want to fly from Boston, tomorrow?", "", "zyzzyva " * 300]
    result = {k: v.numpy() for k, v in serve(**{name: tf.constant(texts)}).items()}
    assert set(result) == {"tokens", "tags", "intent", "intent_probability"}
    first = [t.decode() for t in result["tokens"][0] if t]
    assert first == ["i", "want", "to", "fly", "from", "boston", "tomorrow"]
    assert all(t for t in result["tags"][0][:7]) and not any(result["tags"][1])
    assert np.all((result["intent_probability"] > 0) & (result["intent_probability"] <= 1))
    assert len([t for t in result["tokens"][2] if t]) == 300


def test_predict_prints_slots_and_json(trained, capsys):
    _, out = trained
    assert run(["predict", "--model", out, "--format", "json", "fly from boston to denver"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["tokens"] == ["fly", "from", "boston", "to", "denver"]
    assert len(result["tags"]) == 5 and "intent" in result and "slots" in result
    assert run(["predict", "--model", out, "leave boston"]) == 0
    assert "intent:" in capsys.readouterr().out


def test_evaluate_and_export_work_from_the_directory_alone(trained, tmp_path, capsys):
    _, out = trained
    assert run(["evaluate", "--model", out, "--split", "valid"]) == 0
    assert 0 <= json.loads(capsys.readouterr().out)["slot_f1"] <= 1
    assert run(["export", "--model", out, "--out", tmp_path / "elsewhere"]) == 0
    assert (tmp_path / "elsewhere" / "saved_model.pb").exists()


def test_user_errors_end_with_one_line_and_status_2(trained, tmp_path, capsys):
    data, out = trained
    assert run(["train", "--data-dir", tmp_path / "missing", "--output-dir", tmp_path / "x"]) == 2
    assert run(["train", "--data-dir", data, "--units", "-3", "--dropout", "1.5"]) == 2
    assert "--units must be at least 1, got -3; --dropout must be in [0, 1)" in (
        capsys.readouterr().err)
    assert run(["train", "--data-dir", data, "--ema", "1"]) == 2
    assert "--ema must be in [0, 1), got 1.0" in capsys.readouterr().err
    broken = write_slot_folder(tmp_path / "broken", sizes=(20, 5, 5))
    lines = (broken / "train" / "seq.out").read_text().splitlines()
    lines[3] = lines[3] + " O"
    (broken / "train" / "seq.out").write_text("\n".join(lines) + "\n")
    assert run(["train", "--data-dir", broken, "--output-dir", tmp_path / "y"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "seq.out" in err[0] and ":4:" in err[0]
    assert not (tmp_path / "y").exists()
    other = tmp_path / "other_app"
    other.mkdir()
    for name in ("model.keras", "metrics.json"):
        (other / name).write_bytes((out / name).read_bytes())
    config = json.loads((out / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "app": "ner"}))
    assert run(["evaluate", "--model", other]) == 2
    assert "a model of app 'ner'" in capsys.readouterr().err
    (other / "metrics.json").unlink()
    assert run(["predict", "--model", other, "x"]) == 2
    assert "incomplete model directory" in capsys.readouterr().err
    capsys.readouterr()  # --debug: the traceback too, and still status 2
    assert run(["--debug", "evaluate", "--model", tmp_path / "nowhere"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "no such model directory" in err


def test_training_resumes_after_sigkill(tmp_path):
    data = write_slot_folder(tmp_path / "flights", sizes=(150, 20, 20))
    out = tmp_path / "run"
    command = [sys.executable, "-m", "apps.slot_filling", "train", "--data-dir", str(data),
               "--output-dir", str(out), "--epochs", "6", *TINY, "--lr-schedule", "cosine",
               "--ema", "0.9"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    state = out.with_name("run.resume") / "state.json"
    deadline = time.time() + 240
    while time.time() < deadline:
        if state.exists() and json.loads(state.read_text())["epochs_done"] >= 2:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = json.loads(state.read_text())["epochs_done"]
    assert 2 <= done < 6 and not out.exists()  # killed mid-run: nothing published
    finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert f"{done} of 6 epochs done" in finished.stdout
    assert f"Epoch {done + 1}/6" in finished.stdout and "Epoch 1/6" not in finished.stdout
    assert (out / "saved_model" / "saved_model.pb").exists()
    history = (out / "history.csv").read_text().splitlines()
    assert len(history) == 1 + 6  # the epochs of both processes


def test_crf_slot_head_and_multilabel_intents_on_their_own_encoder_train_and_serve(tmp_path):
    import tensorflow as tf

    data = write_slot_folder(tmp_path / "flights", sizes=(60, 10, 10))
    out = tmp_path / "crf"
    assert run(["train", "--data-dir", data, "--output-dir", out, "--epochs", "1",
                *TINY, "--slot-head", "crf", "--intent-head", "multilabel",
                "--intent-encoder", "separate"]) == 0
    import keras

    model = keras.saving.load_model(out / "model.keras", compile=False)
    assert "intent_bi_lstm_1" in [layer.name for layer in model.layers]
    serve = tf.saved_model.load(str(out / "saved_model")).signatures["serving_default"]
    result = serve(text=tf.constant(["leave boston tomorrow", ""]))
    tags = [t.decode() for t in result["tags"].numpy()[0]]
    assert len(tags) == 3 and all(tags) and not any(result["tags"].numpy()[1])
    vocab = json.loads((out / "vocab.json").read_text())
    atoms = result["intent"].numpy()[0].decode().split("#")
    assert atoms[0] and set(atoms) <= set(vocab["intent_atoms"])
    assert 0 < result["intent_probability"].numpy()[0] <= 1


def test_composed_intent_head_trains_and_serves_whole_labels(tmp_path):
    import keras
    import tensorflow as tf

    data = write_slot_folder(tmp_path / "flights", sizes=(60, 10, 10))
    out = tmp_path / "composed"
    assert run(["train", "--data-dir", data, "--output-dir", out, "--epochs", "1",
                *TINY, "--intent-head", "composed"]) == 0
    vocab = json.loads((out / "vocab.json").read_text())
    layer = keras.saving.load_model(out / "model.keras", compile=False).get_layer("intent")
    assert type(layer).__name__ == "ComposedSoftmax"
    assert len(layer.composition) == len(vocab["intents"]) + 2
    serve = tf.saved_model.load(str(out / "saved_model")).signatures["serving_default"]
    result = serve(text=tf.constant(["leave boston tomorrow"]))
    assert result["intent"].numpy()[0].decode() in vocab["intents"]


def test_saved_model_cli_lists_and_runs_the_signature(trained):
    _, out = trained
    cli = pathlib.Path(sys.executable).with_name("saved_model_cli")
    model = str(out / "saved_model")
    shown = subprocess.run([str(cli), "show", "--all", "--dir", model], capture_output=True,
                           text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "signature_def['serving_default']" in shown.stdout and "DT_STRING" in shown.stdout
    ran = subprocess.run([str(cli), "run", "--dir", model, "--tag_set", "serve",
                          "--signature_def", "serving_default",
                          "--input_exprs", 'text=["fly from boston to denver"]'],
                         capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "Result for output key tags" in ran.stdout and "b'boston'" in ran.stdout


def test_incompatible_model_directory_version_is_refused(trained, tmp_path, capsys):
    _, out = trained
    old = tmp_path / "old"
    old.mkdir()
    for name in ("model.keras", "metrics.json", "vocab.json"):
        (old / name).write_bytes((out / name).read_bytes())
    config = json.loads((out / "config.json").read_text())
    (old / "config.json").write_text(json.dumps({**config, "format_version": 0}))
    assert run(["evaluate", "--model", old]) == 2
    assert "format 0; this kerasrnn reads format 1" in capsys.readouterr().err


def test_mixed_precision_training_runs(tmp_path):
    data = write_slot_folder(tmp_path / "flights", sizes=(40, 8, 8))
    out = tmp_path / "mixed"
    assert run(["train", "--data-dir", data, "--output-dir", out, "--epochs", "1",
                "--mixed-precision", *TINY]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0 <= metrics["slot_f1"] <= 1 and (out / "saved_model" / "saved_model.pb").exists()
