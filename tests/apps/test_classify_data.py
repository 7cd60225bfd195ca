"""apps.classify's data: how splits are made, what is counted, and bad input (one line, exit 2)."""

import os

import pytest

from apps.classify.app import Classify, Config, class_weights
from apps.harness import main
from tests.apps.classify_data import TINY, write_glue_folder, write_trec_folder, write_tsv_folder

pytestmark = pytest.mark.app


def classify(argv):
    return main(Classify(), [str(a) for a in argv])


def read(**config):
    return Classify().read_data(Config(**config))


def test_trec_gets_a_hash_valid_split_stable_under_reordering(tmp_path):
    first = read(data_dir=str(write_trec_folder(tmp_path / "a")))
    assert first.notes["valid"].startswith("10% of train") and "test" not in first.notes
    assert {e.label for e in first.splits["train"]} == {"NEG", "POS"}
    lines = (tmp_path / "a" / "train.label").read_text().splitlines()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "train.label").write_text("\n".join(reversed(lines)) + "\n")
    (tmp_path / "b" / "test.label").write_text((tmp_path / "a" / "test.label").read_text())
    second = read(data_dir=str(tmp_path / "b"))
    assert first.splits["valid"] and sorted(first.splits["valid"], key=str) == sorted(
        second.splits["valid"], key=str)
    fine = read(data_dir=str(tmp_path / "a"), label_level="fine")
    assert all(":" in e.label for e in fine.splits["train"])


def test_glue_dev_becomes_test_when_test_is_unlabelled(tmp_path):
    data = read(data_dir=str(write_glue_folder(tmp_path / "glue")))
    assert len(data.splits["test"]) == 30 and "dev" in data.notes["test"]
    assert "hash" in data.notes["valid"]
    assert {e.label for e in data.splits["test"]} == {"0", "1"}


def test_dev_names_the_glue_dev_file_that_became_the_test_split(tmp_path):
    assert read(data_dir=str(write_glue_folder(tmp_path / "glue"))).aliases == {"dev": "test"}
    assert read(data_dir=str(write_trec_folder(tmp_path / "trec"))).aliases == {}


@pytest.mark.parametrize("header", ["label\ttext", "text\tlabel"])
def test_a_text_and_label_header_is_a_header_in_either_order(tmp_path, header):
    folder = write_tsv_folder(tmp_path / "t")  # label<TAB>text, no header
    (folder / "valid.tsv").write_text((folder / "test.tsv").read_text())
    for name in ("train.tsv", "valid.tsv", "test.tsv"):
        rows = (folder / name).read_text().splitlines()
        if header.startswith("text"):
            rows = ["\t".join(reversed(row.split("\t"))) for row in rows]
        (folder / name).write_text("\n".join([header, *rows]) + "\n")
    data = read(data_dir=str(folder))
    # the header is no class, and valid.tsv is still the validation split
    assert {e.label for s in data.splits.values() for e in s} == {"neg", "pos"}
    assert not data.notes and len(data.splits["valid"]) == len(data.splits["test"]) == 30


def test_phrases_of_a_sentence_stay_on_its_side_of_the_valid_split(tmp_path):
    # SST-2's train lists every phrase of a sentence as an example of its own.
    folder = write_glue_folder(tmp_path / "sst", sizes=(200, 30, 20))
    train = folder / "train.tsv"
    rows = train.read_text().splitlines()
    phrases = [f"{' '.join(text.split()[i:j])}\t{label}" for text, label in
               (row.split("\t") for row in rows[1:]) for i, j in ((0, 2), (1, 4), (2, 5))]
    train.write_text("\n".join(rows + phrases) + "\n")
    data = read(data_dir=str(folder))
    sentences = {e.text for split in ("train", "valid") for e in data.splits[split]
                 if len(e.text.split()) == 5}
    valid = {e.text for e in data.splits["valid"]}
    valid_sentences = valid & sentences
    assert len(valid_sentences) > 5 and "longest training text" in data.notes["valid"]
    for sentence in valid_sentences:  # its phrases that no other sentence has are in valid too
        words = sentence.split()
        for i, j in ((0, 2), (1, 4), (2, 5)):
            phrase = " ".join(words[i:j])
            if sum(f" {phrase} " in f" {other} " for other in sentences) == 1:
                assert phrase in valid, (phrase, sentence)
    assert len(data.splits["train"]) + len(data.splits["valid"]) == 200 * 4


