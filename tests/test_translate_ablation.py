"""benchmarks/translate_ablation.py on a toy pairs file: one variant, one epoch."""

import json

import pytest

from benchmarks import translate_ablation
from tests.apps.translate_data import write_pairs

pytestmark = pytest.mark.app


def test_the_ablation_trains_scores_times_and_writes_its_table(tmp_path, capsys):
    pairs = write_pairs(tmp_path / "pairs.txt")
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n")
    argv = ["--data-dir", str(pairs), "--epochs", "1", "--variants", "lstm",
            "--speed-sentences", "4", "--workdir", str(tmp_path / "runs"),
            "--write-readme", str(readme), "--extra", "--units", "4", "--embedding-dim", "4",
            "--min-count", "1"]
    translate_ablation.main(argv)
    results = json.loads((tmp_path / "runs" / "ablation.json").read_text())
    assert set(results) == {"lstm"}
    for variant, cell in (("lstm", "lstm"),):
        run = tmp_path / "runs" / variant
        config = json.loads((run / "config.json").read_text())["config"]
        assert config["cell"] == cell and config["epochs"] == 1 and config["units"] == 4
        assert results[variant]["test"] == json.loads((run / "metrics.json").read_text())
        assert 0 <= results[variant]["valid"]["bleu"] <= 100
        assert results[variant]["speed"]["sentences"] == 4
    text = readme.read_text()
    assert text.count("<!-- translate_ablation -->") == 1
    assert "| lstm | `--cell lstm` |" in text
    assert "--attention additive --cell gru" in text  # the default configuration, spelt out
    print(text)
    # A second run reads the finished runs and replaces the table; other settings are refused.
    translate_ablation.main(argv)
    assert readme.read_text().count("<!-- translate_ablation -->") == 1
    with pytest.raises(SystemExit, match="use another --workdir"):
        translate_ablation.main([*argv[:2], "--epochs", "2", *argv[4:]])


def test_a_failing_run_is_one_line_naming_its_log(tmp_path):
    pairs = write_pairs(tmp_path / "pairs.txt")
    with pytest.raises(SystemExit) as stop:
        translate_ablation.main(["--data-dir", str(pairs), "--variants", "lstm", "--workdir",
                                 str(tmp_path / "runs"), "--extra", "--no-such-flag", "1"])
    message = str(stop.value)
    assert len(message.splitlines()) == 1
    assert message.startswith("translate_ablation: lstm failed (exit 2), see ")
    assert str(tmp_path / "runs" / "lstm.log") in message
