"""Each reader on its tiny fixture (tests/fixtures/data), plus tag-scheme conversions."""

import os

import pytest

from kerasrnn.data import (
    DataFormatError,
    detect_format,
    iob2_to_bioes,
    load_dataset,
    read_conll,
    read_conllu,
    read_glue_tsv,
    read_labelled_tsv,
    read_parallel_pairs,
    read_slot_filling,
    read_text_corpus,
    read_trec,
    to_iob2,
)
from kerasrnn.data.tagging_schemes import looks_like_iob1

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "data")


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def test_slot_filling_reads_all_splits_with_intents():
    data = read_slot_filling(fixture("slot_filling"))
    assert {s: len(e) for s, e in data.splits.items()} == {"train": 4, "valid": 2, "test": 3}
    first = data.splits["train"][0]
    assert first.tokens == ("show", "me", "flights", "from", "oslo", "to", "lima")
    assert first.tags[4] == "B-fromloc.city_name"
    assert first.intent == "atis_flight"
    # Multi-intents are kept whole; label sets may differ between splits.
    assert "atis_flight#atis_airfare" in data.intents("train")
    assert "atis_day_name" in data.intents("test")
    assert "atis_day_name" not in data.intents("train")
    assert data.report.count("train", "tokens") == 7 + 11 + 9 + 7
    assert "train: 4 examples" in data.summary()


def test_conll_iob2_with_docstart_and_default_last_column():
    data = read_conll(fixture("conll2003"))
    assert [len(data.splits[s]) for s in ("train", "valid", "test")] == [3, 1, 1]
    assert data.report.count("train", "documents") == 2
    sentence = data.splits["train"][1]
    assert sentence.tokens[:3] == ("The", "Zephyr", "Guild")
    assert sentence.tags[:3] == ("O", "B-ORG", "I-ORG")
    assert "detected tag scheme IOB2" in data.report.notes


def test_conll_tag_column_is_configurable():
    data = read_conll(fixture("conll2003"), tag_column=2)
    assert data.splits["train"][0].tags == ("B-NP", "I-NP", "B-VP", "B-NP", "I-NP", "O")


def test_conll_iob1_is_detected_and_converted_to_iob2():
    data = read_conll(fixture("conll_iob1"))
    assert "detected tag scheme IOB1" in data.report.notes
    tags = data.splits["train"][0].tags
    # Marta Quill met Bram Odo in Lorn .  (Odo starts a second adjacent PER span)
    assert tags == ("B-PER", "I-PER", "O", "B-PER", "B-PER", "O", "B-LOC", "O")
    assert data.report.count("train", "IOB1 I- tags converted to B-") == 3
    assert data.splits["test"][0].tags[:2] == ("B-ORG", "I-ORG")


def test_conll_bioes_output():
    data = read_conll(fixture("conll2003"), scheme="bioes")
    assert data.tag_scheme == "bioes"
    assert data.splits["train"][0].tags == ("B-PER", "E-PER", "O", "B-LOC", "E-LOC", "O")
    assert data.splits["valid"][0].tags == ("S-LOC", "O", "O")


def test_tag_scheme_helpers():
    assert to_iob2(["I-PER", "I-PER", "O", "I-LOC"]) == ("B-PER", "I-PER", "O", "B-LOC")
    assert iob2_to_bioes(["B-X", "I-X", "I-X", "B-X", "O"]) == ("B-X", "I-X", "E-X", "S-X", "O")
    assert looks_like_iob1([["I-PER", "B-PER", "O"]])
    assert not looks_like_iob1([["B-PER", "I-PER", "O"]])
    assert not looks_like_iob1([["O", "I-PER"], ["O", "B-LOC"]])  # IOB2 with an error


