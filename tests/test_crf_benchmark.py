"""benchmarks.crf: both forward steps give the same losses, and every row is timed."""

from benchmarks import crf as crf_benchmark
from tests.conftest import tensorflow_only


@tensorflow_only
def test_both_forward_steps_agree_and_every_row_is_timed(capsys):
    medians, losses = crf_benchmark.main(["--tags", "7", "--batch", "4", "--steps", "5",
                                          "--reps", "1", "--calls", "1"])
    assert abs(losses["matmul"] - losses["pairwise"]).max() < 1e-4
    assert losses["matmul"].shape == (4, 5)
    out = capsys.readouterr().out
    assert "| train step, CRF, matmul forward |" in out and all(v > 0 for v in medians.values())
