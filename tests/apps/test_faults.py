"""The four kinds of fault found by trying public bug reports, each as a test of its kind.

1. A user's mistake ends with one line on stderr and exit status 2, never a
   traceback or log lines (undecodable text is read with U+FFFD instead).
2. Training files, `predict` and the SavedModel split the same text the same way.
3. A served label is always one training could teach (never padding or [UNK]).
4. No command deletes or overwrites what it did not write.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import keras
import pytest
import tensorflow as tf

from apps.harness import main
from apps.slot_filling.app import SlotFilling
from kerasrnn.data import normalize_token_lists
from tests.test_slot_filling_app import TINY, write_slot_folder

pytestmark = pytest.mark.app

ROOT = pathlib.Path(__file__).parent.parent.parent
AWKWARD = ["fly\u00a0to boston", "fly\u2009to boston", "fly\u3000to boston",
           "fly\u202fto\u2028boston\x85now", "  Boston ,  Denver?  ", "St. Louis to Denver.",
           "(boston) flight 123 at 5:30pm", "ÉCOLE İstanbul straße", "\ufeffbom", "", "   "]


def run(argv):
    return main(SlotFilling(), [str(a) for a in argv])


def command(args, stdin=b""):
    """`python -m apps.slot_filling ARGS` in a new process: (status, stdout, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("KERASRNN_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "apps.slot_filling", *args], input=stdin,
                          capture_output=True, cwd=ROOT, env=env, timeout=300)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("faults")
    data = write_slot_folder(base / "flights", sizes=(60, 12, 12))
    assert run(["train", "--data-dir", data, "--output-dir", base / "run", "--epochs", "1",
                *TINY]) == 0
    return base / "run"


# -- 1. one line, exit 2 ---------------------------------------------------------------
def test_undecodable_text_gets_a_replacement_and_a_normal_answer(model_dir):
    status, out, err = command(["predict", "--model", str(model_dir), "--format", "json"],
                               stdin=b"flights from \xff boston\n")
    assert (status, err) == (0, "")
    assert json.loads(out)["tokens"] == ["flights", "from", "\ufffd", "boston"]
    status, out, err = command([b"predict", b"--model", bytes(model_dir), b"--format", b"json",
                                b"flights from \xff boston"])
    assert (status, err) == (0, "")
    assert json.loads(out)["text"] == "flights from \ufffd boston"


def test_predict_answers_each_line_as_it_arrives_and_stops_quietly(model_dir):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "apps.slot_filling", "predict", "--model",
                                str(model_dir), "--format", "json"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    try:
        process.stdin.write(b"fly to boston\n")
        process.stdin.flush()  # the pipe stays open: the answer must come before its end
        assert json.loads(process.stdout.readline())["tokens"] == ["fly", "to", "boston"]
        process.stdin.write(b"leave denver\n" * 2000)  # more than the reader takes: it
        process.stdout.close()                          # stops reading; no error for that
        process.stdin.close()
    except BrokenPipeError:
        pass
    assert process.wait(timeout=120) in (0, 141)
    assert process.stderr.read() == b""


@pytest.mark.parametrize("damage", ["model.keras", "vocab.json", "config.json", "flag"])
def test_a_users_mistake_is_one_line_on_stderr_and_status_2(model_dir, tmp_path, damage):
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    args = ["predict", "--model", str(broken), "fly to boston"]
    if damage == "flag":
        args = ["train", "--data-dir", str(tmp_path), "--units", "many"]
    else:
        content = (broken / damage).read_bytes()
        (broken / damage).write_bytes(content[: len(content) // 2])  # truncated
    status, out, err = command(args)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert (damage in err) if damage != "flag" else ("--units" in err and "many" in err)


def test_debug_shows_the_traceback(model_dir, tmp_path):
    status, _, err = command(["--debug", "predict", "--model", str(tmp_path / "nowhere"), "x"])
    assert status == 2 and "Traceback" in err and "no such model directory" in err


def test_model_directory_files_that_do_not_belong_together_are_one_line(model_dir, tmp_path,
                                                                        capsys):
    for vocabulary in ("{}", '{"words": 5}', "[1, 2]"):
        broken = tmp_path / f"v{len(vocabulary)}"
        shutil.copytree(model_dir, broken)
        (broken / "vocab.json").write_text(vocabulary)
        assert run(["predict", "--model", broken, "x"]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "vocab.json" in err
    data = model_dir.parent / "flights"
    assert run(["train", "--data-dir", data, "--output-dir", tmp_path / "crf", "--epochs", "1",
                *TINY, "--slot-head", "crf"]) == 0
    mixed = tmp_path / "mixed"
    shutil.copytree(tmp_path / "crf", mixed)
    shutil.copy(model_dir / "model.keras", mixed / "model.keras")  # a softmax run's
    capsys.readouterr()
    assert run(["evaluate", "--model", mixed]) == 2
    assert "do not belong together" in capsys.readouterr().err


def test_numbers_that_are_not_numbers_and_a_diverging_run_are_one_line(model_dir, tmp_path,
                                                                         capsys):
    data = model_dir.parent / "flights"
    for flags in (["--clipnorm", "nan"], ["--learning-rate", "inf"], ["--seed", "-1"],
                  ["--output-dir", ""], ["--batch-size", str(2**31)]):
        assert run(["train", "--data-dir", data, *flags]) == 2
        assert len(capsys.readouterr().err.splitlines()) == 1
    assert run(["train", "--data-dir", data, "--learning-rate", "inf"]) == 2
    assert "--learning-rate must be a finite number, got inf" in capsys.readouterr().err
    # NaN fails the app's own range check too: said once, as "must be a finite number"
    assert run(["train", "--data-dir", data, "--dropout", "nan"]) == 2
    assert capsys.readouterr().err.strip() == \
        "slot_filling: error: --dropout must be a finite number, got nan"
    out = tmp_path / "diverged"
    assert run(["train", "--data-dir", data, "--output-dir", out, *TINY, "--epochs", "2",
                "--learning-rate", "1e30", "--clipnorm", "0"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "training diverged" in err
    assert "nothing was kept" in err or "is kept in" in err
    assert not (tmp_path / "diverged.staging").exists()


# -- 2. the same tokens everywhere -----------------------------------------------------
def test_training_files_predict_and_the_saved_model_split_text_alike(model_dir, capsys):
    training = normalize_token_lists([text.split() for text in AWKWARD], punctuation="strip")
    assert training[0] == ["fly", "to", "boston"]
    capsys.readouterr()
    assert run(["predict", "--model", model_dir, "--format", "json", *AWKWARD]) == 0
    predicted = [json.loads(line)["tokens"] for line in capsys.readouterr().out.splitlines()]
    serve = tf.saved_model.load(str(model_dir / "saved_model")).signatures["serving_default"]
    served = serve(text=tf.constant(AWKWARD))["tokens"].numpy()
    served = [[t.decode() for t in row if t] for row in served]
    assert predicted == training and served == training


# -- 3. only labels training could teach -------------------------------------------------
def test_an_under_trained_model_serves_no_padding_intent(model_dir, capsys):
    """The report's case: 60 training utterances, a short run, 12 test utterances."""
    test = (model_dir.parent / "flights" / "test" / "seq.in").read_text().splitlines()
    capsys.readouterr()
    assert run(["predict", "--model", model_dir, "--format", "json", *test]) == 0
    intents = [json.loads(line)["intent"] for line in capsys.readouterr().out.splitlines()]
    vocabulary = json.loads((model_dir / "vocab.json").read_text())
    assert len(intents) == len(test) and set(intents) <= set(vocabulary["intents"])


@pytest.mark.parametrize("slot_head", ["softmax", "crf"])
def test_padding_and_unknown_labels_are_never_served(model_dir, tmp_path, capsys, slot_head):
    data = model_dir.parent / "flights"
    out = tmp_path / "run"
    assert run(["train", "--data-dir", data, "--output-dir", out, "--epochs", "1", *TINY,
                "--slot-head", slot_head]) == 0
    # Make padding (id 0) and [UNK] (id 1) by far the highest scores of both outputs.
    model = keras.saving.load_model(out / "model.keras")
    for name in ("intent", "emissions" if slot_head == "crf" else "slots"):
        kernel, bias = model.get_layer(name).get_weights()
        bias[:2] = 50.0
        model.get_layer(name).set_weights([kernel, bias])
    model.save(out / "model.keras")
    vocabulary = json.loads((out / "vocab.json").read_text())
    capsys.readouterr()
    assert run(["predict", "--model", out, "--format", "json", "fly from boston", ""]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for result in results:
        assert result["intent"] in vocabulary["intents"]
        assert set(result["tags"]) <= set(vocabulary["tags"])
    assert len(results[0]["tags"]) == 3 and results[1]["tags"] == []
    assert run(["export", "--model", out, "--out", tmp_path / "sm"]) == 0
    serve = tf.saved_model.load(str(tmp_path / "sm")).signatures["serving_default"]
    assert serve(text=tf.constant(["fly"]))["intent"].numpy()[0].decode() in (
        vocabulary["intents"])
    assert run(["evaluate", "--model", out]) == 0  # decodes through the same path


# -- 4. never delete what we did not write ---------------------------------------------
def test_an_export_never_replaces_a_run_nor_a_run_an_export(model_dir, tmp_path, capsys):
    victim = tmp_path / "victim"
    shutil.copytree(model_dir, victim)
    assert run(["export", "--model", victim, "--out", victim]) == 2
    assert "a kerasrnn run directory is in the way" in capsys.readouterr().err
    assert (victim / "model.keras").exists() and (victim / "config.json").exists()
    assert run(["export", "--model", model_dir, "--out", tmp_path / "sm"]) == 0
    data = model_dir.parent / "flights"
    assert run(["train", "--data-dir", data, "--output-dir", tmp_path / "sm", *TINY]) == 2
    assert "a SavedModel written by export is in the way" in capsys.readouterr().err
    assert (tmp_path / "sm" / "saved_model.pb").exists()


def test_train_never_replaces_another_apps_run(model_dir, tmp_path, capsys):
    from apps.textgen.app import TextGen
    from tests.apps.textgen_data import TINY as TINY_TEXTGEN
    from tests.apps.textgen_data import write_text

    victim = tmp_path / "victim"
    shutil.copytree(model_dir, victim)
    text = write_text(tmp_path / "text.txt")
    capsys.readouterr()
    assert main(TextGen(), ["train", "--data-dir", str(text), *TINY_TEXTGEN, "--epochs", "1",
                            "--output-dir", str(victim)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "a run of app 'slot_filling' is in the way of this 'textgen' run" in err
    assert json.loads((victim / "config.json").read_text())["app"] == "slot_filling"
    assert not (tmp_path / "victim.resume").exists()


def test_resuming_with_other_settings_is_refused(model_dir, tmp_path, capsys, monkeypatch):
    import apps.harness.training as training

    data = model_dir.parent / "flights"
    out = tmp_path / "run"
    flags = ["train", "--data-dir", data, "--output-dir", out, *TINY, "--epochs", "1"]

    def killed(*args, **kwargs):  # as if the process died after its last epoch
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(training, "_publish", killed)
        assert run(flags) == 130
    resume = tmp_path / "run.resume"
    assert (resume / "state.json").exists() and not (tmp_path / "run.staging").exists()
    capsys.readouterr()
    assert run([*flags, "--units", "9", "--learning-rate", "0.01"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--units 8, not 9" in err and "--learning-rate" in err
    assert (resume / "state.json").exists()  # still there to resume
    assert run([*flags[:-2], "--epochs", "2"]) == 0  # more epochs is a resume
    assert "1 of 2 epochs done" in capsys.readouterr().out and not resume.exists()


def test_sigterm_stops_training_as_ctrl_c_does(model_dir, tmp_path, capsys, monkeypatch):
    """A job scheduler's stop: one line, status 143, nothing half-written, resumable."""
    import signal

    import apps.harness.training as training

    data = model_dir.parent / "flights"
    out = tmp_path / "run"
    flags = ["train", "--data-dir", data, "--output-dir", out, *TINY, "--epochs", "1"]
    before = signal.getsignal(signal.SIGTERM)

    def terminated(*args, **kwargs):  # `kill PID` after the last epoch
        os.kill(os.getpid(), signal.SIGTERM)

    with monkeypatch.context() as patch:
        patch.setattr(training, "_publish", terminated)
        capsys.readouterr()
        assert run(flags) == 143
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == ("slot_filling: terminated (SIGTERM); run the same command "
                                    "again to resume")
    assert signal.getsignal(signal.SIGTERM) is before  # the handler was only lent
    assert (tmp_path / "run.resume" / "state.json").exists()
    assert not out.exists() and not (tmp_path / "run.staging").exists()
    assert run(flags) == 0 and (out / "metrics.json").exists()
    assert "1 of 1 epochs done" in capsys.readouterr().out


def test_the_script_ignores_ctrl_c_once_the_outcome_is_decided(monkeypatch):
    """A Ctrl-C during the interpreter's teardown must not make a published run 130."""
    import signal

    import apps.harness.commands as commands

    order = []
    monkeypatch.setattr(commands, "main", lambda app: order.append("main") or 0)
    monkeypatch.setattr(commands.signal, "signal", lambda *a: order.append(a))
    with pytest.raises(SystemExit) as stop:
        commands.run_script(SlotFilling())
    assert stop.value.code == 0
    assert order == ["main", (signal.SIGINT, signal.SIG_IGN)]


def test_export_refuses_a_folder_or_file_it_did_not_write(model_dir, tmp_path, capsys):
    thesis = tmp_path / "D" / "thesis"
    thesis.mkdir(parents=True)
    (thesis / "notes.txt").write_text("x")
    for out in (tmp_path / "D", thesis):
        assert run(["export", "--model", model_dir, "--out", out]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and "nothing was changed" in err
    assert (thesis / "notes.txt").read_text() == "x"
    plain = tmp_path / "file.txt"
    plain.write_text("keep me")
    assert run(["export", "--model", model_dir, "--out", plain]) == 2
    assert "a file that kerasrnn did not write" in capsys.readouterr().err
    assert plain.read_text() == "keep me"
    # Its own earlier export is replaced.
    for _ in range(2):
        assert run(["export", "--model", model_dir, "--out", tmp_path / "mine"]) == 0
    assert (tmp_path / "mine" / "saved_model.pb").exists()
    assert not (tmp_path / "mine.partial").exists()


def test_train_refuses_an_output_folder_it_did_not_write(model_dir, tmp_path, capsys):
    data = model_dir.parent / "flights"
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("x")
    assert run(["train", "--data-dir", data, "--output-dir", mine, *TINY]) == 2
    assert "nothing was changed" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no .resume, no .staging
    staging = tmp_path / "run.staging"
    staging.mkdir()
    (staging / "draft.txt").write_text("x")
    assert run(["train", "--data-dir", data, "--output-dir", tmp_path / "run", *TINY]) == 2
    assert (staging / "draft.txt").exists()
    # A run directory of ours is replaced by a new run, atomically.
    out = tmp_path / "again"
    for _ in range(2):
        assert run(["train", "--data-dir", data, "--output-dir", out, "--epochs", "1",
                    *TINY]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("again")) == [
        "again"]


def test_one_line_for_every_model_directory_problem(model_dir, tmp_path, capsys):
    assert run(["evaluate", "--model", model_dir, "--split", "nonsense"]) == 2
    assert "--split must be one of" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(["predict", "--model", empty, "x"]) == 2
    assert "not a run directory written by `train`" in capsys.readouterr().err
    assert run(["export", "--model", model_dir, "--out", "/dev/null/sm"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "/dev/null" in err


def test_data_changes_name_the_files_that_differ():
    from apps.harness.training import data_changes

    saved = {"train.txt": "a", "valid.txt": "b", "test.txt": "c"}
    # renamed copies are no change
    assert data_changes(saved, {"train.txt": "a", "dev.txt": "b", "test.txt": "c"}) == (
        [], [], [])
    assert data_changes(saved, {"train.txt": "a", "valid.txt": "B", "test.txt": "c",
                                "extra.txt": "d"}) == (["valid.txt"], ["extra.txt"], [])
    assert data_changes(saved, {"train.txt": "a"}) == ([], [], ["test.txt", "valid.txt"])
    # swapped: the same bytes, each under the other's name
    assert data_changes(saved, {"train.txt": "a", "valid.txt": "c", "test.txt": "b"}) == (
        ["test.txt", "valid.txt"], [], [])
