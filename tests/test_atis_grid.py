"""benchmarks.atis_grid end to end on a tiny generated folder: runs, table, resume."""

import json

import pytest

from benchmarks import atis_grid
from tests.test_slot_filling_app import TINY, write_slot_folder

pytestmark = pytest.mark.app  # trains an app


def test_grid_trains_every_run_then_the_softmax_head_and_resumes(tmp_path, capsys):
    data = write_slot_folder(tmp_path / "data")
    work = tmp_path / "grid"
    argv = ["--data-dir", str(data), "--kinds", "elman", "jordan", "--directions", "uni",
            "--seeds", "0", "1", "--budget", "600", "--parallel", "2", "--workdir", str(work),
            "--", *TINY, "--epochs", "2"]
    atis_grid.main(argv)
    results = json.loads((work / "grid.json").read_text())
    best = "elman" if (results["elman-uni-crf-s0"]["slot_f1"] + results["elman-uni-crf-s1"][
        "slot_f1"] >= results["jordan-uni-crf-s0"]["slot_f1"]
        + results["jordan-uni-crf-s1"]["slot_f1"]) else "jordan"
    assert set(results) == {"elman-uni-crf-s0", "elman-uni-crf-s1", "jordan-uni-crf-s0",
                            "jordan-uni-crf-s1", f"{best}-uni-softmax-s0",
                            f"{best}-uni-softmax-s1"}
    config = json.loads((work / "jordan-uni-crf-s1" / "config.json").read_text())["config"]
    # the grid's flags win over the extra ones (TINY says lstm, softmax, seed 3)
    assert (config["cell"], config["slot_head"], config["seed"]) == ("jordan", "crf", 1)
    assert config["time_budget"] == 600 and not config["bidirectional"]
    assert config["inter_op_threads"] == 1 and config["epochs"] == 2
    table = (work / "grid.md").read_text().splitlines()
    assert len(table) == 2 + 3 + 2 and table[2].startswith("| elman | uni | crf | ")
    assert table[4].startswith(f"| {best} | uni | softmax | ")
    capsys.readouterr()
    before = (work / "elman-uni-crf-s0" / "metrics.json").stat().st_mtime_ns
    atis_grid.main(argv)  # everything is done: read back, nothing retrained
    assert (work / "elman-uni-crf-s0" / "metrics.json").stat().st_mtime_ns == before
    assert (work / "grid.md").read_text().splitlines() == table
