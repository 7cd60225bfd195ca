"""benchmarks.tagger_ablation end to end on a tiny generated folder: runs, table, resume,
and the README section it writes."""

import json

import pytest

from benchmarks import tagger_ablation
from tests.apps.tagging_data import TINY, write_conll_folder


def table_rows(markdown):
    """The table's rows, without its header and rule."""
    lines = markdown.splitlines()
    return lines[lines.index(next(x for x in lines if x.startswith("| variant |"))) + 2:]


def test_the_variants_change_one_default_each_and_pos_ablates_the_crf():
    ner = tagger_ablation.variants(tagger_ablation.app_defaults("ner"))
    assert list(ner) == ["default", "softmax", "char-none", "char-lstm", "trigrams",
                         "no-casing", "peephole_lstm", "gru", "elman"]
    assert tagger_ablation.as_flags(ner["no-casing"]) == ["--no-casing"]
    assert tagger_ablation.as_flags(ner["trigrams"]) == ["--trigram-dim", "32"]
    pos = tagger_ablation.variants(tagger_ablation.app_defaults("pos"))
    assert "crf" in pos and "softmax" not in pos  # POS's default head is the softmax


@pytest.mark.app  # trains the NER app
def test_ablation_trains_each_variant_resumes_and_updates_the_readme(tmp_path, capsys):
    data = write_conll_folder(tmp_path / "data")
    work = tmp_path / "ablation"
    argv = ["--data-dir", str(data), "--variants", "default", "softmax", "--seeds", "0",
            "--budget", "30", "--parallel", "2", "--workdir", str(work),
            "--extra", *TINY, "--epochs", "1"]
    tagger_ablation.main(argv)
    results = json.loads((work / "ablation.json").read_text())
    assert set(results) == {"default-s0", "softmax-s0"}
    config = json.loads((work / "softmax-s0" / "config.json").read_text())["config"]
    # the ablation's flags win over the extra ones (TINY says --time-budget 0)
    assert (config["head"], config["cell"], config["char_encoder"]) == ("softmax", "lstm", "cnn")
    assert config["time_budget"] == 30 and config["epochs"] == 1
    assert config["inter_op_threads"] == 1 and config["intra_op_threads"] == 1
    default = json.loads((work / "default-s0" / "config.json").read_text())["config"]
    assert default["head"] == "crf" and default["units"] == 8
    markdown = (work / "ablation.md").read_text()
    assert "python -m benchmarks.tagger_ablation --data-dir" in markdown
    assert "budget of 30 s" in markdown and "entity F1 (`f1`) is on the **test** split" in markdown
    rows = table_rows(markdown)
    assert [r.split(" | ")[0] for r in rows] == ["| default", "| softmax"]
    assert "`--head softmax`" in rows[1] and " ± — |" in rows[0]
    # variant, flags, valid, test score, OOV, epochs, s, seeds
    cells = rows[0].strip("| ").split(" | ")
    assert cells[1] == "—" and cells[5] == "1.0" and cells[7] == "1"
    history = (work / "default-s0" / "history.csv").read_text().splitlines()
    val_f1 = float(history[1].split(",")[history[0].split(",").index("val_f1")])
    assert cells[2] == f"{100 * val_f1:.2f}"  # the kept (only) epoch's val_f1

    capsys.readouterr()
    metrics = [work / name / "metrics.json" for name in results]
    before = [m.stat().st_mtime_ns for m in metrics]
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\nSomething measured before.\n")
    tagger_ablation.main(["--write-readme", str(readme), *argv])  # read back, not retrained
    assert [m.stat().st_mtime_ns for m in metrics] == before
    assert table_rows((work / "ablation.md").read_text()) == rows
    text = readme.read_text()
    assert text.startswith("# Benchmarks\n\nSomething measured before.\n\n")
    assert text.count("<!-- tagger_ablation:ner -->") == 1 and "| softmax |" in text
    readme.write_text(text.replace("| softmax |", "| stale |") + "\nAfter.\n")
    tagger_ablation.main(["--write-readme", str(readme), *argv])
    text = readme.read_text()
    assert text.count("<!-- tagger_ablation:ner -->") == 1
    assert text.count("<!-- /tagger_ablation:ner -->") == 1
    assert "| stale |" not in text and "| softmax |" in text and text.endswith("\nAfter.\n")
