"""The NER and POS apps: what a user sees, and how they refuse bad data (one line, exit 2)."""

import json
import re

import pytest

from apps.harness import main
from apps.ner.app import NER
from apps.ner.app import Config as NERConfig
from apps.pos.app import POS
from apps.pos.app import Config as POSConfig
from tests.apps.tagging_data import TINY, write_conll_folder, write_conllu_folder

pytestmark = pytest.mark.app

LEARN = [*TINY, "--units", "16", "--epochs", "12", "--learning-rate", "0.02", "--dropout",
         "0.1", "--patience", "0", "--ema", "0"]


def ner(argv):
    return main(NER(), [str(a) for a in argv])


def pos(argv):
    return main(POS(), [str(a) for a in argv])


@pytest.fixture(scope="module")
def ner_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("ner")
    data = write_conll_folder(base / "data", sizes=(120, 20, 20))
    assert ner(["train", "--data-dir", data, "--output-dir", base / "run", *LEARN]) == 0
    return base / "run"



def test_ner_marks_entities_with_character_offsets_into_the_raw_text(ner_run, capsys):
    texts = ["Teddy Roosevelt visited Paris.", "  Ada\u00a0Lovelace works for Reuters in Berlin!"]
    capsys.readouterr()
    assert ner(["predict", "--model", ner_run, "--format", "json", *texts]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    first = results[0]
    assert first["tokens"] == ["Teddy", "Roosevelt", "visited", "Paris", "."]
    assert {(e["type"], e["text"]) for e in first["entities"]} == {
        ("PER", "Teddy Roosevelt"), ("LOC", "Paris")}
    for text, result in zip(texts, results):
        assert result["entities"]
        for entity in result["entities"]:
            assert text[entity["start"]:entity["end"]] == entity["text"]
    metrics = json.loads((ner_run / "metrics.json").read_text())
    assert metrics["f1"] > 0.9 and {"precision", "recall", "oov_rate", "oov_entity_f1"} <= set(
        metrics)
    report = json.loads((ner_run / "entity_report.json").read_text())
    assert {"PER", "LOC", "ORG"} <= set(report)


def test_ner_text_output_marks_the_entities_in_the_sentence(ner_run, capsys):
    capsys.readouterr()
    assert ner(["predict", "--model", ner_run, "Teddy Roosevelt visited Paris."]) == 0
    assert capsys.readouterr().out.strip() == "[Teddy Roosevelt](PER) visited [Paris](LOC)."


def test_unseen_entity_types_are_counted_in_the_data_summary(tmp_path):
    data = write_conll_folder(tmp_path / "data", sizes=(30, 6, 6), separator="\t")
    test = data / "test.txt"
    # A lone tab ends a sentence like an empty line; a new type in the test split.
    test.write_text(test.read_text().replace("\n\n", "\n\t\n", 1)
                    + "\nThe\tDT\tO\tO\nHobbit\tNN\tO\tB-creative-work\n", encoding="utf-8")
    summary = NER().read_data(NERConfig(data_dir=str(data))).summary
    assert "test has entity types training never saw" in summary
    assert "creative-work (1)" in summary and "test: 7 examples" in summary


def test_embeddings_start_the_word_vectors(tmp_path, capsys):
    data = write_conll_folder(tmp_path / "data", sizes=(30, 6, 6))
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("2 3\nparis 0.5 0.25 -1\nvisited 1 2 3\n", encoding="utf-8")
    app, config = NER(), NERConfig(data_dir=str(data), embeddings=str(vectors))
    vocabulary = app.build_vocabulary(config, app.read_data(config).splits["train"])
    model = app.build_model(config, vocabulary, {"optimizer": "adam"})
    assert "vectors for 2 of" in capsys.readouterr().out
    table = model.get_layer("word_embedding").embeddings.numpy()
    assert table.shape[1] == 3
    paris = vocabulary["words"].index("paris") + 2  # ids 0 and 1: padding, [UNK]
    assert table[paris].tolist() == [0.5, 0.25, -1.0]


@pytest.mark.parametrize("damage, problem", [
    (lambda t: t.replace("Paris NN O B-LOC", "Paris NN B-LOC", 1), "expected 4 columns"),
    (lambda t: t.replace("B-LOC", "X-LOC", 1), "invalid tag 'X-LOC'"),
    (lambda t: t.replace("B-LOC", "B-", 1), "invalid tag 'B-'"),
    (lambda t: "-DOCSTART- -X- -X- O\n\t\n", "no sentences found"),
    (lambda t: "", "the file is empty"),
])
def test_bad_conll_files_end_in_one_line_naming_the_place(tmp_path, capsys, damage, problem):
    data = write_conll_folder(tmp_path / "data", sizes=(30, 6, 6))
    valid = data / "valid.txt"
    valid.write_text(damage(valid.read_text()), encoding="utf-8")
    assert ner(["train", "--data-dir", data, "--output-dir", tmp_path / "run", *TINY]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and problem in err and "valid.txt" in err
    assert not (tmp_path / "run").exists() and not list(tmp_path.glob("run.*"))


def test_training_data_without_any_entity_is_refused_in_one_line(tmp_path, capsys):
    data = write_conll_folder(tmp_path / "data", sizes=(30, 6, 6))
    train = data / "train.txt"
    train.write_text(re.sub(r" [BI]-[A-Z]+$", " O", train.read_text(), flags=re.M),
                     encoding="utf-8")
    assert ner(["train", "--data-dir", data, "--output-dir", tmp_path / "run", *TINY]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "the training split has no entity" in err
    assert not (tmp_path / "run").exists()


def test_undecodable_bytes_name_the_file_and_line(tmp_path, capsys):
    data = write_conll_folder(tmp_path / "data", sizes=(30, 6, 6))
    (data / "test.txt").write_bytes(b"Caf\xe9 NN O O\n")
    assert ner(["train", "--data-dir", data, "--output-dir", tmp_path / "run", *TINY]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "test.txt:1" in err
    assert not (tmp_path / "run").exists()


def test_a_registry_dataset_of_another_kind_is_refused(tmp_path, capsys):
    assert ner(["train", "--data", "atis", "--output-dir", tmp_path / "run"]) == 2
    assert "ner reads conll2002, conll2003 or a --data-dir" in capsys.readouterr().err


def test_pos_tags_words_and_skips_multiword_token_lines_as_ud_says(tmp_path, capsys):
    data = write_conllu_folder(tmp_path / "data", sizes=(80, 10, 10))
    assert pos(["train", "--data-dir", data, "--output-dir", tmp_path / "run", *LEARN]) == 0
    out = capsys.readouterr().out
    assert "skipped 1 multi-word-token line" in out
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["accuracy"] > 0.95
    assert pos(["predict", "--model", tmp_path / "run", "the big dog likes a cat in Paris."]) == 0
    assert capsys.readouterr().out.strip() == (
        "the/DET big/ADJ dog/NOUN likes/VERB a/DET cat/NOUN in/ADP Paris/PROPN ./PUNCT")
    # UD calls the validation split "dev": evaluate takes either name.
    for name in ("dev", "valid"):
        assert pos(["evaluate", "--model", tmp_path / "run", "--split", name]) == 0
    by_dev, by_valid = (json.loads(part) for part in
                        capsys.readouterr().out.replace("}\n{", "}\n\0{").split("\0"))
    assert by_dev == by_valid and by_dev["sentences"] == 10


def test_pos_xpos_tags_another_column(tmp_path):
    data = write_conllu_folder(tmp_path / "data", sizes=(20, 5, 5))
    app, config = POS(), POSConfig(data_dir=str(data), tagset="xpos")
    vocabulary = app.build_vocabulary(config, app.read_data(config).splits["train"])
    assert "NO" in vocabulary["tags"] and "NOUN" not in vocabulary["tags"]


def test_a_missing_dev_file_is_named(tmp_path, capsys):
    data = write_conllu_folder(tmp_path / "data", sizes=(20, 5, 5))
    (data / "en_tiny-ud-dev.conllu").unlink()
    assert pos(["train", "--data-dir", data, "--output-dir", tmp_path / "run", *TINY]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(data) in err
    assert "*-ud-dev.conllu" in err and err.endswith("missing: valid")


def test_a_conllu_line_with_the_wrong_field_count_is_one_line(tmp_path, capsys):
    data = write_conllu_folder(tmp_path / "data", sizes=(20, 5, 5))
    dev = data / "en_tiny-ud-dev.conllu"
    lines = dev.read_text().splitlines()
    lines[4] = lines[4].rsplit("\t", 1)[0]
    dev.write_text("\n".join(lines) + "\n")
    assert pos(["train", "--data-dir", data, "--output-dir", tmp_path / "run", *TINY]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "en_tiny-ud-dev.conllu:5" in err
    assert "expected 10 tab-separated columns, found 9" in err


def test_unseen_word_entity_scores_are_always_there_and_0_when_undefined():
    from apps.ner.app import _unseen_word_scores

    gold = [["B-PER", "I-PER", "O"], ["B-LOC", "O"]]
    predicted = [["B-PER", "I-PER", "O"], ["O", "O"]]
    unknown = [[False, True, False], [True, False]]
    scores = _unseen_word_scores(gold, predicted, unknown)
    assert scores == {"oov_entities": 2, "oov_entity_precision": 1.0,
                      "oov_entity_recall": 0.5, "oov_entity_f1": pytest.approx(2 / 3)}
    assert _unseen_word_scores(gold, predicted, [[False] * 3, [False] * 2]) == {
        "oov_entities": 0, "oov_entity_precision": 0.0, "oov_entity_recall": 0.0,
        "oov_entity_f1": 0.0}
