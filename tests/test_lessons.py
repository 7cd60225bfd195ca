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


def test_unknown_lesson_is_a_one_line_error(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["no_such_lesson"])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "invalid choice: 'no_such_lesson'" in err


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


def test_recall_answers_are_the_first_symbol_and_the_rest_is_noise():
    import numpy as np

    from apps.lessons.recall import NOISE, SYMBOLS, recall_first_symbol

    x, answers = recall_first_symbol(200, 7, np.random.default_rng(1))
    assert x.shape == (200, 7, SYMBOLS + NOISE)
    assert np.array_equal(x.sum(-1), np.ones((200, 7)))  # one symbol per step
    assert np.array_equal(x[:, 0].argmax(-1), answers)
    assert (x[:, 1:].argmax(-1) >= SYMBOLS).all()  # noise only from its own alphabet
    assert set(answers) == set(range(SYMBOLS))


@pytest.mark.parametrize("kind", ["lstm", "peephole_lstm", "gru"])
def test_chrono_initialisation_sets_remembering_gate_biases(kind):
    import keras
    import numpy as np

    from apps.lessons.recall import chrono_initialize, recall_model

    model = recall_model(kind, 6, 5, run_eagerly=True)
    forget = chrono_initialize(model.get_layer("recurrent"), kind, 100, np.random.default_rng(0))
    bias = keras.ops.convert_to_numpy(model.get_layer("recurrent").cell.bias)
    assert ((forget >= 0) & (forget <= np.log(99))).all() and forget.max() > 1
    if kind == "gru":  # update gate z: input-side bias log(u), recurrent-side 0
        assert np.allclose(bias[0, :6], forget) and np.allclose(bias[1, :6], 0)
    else:  # (i, f, c, o): b_f = log(u), b_i = -b_f
        assert np.allclose(bias[6:12], forget) and np.allclose(bias[:6], -forget)
    with pytest.raises(ValueError):
        chrono_initialize(model.get_layer("recurrent"), "elman", 100, np.random.default_rng(0))


class _FixedAccuracyModel:
    """Stands in for a compiled model: every training batch scores `accuracy`."""

    def __init__(self, accuracy):
        self.accuracy, self.batches = accuracy, []

    def reset_metrics(self):
        pass

    def train_on_batch(self, x, answers):
        self.batches.append((x, answers))
        return [0.0, self.accuracy]


def test_fresh_batches_stop_once_learnt_and_never_repeat():
    import numpy as np

    from apps.lessons.memory import WINDOW, span, train_on_fresh_batches

    learnt, guessing = _FixedAccuracyModel(1.0), _FixedAccuracyModel(0.25)
    assert train_on_fresh_batches(learnt, 4, 16, 50, np.random.default_rng(0)) == WINDOW
    assert train_on_fresh_batches(guessing, 4, 16, 50, np.random.default_rng(0)) == 50
    first, second = guessing.batches[0][0], guessing.batches[1][0]
    assert first.shape == (16, 4, 8) and not np.array_equal(first, second)
    assert span([1.0, 0.95, 0.5, 0.92], [5, 10, 20, 40]) == 40
    assert span([0.3, 0.5], [5, 10]) == 0


def test_spike_delays_put_the_interval_between_the_spikes():
    import numpy as np

    from apps.lessons.timing import LEAD, LONGEST, spike_delays

    intervals, delays = np.array([10, 49, 50, 60]), np.array([0, 3, 20, 7])
    x, targets = spike_delays(intervals, delays, 20)
    assert x.shape == (4, LEAD + LONGEST + 21, 1) and x.sum() == 8
    for row, (interval, delay) in enumerate(zip(intervals, delays)):
        spikes = np.flatnonzero(x[row, :, 0])
        assert spikes[1] - spikes[0] == interval
        assert x.shape[1] - 1 - spikes[1] == delay  # steps without input before the answer
    assert np.allclose(targets * LONGEST, intervals)


def test_timing_scores_count_exact_steps_and_the_49_50_pair():
    import numpy as np

    from apps.lessons.timing import scores

    intervals = np.array([10, 49, 50, 60])
    mean, largest, exact, apart = scores(np.array([10.2, 49.4, 50.6, 61.0]), intervals)
    assert (round(mean, 6), round(largest, 6), exact, apart) == (0.55, 1.0, 0.5, True)
    assert not scores(np.array([10.0, 49.6, 50.0, 60.0]), intervals)[3]  # 49 taken for 50


def test_gates_judge_the_city_in_both_sentences():
    from apps.lessons.gates import CITY, EXAMPLE, SENTENCE, with_leave

    assert SENTENCE[CITY] == "denver" and EXAMPLE[CITY] == "taipei"
    leave = with_leave(SENTENCE)
    assert leave[CITY] == "denver" and "leave" in leave and "arrive" not in leave


@pytest.mark.parametrize("inside", ["", "sub"])
def test_an_output_dir_that_cannot_be_a_folder_is_refused_before_any_lesson_runs(
        tmp_path, capsys, inside):
    blocker = tmp_path / "a-file"
    blocker.write_text("mine")
    with pytest.raises(SystemExit) as stop:
        main(["cells", "--tiny", "--output-dir", str(blocker / inside if inside else blocker)])
    assert stop.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--output-dir" in captured.err
    assert blocker.read_text() == "mine"


def test_a_users_folder_is_never_written_into_but_the_lessons_own_is(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "rtrl.png").write_text("my precious figure")
    with pytest.raises(SystemExit) as stop:
        main(["rtrl", "--tiny", "--output-dir", str(mine)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "a folder that kerasrnn did not write" in err
    assert (mine / "rtrl.png").read_text() == "my precious figure"
    assert sorted(os.listdir(mine)) == ["rtrl.png"]
    # A new folder is marked as the lessons' own, and is theirs to write into again.
    ours = tmp_path / "ours"
    for _ in range(2):
        assert main(["rtrl", "--tiny", "--output-dir", str(ours)]) == 0
    assert sorted(os.listdir(ours)) == [".kerasrnn", "rtrl.png"]
    # A folder from before the marker holding only lesson pictures is taken over.
    old = tmp_path / "old"
    old.mkdir()
    (old / "rtrl.png").write_bytes((ours / "rtrl.png").read_bytes())
    assert main(["rtrl", "--tiny", "--output-dir", str(old)]) == 0
    assert sorted(os.listdir(old)) == [".kerasrnn", "rtrl.png"]


def test_a_data_root_that_is_not_a_folder_is_refused_not_replaced_by_built_in_data(
        tmp_path, capsys, monkeypatch):
    missing = tmp_path / "no-such-folder"
    monkeypatch.setenv("KERASRNN_DATA", str(missing))
    with pytest.raises(SystemExit) as stop:
        main(["gates", "--tiny", "--output-dir", str(tmp_path / "out")])
    assert stop.value.code == 2
    assert "$KERASRNN_DATA" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["gates", "--tiny", "--output-dir", str(tmp_path / "out"), "--data-dir",
              str(missing)])
    assert stop.value.code == 2 and "--data-dir" in capsys.readouterr().err
