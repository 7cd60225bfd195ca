"""benchmarks/translate.py's `compare` on a toy pairs file: both sides scored on one split."""

import argparse
import json

import pytest

from apps.harness import main
from apps.translate.app import Translate
from benchmarks import translate as benchmark
from tests.apps.translate_data import write_pairs

pytestmark = pytest.mark.app


def test_compare_reads_a_trained_run_and_trains_the_peer_on_its_split(tmp_path, capsys):
    pairs = write_pairs(tmp_path / "pairs.txt")
    run = tmp_path / "run"
    assert main(Translate(), ["train", "--data-dir", str(pairs), "--units", "4",
                              "--embedding-dim", "4", "--min-count", "1", "--beam-size", "2",
                              "--epochs", "1", "--time-budget", "0",
                              "--output-dir", str(run)]) == 0
    capsys.readouterr()
    benchmark.compare(argparse.Namespace(ours_model=str(run), peer_time_budget=1.0,
                                         data=None, data_dir=None, ours_flags="",
                                         output_dir=None))
    out = capsys.readouterr().out  # Keras' epoch lines, then the result
    result = json.loads(out[out.index('{\n  "data"'):])
    metrics = json.loads((run / "metrics.json").read_text())
    assert result["ours"]["bleu"] == metrics["bleu"]
    assert result["ours"]["epochs_done"] == 1
    assert result["test_sentences"] == metrics["sentences"]
    assert result["peer"]["epochs"] == 1  # a 1-second budget stops after the first epoch
    assert 0 <= result["peer"]["bleu_lowercase"] <= 100
    assert result["bleu_lowercase_ahead"] == pytest.approx(
        metrics["bleu_lowercase"] - result["peer"]["bleu_lowercase"], abs=0.011)
