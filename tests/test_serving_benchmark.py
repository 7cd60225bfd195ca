"""benchmarks.serving: two SavedModels timed in turns in one process, ratios to the first."""

import pytest

from benchmarks import serving
from tests.test_slot_filling_app import TINY, run, write_slot_folder

pytestmark = pytest.mark.app  # trains an app


def test_interleaved_medians_time_each_call_in_turns():
    order = []
    medians = serving.interleaved_medians([lambda: order.append("a"),
                                           lambda: order.append("b")], reps=3)
    assert order == ["a", "b"] * 3 and len(medians) == 2 and min(medians) >= 0
    order.clear()
    serving.interleaved_medians([lambda: order.append("a"), lambda: order.append("b")],
                                reps=2, calls_per_rep=3)
    assert order == ["a"] * 3 + ["b"] * 3 + ["a"] * 3 + ["b"] * 3


def test_two_models_side_by_side(tmp_path, capsys):
    data = write_slot_folder(tmp_path / "flights", sizes=(40, 8, 8))
    models = []
    for head in ("softmax", "crf"):
        out = tmp_path / head
        assert run(["train", "--data-dir", data, "--output-dir", out, "--epochs", "1",
                    *TINY, "--slot-head", head]) == 0
        models.append(str(out / "saved_model"))
    capsys.readouterr()
    serving.main(["--model", *models, "--reps", "3"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 + 2 and "ratio" in lines[0]
    first, second = (line.split(" | ") for line in lines[2:])
    assert first[0] == f"| {models[0]}" and first[2] == "1.00×" and first[4] == "1.00×"
    assert second[0] == f"| {models[1]}" and second[2].endswith("×")
