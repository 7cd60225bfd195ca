"""apps.classify end to end: it learns a separable task, predicts, explains, and serves."""

import json

import numpy as np
import pytest
import tensorflow as tf

from apps.classify.app import Classify
from apps.harness import main
from tests.apps.classify_data import NEGATIVE, POSITIVE, TINY, write_glue_folder, write_tsv_folder

pytestmark = pytest.mark.app

LEARN = [*TINY, "--units", "16", "--embedding-dim", "16", "--epochs", "8", "--learning-rate",
         "0.02", "--dropout", "0.1", "--patience", "0", "--label-smoothing", "0.05",
         "--class-weight", "balanced"]


def classify(argv):
    return main(Classify(), [str(a) for a in argv])


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    base = tmp_path_factory.mktemp("classify")
    data = write_tsv_folder(base / "data", sizes=(160, 40))
    assert classify(["train", "--data-dir", data, "--output-dir", base / "run", *LEARN]) == 0
    return base / "run"


def test_it_learns_a_separable_task(learned):
    metrics = json.loads((learned / "metrics.json").read_text())
    assert metrics["accuracy"] >= 0.95 and metrics["macro_f1"] >= 0.95
    report = json.loads((learned / "classification_report.json").read_text())
    assert {"pos", "neg", "macro avg"} <= set(report)
    matrix = json.loads((learned / "confusion_matrix.json").read_text())
    assert matrix["labels"] == ["neg", "pos"] and np.sum(matrix["matrix"]) == 40
    assert (learned / "confusion_matrix.png").stat().st_size > 1000


def test_explain_gives_each_word_a_weight_and_they_sum_to_one(learned, capsys):
    texts = [f"the film was {word} , really" for word in POSITIVE[:2] + NEGATIVE[:2]]
    capsys.readouterr()
    assert classify(["predict", "--model", learned, "--explain", "--format", "json",
                     *texts]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["label"] for r in results] == ["pos", "pos", "neg", "neg"]
    for text, result in zip(texts, results):
        assert result["words"] == text.split()
        assert sum(result["attention"]) == pytest.approx(1.0, abs=1e-3)
        assert sum(result["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
        assert len(result["attention"]) == len(result["words"])
        assert min(result["attention"]) > 0


def test_predict_text_top_k_and_stdin(learned, capsys, monkeypatch):
    capsys.readouterr()
    assert classify(["predict", "--model", learned, "--top-k", "1", "a superb movie"]) == 0
    assert capsys.readouterr().out.startswith("pos ")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("an awful plot\n\n"))
    assert classify(["predict", "--model", learned, "--format", "json", "--explain"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in lines] == ["an awful plot", ""]
    assert lines[0]["label"] == "neg" and lines[1]["words"] == [] == lines[1]["attention"]


def test_the_saved_model_classifies_raw_strings_in_plain_tensorflow(learned):
    serve = tf.saved_model.load(str(learned / "saved_model")).signatures["serving_default"]
    out = serve(text=tf.constant(["a lovely story", "the ending was dull", ""]))
    assert [v.decode() for v in out["label"].numpy()[:2]] == ["pos", "neg"]
    assert out["probabilities"].shape == (3, 2) and out["classes"].shape == (3, 2)
    np.testing.assert_allclose(out["probabilities"].numpy().sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(out["attention"].numpy()[:2].sum(axis=1), 1.0, atol=1e-5)


def test_evaluate_split_dev_is_the_glue_dev_file(learned, tmp_path, capsys):
    glue = write_glue_folder(tmp_path / "glue", sizes=(120, 30, 20))  # dev.tsv: 30 rows
    counts = {}
    for split in ("dev", "test", "valid"):
        assert classify(["evaluate", "--model", learned, "--data-dir", glue,
                         "--split", split]) == 0
        counts[split] = json.loads(capsys.readouterr().out)["examples"]
    assert counts["dev"] == counts["test"] == 30 and counts["valid"] != 30