def test_oddities_are_counted_not_dropped(tmp_path):
    lines = [f"{label}\t{text}" for label, text in [("pos", "good film"), ("neg", "good film"),
                                                   ("neg", "bad film")] * 10]
    folder = write_tsv_folder(tmp_path / "d", sizes=(30, 10), lines=lines)
    (folder / "test.tsv").write_text("pos\tgood film\nmeh\tso so film\n")
    data = read(data_dir=str(folder))
    assert len(data.splits["train"]) + len(data.splits["valid"]) == 30
    assert "1 text with different labels (20 examples" in data.summary
    assert "test has labels training never saw" in data.summary and "meh (1)" in data.summary


def test_class_weights_balance_the_classes():
    vocabulary = {"labels": ["a", "b"], "label_counts": [30, 10]}
    assert class_weights(Config(class_weight="balanced"), vocabulary) == [40 / 60, 40 / 20]
    assert class_weights(Config(), vocabulary) == [1.0, 1.0]


BAD_LINES = {
    "no tab": (b"pos\tgood film\nneg bad film\n", "train.tsv:2: expected 2 tab-separated"),
    "empty label": (b"pos\tgood film\n\tbad film\n", "train.tsv:2: empty label"),
    "bad bytes": (b"pos\tgood film\nneg\tbad \xff film\n", "train.tsv:2:"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_bad_line_is_one_line_exit_2_and_nothing_written(case, tmp_path, capsys):
    folder = write_tsv_folder(tmp_path / "data", sizes=(20, 10))
    content, message = BAD_LINES[case]
    (folder / "train.tsv").write_bytes(content)
    assert classify(["train", "--data-dir", folder, "--output-dir", tmp_path / "run",
                     *TINY]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err
    assert not (tmp_path / "run").exists() and not (tmp_path / "run.resume").exists()


def test_a_glue_file_without_its_header_is_refused(tmp_path, capsys):
    folder = write_glue_folder(tmp_path / "data")
    lines = (folder / "dev.tsv").read_text().splitlines()
    (folder / "dev.tsv").write_text("\n".join(lines[1:]) + "\n")
    assert classify(["train", "--data-dir", folder, "--output-dir", tmp_path / "run",
                     *TINY]) == 2
    err = capsys.readouterr().err
    assert "dev.tsv:1: header has no 'sentence' or 'text' column" in err
    assert len(err.splitlines()) == 1
    assert "name that split valid.tsv" in err  # the way out for headerless files
    assert not (tmp_path / "run").exists()


def test_one_class_only_is_a_clear_message(tmp_path, capsys):
    folder = write_tsv_folder(tmp_path / "data", lines=["pos\tgood film"] * 20 + ["pos\tnice"])
    assert classify(["train", "--data-dir", folder, "--output-dir", tmp_path / "run",
                     *TINY]) == 2
    err = capsys.readouterr().err
    assert "two classes or more" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_label_level_fine_is_for_trec_only(tmp_path, capsys):
    folder = write_tsv_folder(tmp_path / "data")
    assert classify(["train", "--data-dir", folder, "--label-level", "fine", *TINY]) == 2
    assert "--label-level fine is for TREC data" in capsys.readouterr().err


def test_explain_needs_attention_pooling(tmp_path, capsys):
    data = write_tsv_folder(tmp_path / "data", sizes=(40, 10))
    assert classify(["train", "--data-dir", data, "--output-dir", tmp_path / "run", *TINY,
                     "--epochs", "1", "--pooling", "mean"]) == 0
    capsys.readouterr()
    assert classify(["predict", "--model", tmp_path / "run", "--explain", "good"]) == 2
    assert "--pooling attention" in capsys.readouterr().err


@pytest.mark.realdata
def test_the_registry_datasets_split_as_documented():
    """TREC and SST-2 counts from shared/data/SOURCES.md; needs KERASRNN_DATA."""
    root = os.environ.get("KERASRNN_DATA")
    if not root or not all(os.path.isdir(os.path.join(root, d)) for d in ("trec", "sst2",
                                                                          "atis")):
        pytest.skip("KERASRNN_DATA with trec, sst2 and atis is not set")
    trec = read(data="trec")
    assert len(trec.splits["test"]) == 500
    assert len(trec.splits["train"]) + len(trec.splits["valid"]) == 5452
    assert len(trec.splits["valid"]) == 509  # the same questions as before phrases were grouped
    assert len({e.label for e in read(data="trec", label_level="fine").splits["train"]}) == 50
    sst2 = read(data="sst2")
    assert len(sst2.splits["test"]) == 872 and "dev" in sst2.notes["test"]
    assert len(sst2.splits["train"]) + len(sst2.splits["valid"]) == 67349
    assert len(sst2.splits["valid"]) == 6355  # the phrases of 10% of the sentences
    assert "valid texts are in train too" not in sst2.summary
    atis = read(data="atis")
    assert len(atis.splits["valid"]) == 500 and not atis.notes
    assert "atis_day_name (2)" in atis.summary
