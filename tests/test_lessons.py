"""Every lesson runs in its tiny setting, and the exact claims hold.

The lessons' own tables say whether a full-size run bears a claim out; here the
claims that are exact (the toy networks' numbers, RTRL = BPTT, NumPy LSTM = Keras)
are asserted, and the rest only have to run and draw their plots.
"""

import os

import pytest

from apps.lessons import LESSON_NAMES, lesson_module
from apps.lessons.__main__ import main
from apps.lessons.lesson import Settings

EXACT = ("toy_networks", "rtrl", "numpy_lstm")


def test_without_a_name_the_lessons_are_listed(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for name in LESSON_NAMES:
        assert name in out


def test_unknown_lesson_is_an_error():
    with pytest.raises(SystemExit) as raised:
        main(["no_such_lesson"])
    assert raised.value.code != 0


@pytest.mark.parametrize("name", LESSON_NAMES)
def test_lesson_runs_tiny_and_draws(name, tmp_path, capsys):
    settings = Settings(str(tmp_path), seed=0, tiny=True, data_dir=str(tmp_path / "no-data"))
    borne_out = lesson_module(name).run(settings)
    out = capsys.readouterr().out
    assert "Claim borne out:" in out
    assert [f for f in os.listdir(tmp_path) if f.endswith(".png")]
    if name in EXACT:
        assert borne_out, out


def test_command_line_runs_a_lesson_and_exits_zero(tmp_path, capsys):
    assert main(["rtrl", "--tiny", "--output-dir", str(tmp_path), "--seed", "3"]) == 0
    assert "Claim borne out: yes" in capsys.readouterr().out
    assert (tmp_path / "rtrl.png").is_file()
