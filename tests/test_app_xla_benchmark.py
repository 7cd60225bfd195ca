"""benchmarks.app_xla: an app trained with and without --jit-compile, side by side."""

import json

import pytest

from benchmarks import app_xla
from tests.apps.textgen_data import TINY, write_text

pytestmark = pytest.mark.app  # trains an app twice


def test_epoch_seconds_are_read_from_keras_progress_lines():
    log = ("Epoch 1/3\n62/62 - 93s - 1s/step - loss: 3.03 - val_loss: 3.08\nEpoch 2/3\n"
           "62/62 - 89s - 1s/step - loss: 2.50\nkept epoch 2\n  7/7 - 4s - 600ms/step - loss: 1\n")
    assert app_xla.epoch_seconds(log) == [93, 89, 4]


def test_textgen_with_and_without_xla(tmp_path, capsys):
    text = write_text(tmp_path / "book.txt", characters=3000)
    app_xla.main(["--app", "textgen", "--data-dir", str(text), "--epochs", "2",
                  "--workdir", str(tmp_path / "work"), "--extra", " ".join(TINY)])
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    plain, xla = result["runs"]
    assert (plain["run"], plain["xla_ran"]) == ("without XLA", False)
    assert (xla["run"], xla["xla_ran"]) == ("--jit-compile", True)  # textgen compiles
    for run in (plain, xla):
        assert len(run["epoch_s"]) == 2 and run["bits_per_char"] > 0
    assert out[1].startswith("| run | XLA ran |") and "| --jit-compile | yes |" in out[4]
    assert out[5].startswith("later epochs, without XLA ÷ with: ")
    with pytest.raises(SystemExit) as refused:  # never mixes two benchmarks' runs
        app_xla.main(["--app", "textgen", "--data-dir", str(text), "--workdir",
                      str(tmp_path / "work")])
    assert refused.value.code == 2 and "holds an earlier benchmark's runs" in (
        capsys.readouterr().err)


@pytest.mark.parametrize("extra", ["--jit-compile", "--epochs 1", "--output-dir=/tmp/x"])
def test_flags_the_script_sets_are_refused_in_extra(tmp_path, capsys, extra):
    with pytest.raises(SystemExit) as refused:
        app_xla.main(["--app", "textgen", "--data-dir", str(tmp_path), f"--extra={extra}",
                      "--workdir", str(tmp_path / "work")])
    assert refused.value.code == 2 and "--extra can't set" in capsys.readouterr().err
    assert not (tmp_path / "work").exists()


def test_a_refused_run_stops_the_other_and_is_the_exit_code(tmp_path, capsys):
    text = write_text(tmp_path / "book.txt", characters=3000)
    with pytest.raises(SystemExit) as failed:
        app_xla.main(["--app", "textgen", "--data-dir", str(text), "--workdir",
                      str(tmp_path / "work"), "--extra", "--units 0"])
    assert failed.value.code == 2
    assert "run failed (exit 2)" in capsys.readouterr().err
