"""benchmarks/translate.py on a toy pairs file: `compare` scores both sides on one split,
`speed` times and scores the decoders of a trained run."""

import argparse
import json

import pytest

from apps.harness import main
from apps.translate.app import Translate
from benchmarks import translate as benchmark
from tests.apps.translate_data import write_pairs

pytestmark = pytest.mark.app


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("translate")
    pairs = write_pairs(folder / "pairs.txt")
    run = folder / "run"
    assert main(Translate(), ["train", "--data-dir", str(pairs), "--units", "4",
                              "--embedding-dim", "4", "--min-count", "1", "--beam-size", "2",
                              "--epochs", "1", "--time-budget", "0",
                              "--output-dir", str(run)]) == 0
    return run


def test_compare_reads_a_trained_run_and_trains_the_peer_on_its_split(run_dir, capsys):
    capsys.readouterr()
    benchmark.compare(argparse.Namespace(ours_model=str(run_dir), peer_time_budget=1.0,
                                         data=None, data_dir=None, ours_flags="",
                                         output_dir=None))
    out = capsys.readouterr().out  # Keras' epoch lines, then the result
    result = json.loads(out[out.index('{\n  "data"'):])
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert result["ours"]["bleu"] == metrics["bleu"]
    assert result["ours"]["epochs_done"] == 1
    assert result["test_sentences"] == metrics["sentences"]
    assert result["peer"]["epochs_of_100_steps"] == 1  # a 1-second budget: only the first
    assert 0 <= result["peer"]["bleu_lowercase"] <= 100
    assert result["bleu_lowercase_ahead"] == pytest.approx(
        metrics["bleu_lowercase"] - result["peer"]["bleu_lowercase"], abs=0.011)


def test_speed_times_and_scores_greedy_and_beam_search_on_the_same_sentences(run_dir, capsys):
    capsys.readouterr()
    benchmark.speed(argparse.Namespace(model=str(run_dir), data=None, data_dir=None,
                                       ours_flags="", sentences=6, batch1_sentences=2,
                                       predict_sentences=1, repeats=1))
    result = json.loads(capsys.readouterr().out)
    assert result["sentences"] == 6
    for name in ("greedy_batch64", "beam4_batch64"):
        assert result[f"{name}_sentences_per_second"] > 0
        assert set(result[f"{name}_scores"]) == {"bleu", "chrf", "bleu_lowercase"}
    assert result["beam4_time_vs_greedy"] == pytest.approx(
        result["greedy_batch64_sentences_per_second"]
        / result["beam4_batch64_sentences_per_second"], abs=0.01)