def test_conllu_reads_upos_and_counts_skipped_lines():
    data = read_conllu(fixture("ud_toy"))
    assert set(data.splits) == {"train", "valid", "test"}
    owls = data.splits["train"][0]
    assert owls.tokens == ("Owls", "ca", "n't", "read", "maps", ".")
    assert owls.tags == ("NOUN", "AUX", "PART", "VERB", "NOUN", "PUNCT")
    assert data.report.skipped["train"] == {"multi-word-token lines": 1, "empty-node lines": 1}
    assert data.report.count("train", "words") == 8
    assert read_conllu(fixture("ud_toy"), tag="xpos").splits["train"][1].tags == ("NNP", "VBZ")


def test_trec_coarse_and_fine_labels():
    coarse = read_trec(fixture("trec"))
    assert len(coarse.splits["train"]) == 5 and len(coarse.splits["test"]) == 2
    assert coarse.splits["train"][0].text == "How do owls find their way at night ?"
    assert coarse.labels("train") == ["DESC", "ENTY", "HUM", "LOC", "NUM"]
    fine = read_trec(fixture("trec"), label_level="fine")
    assert fine.splits["test"][0].label == "LOC:other"
    assert "no valid split (valid.label absent)" in coarse.report.notes


def test_glue_tsv_with_header_and_unlabelled_test():
    data = read_glue_tsv(fixture("sst2"))
    assert [len(data.splits[s]) for s in ("train", "valid", "test")] == [3, 2, 2]
    assert data.splits["train"][0].text == "a warm , funny little film"  # trailing space stripped
    assert data.splits["train"][0].label == "1"
    assert data.splits["test"][0].label is None
    assert "test is unlabelled (no 'label' column)" in data.report.notes


def test_labelled_tsv():
    data = read_labelled_tsv(fixture("labelled_tsv"))
    assert data.splits["train"][1].text == "The tea went cold again"
    assert data.labels() == ["neg", "pos"]


def test_a_glue_header_is_recognised_without_dev_tsv(tmp_path):
    # A GLUE train.tsv (header row) next to test.tsv only: still GLUE, not label<TAB>text.
    (tmp_path / "train.tsv").write_text("sentence\tlabel\na fine film\t1\ndull\t0\n")
    (tmp_path / "test.tsv").write_text("sentence\tlabel\nwitty\t1\n")
    assert detect_format(str(tmp_path)) == "glue_tsv"
    data = read_glue_tsv(tmp_path)
    assert sorted(data.splits) == ["test", "train"] and data.labels() == ["0", "1"]
    assert "no valid split (dev.tsv absent)" in data.report.notes


def test_an_empty_text_is_kept_and_an_empty_label_refused(tmp_path):
    (tmp_path / "train.tsv").write_text("pos\tgood\nneg\t   \n")
    data = read_labelled_tsv(tmp_path)
    assert [e.text for e in data.splits["train"]] == ["good", ""]
    (tmp_path / "train.tsv").write_text("pos\tgood\n\tbad\n")
    with pytest.raises(DataFormatError, match="train.tsv:2: empty label"):
        read_labelled_tsv(tmp_path)


def test_text_corpus_strips_gutenberg_and_splits_by_position():
    corpus = read_text_corpus(fixture("corpus", "gutenberg_toy.txt"), strip_gutenberg=True)
    text = corpus.splits["train"] + corpus.splits["valid"]
    assert text.startswith("The lantern keeper climbed")
    assert text.endswith("walked into the town.\n")
    assert "Gutenberg" not in text and "ç" in text
    # The last ~10% of characters, cut at a line start, is validation.
    assert corpus.splits["valid"] == "He climbed down and walked into the town.\n"
    assert any("removed Gutenberg boilerplate: 5 lines before" in n for n in corpus.report.notes)


def test_text_corpus_chinese_with_crlf_and_test_split():
    corpus = read_text_corpus(
        fixture("corpus", "chinese_crlf.txt"), valid_fraction=0.2, test_fraction=0.2)
    whole = "".join(corpus.splits[s] for s in ("train", "valid", "test"))
    assert "\r" not in whole
    assert whole.startswith("第一回")
    assert "．" in corpus.characters()
    assert corpus.report.total("lines") == 7


def test_parallel_pairs_split_keeps_shared_sentences_together():
    data = read_parallel_pairs(fixture("pairs", "eng-spa.txt"), valid_fraction=0.2,
                               test_fraction=0.2)
    sizes = {s: len(p) for s, p in data.splits.items()}
    assert sum(sizes.values()) == 32 and all(sizes.values())
    for side in ("source", "target"):
        seen = {}
        for split, pairs in data.splits.items():
            for pair in pairs:
                assert seen.setdefault(getattr(pair, side), split) == split
    # Deterministic: reading again gives the same split.
    again = read_parallel_pairs(fixture("pairs", "eng-spa.txt"), valid_fraction=0.2,
                                test_fraction=0.2)
    assert again.splits == data.splits


def test_parallel_pairs_both_directions_get_the_same_split():
    forward = read_parallel_pairs(fixture("pairs", "eng-spa.txt"), valid_fraction=0.2,
                                  test_fraction=0.2)
    backward = read_parallel_pairs(fixture("pairs", "eng-spa.txt"), source_column=1,
                                   target_column=0, valid_fraction=0.2, test_fraction=0.2)
    assert backward.splits == {name: [type(p)(p.target, p.source) for p in pairs]
                               for name, pairs in forward.splits.items()}


def test_parallel_pairs_columns_are_selectable_and_three_columns_accepted():
    data = read_parallel_pairs(fixture("pairs", "eng-spa-attributed.txt"), source_column=1,
                               target_column=0, valid_fraction=0, test_fraction=0)
    assert data.splits["train"][0].source.startswith(("El ", "La ", "Marta ", "Mi ", "Siete "))
    assert sum(len(p) for p in data.splits.values()) == 8


def test_parallel_pairs_blank_lines_are_skipped_and_counted(tmp_path):
    path = tmp_path / "pairs.txt"
    path.write_bytes(b"Owls fly.\tVuelan.\n\nCats sleep.\tDuermen.\n  \n\n")
    data = read_parallel_pairs(path, valid_fraction=0, test_fraction=0)
    assert len(data.splits["train"]) == 2
    assert "3 blank lines skipped" in data.report.summary()
    path.write_bytes(b"Owls fly.\tVuelan.\n\t\n")  # a tab: a pair with both sides empty
    with pytest.raises(DataFormatError, match=r"pairs.txt:2: empty source or target sentence"):
        read_parallel_pairs(path)


@pytest.mark.parametrize("name,expected", [
    ("slot_filling", "slot_filling"), ("conll2003", "conll"), ("ud_toy", "conllu"),
    ("trec", "trec"), ("sst2", "glue_tsv"), ("labelled_tsv", "labelled_tsv"),
    ("corpus/chinese_crlf.txt", "text_corpus"), ("pairs/eng-spa.txt", "parallel_pairs"),
])
def test_user_folders_work_like_registry_data(name, expected):
    assert detect_format(fixture(name)) == expected
    data = load_dataset(data_dir=fixture(name))
    assert data.splits["train"]


def test_load_dataset_needs_exactly_one_of_name_and_data_dir():
    with pytest.raises(ValueError, match="exactly one"):
        load_dataset()
    with pytest.raises(ValueError, match="exactly one"):
        load_dataset("atis", data_dir=fixture("slot_filling"))


def test_text_corpus_skip_lines_are_reported():
    corpus = read_text_corpus(fixture("corpus", "chinese_crlf.txt"), valid_fraction=0,
                              skip_lines=1)
    assert corpus.splits["train"].startswith("小猫每天")
    assert "skipped the first line" in corpus.report.notes
    assert set(corpus.splits) == {"train"}


def test_a_count_of_one_reads_in_the_singular():
    from kerasrnn.data.report import ReadReport

    report = ReadReport(source="x")
    report.add("train", "documents")
    report.add("train", "examples", 2)
    report.add("train", "IOB1 I- tags converted to B-")
    report.skip("train", "blank lines")
    assert report.summary().splitlines()[1] == (
        "  train: 1 document, 2 examples, 1 IOB1 I- tag converted to B-, skipped 1 blank line")
