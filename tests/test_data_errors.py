"""Every bad-input case of the issue: the message is ``PATH:LINE: problem`` (1-based)."""

import os
import re
import shutil

import pytest

from kerasrnn.data import (
    DataFormatError,
    read_conll,
    read_conllu,
    read_glue_tsv,
    read_labelled_tsv,
    read_parallel_pairs,
    read_slot_filling,
    read_text_corpus,
    read_trec,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "data")


@pytest.fixture
def slots(tmp_path):
    """A writable copy of the slot-filling fixture."""
    return shutil.copytree(os.path.join(FIXTURES, "slot_filling"), tmp_path / "slots")


def write(path, data: bytes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def test_error_is_a_value_error_with_path_and_line():
    error = DataFormatError("a/b.txt", "broken", 3)
    assert isinstance(error, ValueError)
    assert str(error) == "a/b.txt:3: broken"
    assert (error.path, error.line, error.problem) == ("a/b.txt", 3, "broken")


def test_token_tag_count_mismatch_names_both_files_and_counts(slots):
    write(slots / "valid" / "seq.out", b"O B-toloc.city_name O B-arrive_time.time\nO O O\n")
    with pytest.raises(DataFormatError) as info:
        read_slot_filling(slots)
    message = str(info.value)
    out_path, in_path = str(slots / "valid" / "seq.out"), str(slots / "valid" / "seq.in")
    assert message.startswith(f"{out_path}:1: ")
    assert "4 tags in seq.out but 5 tokens in seq.in" in message
    assert f"{in_path}:1" in message


@pytest.mark.parametrize("tag", ["Q-fromloc.city_name", "fromloc.city_name", "B-"])
def test_a_slot_tag_that_is_not_bio_names_tag_and_line(slots, tag):
    lines = (slots / "train" / "seq.out").read_text().splitlines(keepends=True)
    tags = lines[1].split()
    tags[-1] = tag
    lines[1] = " ".join(tags) + "\n"
    write(slots / "train" / "seq.out", "".join(lines).encode())
    with pytest.raises(DataFormatError) as info:
        read_slot_filling(slots)
    assert str(info.value) == (f"{slots / 'train' / 'seq.out'}:2: invalid tag {tag!r}: "
                               "expected O, B-TYPE or I-TYPE")


def test_missing_split_file_names_its_path(slots):
    os.remove(slots / "test" / "label")
    with pytest.raises(DataFormatError, match=re.escape(str(slots / "test" / "label")) +
                       ": missing test split file label"):
        read_slot_filling(slots)


def test_missing_conll_split_file_names_its_path(tmp_path):
    shutil.copytree(os.path.join(FIXTURES, "conll2003"), tmp_path / "c")
    os.remove(tmp_path / "c" / "valid.txt")
    with pytest.raises(DataFormatError, match=re.escape(str(tmp_path / "c" / "valid.txt"))):
        read_conll(tmp_path / "c")


def test_line_count_difference_between_files(slots):
    write(slots / "train" / "label", b"atis_flight\natis_airfare\natis_flight\n")
    with pytest.raises(DataFormatError) as info:
        read_slot_filling(slots)
    assert str(info.value).startswith(f"{slots / 'train' / 'label'}:4: line counts differ")
    assert "seq.in has 4" in str(info.value) and "label has 3" in str(info.value)


@pytest.mark.parametrize("content,problem", [(b"", "the file is empty"),
                                             (b"\n\n  \n", "the file holds only white space")])
def test_empty_file(slots, content, problem):
    write(slots / "valid" / "seq.in", content)
    with pytest.raises(DataFormatError, match=re.escape(f"{slots / 'valid' / 'seq.in'}: ") +
                       problem):
        read_slot_filling(slots)


def test_empty_corpus_file(tmp_path):
    write(tmp_path / "empty.txt", b"")
    with pytest.raises(DataFormatError, match="empty.txt: the file is empty"):
        read_text_corpus(tmp_path / "empty.txt")


def test_invalid_utf8_reports_line_and_byte_offset(slots):
    write(slots / "train" / "seq.in",
          b"show me flights from oslo to lima\n"
          b"i'd like a round trip fare from new delhi to oslo\n"
          b"flights and fares from lima to qu\xf0ito on friday\n"
          b"what ground transportation is there in quito\n")
    with pytest.raises(DataFormatError) as info:
        read_slot_filling(slots)
    assert str(info.value).startswith(f"{slots / 'train' / 'seq.in'}:3: not valid UTF-8")
    assert "at byte offset 33 of the line" in str(info.value)


def test_invalid_utf8_in_crlf_corpus(tmp_path):
    write(tmp_path / "c.txt", "第一行\r\n第二行\r\n".encode() + b"ok \xe4\xb8\r\n")
    with pytest.raises(DataFormatError, match=r"c.txt:3: not valid UTF-8 at byte offset 3"):
        read_text_corpus(tmp_path / "c.txt")


def test_conll_wrong_number_of_columns(tmp_path):
    write(tmp_path / "c" / "train.txt", b"Marta NNP B-NP B-PER\nQuill NNP I-PER\n")
    with pytest.raises(DataFormatError, match=re.escape(f"{tmp_path / 'c' / 'train.txt'}:2: ") +
                       "expected 4 columns .*found 3"):
        read_conll(tmp_path / "c")


@pytest.mark.parametrize("lines", [b"EU\nrejects B-ORG\n", b"EU B-ORG\nrejects\n"])
def test_conll_line_of_one_column_is_named_as_such(tmp_path, lines):
    write(tmp_path / "c" / "train.txt", lines)
    line = 1 if lines.startswith(b"EU\n") else 2
    with pytest.raises(DataFormatError, match=f"train.txt:{line}: expected a token and its tag "
                       r"\(two or more columns"):
        read_conll(tmp_path / "c")


def test_glue_row_with_an_empty_label(tmp_path):
    write(tmp_path / "g" / "train.tsv", b"sentence\tlabel\ngood\t1\nbad\t\n")
    with pytest.raises(DataFormatError, match=r"train.tsv:3: empty label \(column 'label'\)"):
        read_glue_tsv(tmp_path / "g")


def test_glue_header_after_blank_lines_is_the_header(tmp_path):
    write(tmp_path / "g" / "train.tsv", b"\n\nsentence\tlabel\ngood\t1\n")
    write(tmp_path / "g" / "dev.tsv", b"\nnot a header\tlabel\nok\t1\n")
    with pytest.raises(DataFormatError,
                       match=r"dev.tsv:2: header has no 'sentence' or 'text' column"):
        read_glue_tsv(tmp_path / "g")
    write(tmp_path / "g" / "dev.tsv", b"\nsentence\tlabel\nok\t1\n")
    dataset = read_glue_tsv(tmp_path / "g")
    assert [(e.text, e.label) for e in dataset.splits["train"]] == [("good", "1")]
    assert [(e.text, e.label) for e in dataset.splits["valid"]] == [("ok", "1")]


def test_glue_folder_with_both_dev_and_valid_is_refused(tmp_path):
    for name in ("train.tsv", "dev.tsv", "valid.tsv"):
        write(tmp_path / "g" / name, b"sentence\tlabel\ngood\t1\n")
    with pytest.raises(DataFormatError, match=r"both dev.tsv and valid.tsv"):
        read_glue_tsv(tmp_path / "g")


@pytest.mark.parametrize("word_id", ["X", "", "1-", "1.", "2a"])
def test_conllu_id_that_is_no_index_range_or_empty_node(tmp_path, word_id):
    row = "\t".join([word_id, "Hi", "hi", "INTJ", "UH", "_", "0", "root", "_", "_"])
    write(tmp_path / "u" / "x-ud-train.conllu", f"# text = Hi\n{row}\n".encode())
    with pytest.raises(DataFormatError) as info:
        read_conllu(tmp_path / "u")
    assert str(info.value) == (f"{tmp_path / 'u' / 'x-ud-train.conllu'}:2: invalid ID "
                               f"{word_id!r} in column 1: expected a word index (3), a range "
                               "(3-4) or an empty node (3.1)")


def test_conllu_wrong_number_of_columns(tmp_path):
    write(tmp_path / "u" / "x-ud-train.conllu", b"# text = Hi there\n1\tHi\thi\tINTJ\n")
    with pytest.raises(DataFormatError, match=r"x-ud-train.conllu:2: expected 10 tab-separated"):
        read_conllu(tmp_path / "u")


def test_labelled_tsv_wrong_number_of_columns(tmp_path):
    write(tmp_path / "t" / "train.tsv", b"pos\tfine\nneg no tab here\n")
    with pytest.raises(DataFormatError, match=r"train.tsv:2: expected 2 tab-separated columns"):
        read_labelled_tsv(tmp_path / "t")


def test_glue_row_with_wrong_number_of_columns(tmp_path):
    write(tmp_path / "g" / "train.tsv", b"sentence\tlabel\ngood\t1\nbad\t0\textra\n")
    write(tmp_path / "g" / "dev.tsv", b"sentence\tlabel\nok\t1\n")
    with pytest.raises(DataFormatError, match=r"train.tsv:3: expected 2 tab-separated columns"):
        read_glue_tsv(tmp_path / "g")


def test_pairs_wrong_number_of_columns(tmp_path):
    write(tmp_path / "p.txt", b"Owls fly.\tVuelan.\nOne\tTwo\tThree\tFour\n")
    with pytest.raises(DataFormatError, match=r"p.txt:2: expected 2 or 3 tab-separated columns"):
        read_parallel_pairs(tmp_path / "p.txt")


def test_trec_line_without_label(tmp_path):
    write(tmp_path / "q" / "train.label", b"DESC:def What is a lamp ?\nWhat is a lamp ?\n")
    write(tmp_path / "q" / "test.label", b"DESC:def What is a tower ?\n")
    with pytest.raises(DataFormatError, match=r"train.label:2: expected 'COARSE:fine question'"):
        read_trec(tmp_path / "q")


def test_span_starting_with_inside_tag_is_converted_and_counted(slots):
    write(slots / "valid" / "seq.out",
          b"O I-toloc.city_name O B-arrive_time.time I-arrive_time.time\n"
          b"O B-fromloc.city_name I-depart_date.date_relative\n")
    data = read_slot_filling(slots)
    assert data.splits["valid"][0].tags[1] == "B-toloc.city_name"
    assert data.splits["valid"][1].tags[2] == "B-depart_date.date_relative"
    assert data.report.count("valid", "I- tags converted to B-") == 2
    assert "2 I- tags converted to B-" in data.summary()


def test_span_starting_with_inside_tag_can_be_rejected(slots):
    write(slots / "valid" / "seq.out",
          b"O B-toloc.city_name O B-arrive_time.time I-arrive_time.time\n"
          b"O B-fromloc.city_name I-depart_date.date_relative\n")
    with pytest.raises(DataFormatError) as info:
        read_slot_filling(slots, on_invalid_span_start="reject")
    assert str(info.value).startswith(f"{slots / 'valid' / 'seq.out'}:2: ")
    assert "'I-depart_date.date_relative' at token 3 starts a span" in str(info.value)


def test_conll_rejection_points_at_the_token_line(tmp_path):
    write(tmp_path / "c" / "train.txt", b"-DOCSTART- -X- -X- O\n\nA NNP B-NP B-PER\n\n"
          b"B NNP B-NP O\nC NNP B-NP I-LOC\n")
    for split in ("valid", "test"):
        write(tmp_path / "c" / f"{split}.txt", b"A NNP B-NP B-PER\n")
    with pytest.raises(DataFormatError, match=r"train.txt:6: tag 'I-LOC' at token 2"):
        read_conll(tmp_path / "c", input_scheme="iob2", on_invalid_span_start="reject")


def test_skipped_items_are_counted_not_silently_dropped(slots):
    write(slots / "valid" / "seq.in", b"arrive lima at 5 pm\n\n")
    write(slots / "valid" / "seq.out", b"O B-toloc.city_name O B-arrive_time.time "
          b"I-arrive_time.time\n\n")
    write(slots / "valid" / "label", b"atis_flight\natis_flight\n")
    data = read_slot_filling(slots)
    assert data.report.skipped["valid"] == {"empty utterances": 1}
    assert "skipped 1 empty utterance" in data.summary()


def test_missing_data_folder(tmp_path):
    with pytest.raises(DataFormatError, match="slot-filling data folder not found"):
        read_slot_filling(tmp_path / "nope")


@pytest.mark.parametrize("data_format", ["conll", "slot_filling", "trec"])
def test_a_file_given_for_a_folder_format_is_said_so(tmp_path, data_format):
    from kerasrnn.data import load_dataset

    write_conll(tmp_path / "c", b"A NNP B-NP B-PER\n")
    train = tmp_path / "c" / "train.txt"
    with pytest.raises(DataFormatError) as info:
        load_dataset(data_dir=train, data_format=data_format)
    assert str(info.value) == (f"{train}: a file, not a folder: {data_format} data are a "
                               "folder holding a file per split")


def write_conll(folder, train: bytes):
    """Writes ``train`` and one-sentence valid/test files for `read_conll`."""
    write(folder / "train.txt", train)
    for split in ("valid", "test"):
        write(folder / f"{split}.txt", b"A NNP B-NP B-PER\n")


@pytest.mark.parametrize("tag", ["X-PER", "B-", "I-", "BPER", "b-PER", "B_PER"])
def test_conll_invalid_tag_names_tag_and_line(tmp_path, tag):
    write_conll(tmp_path / "c", b"-DOCSTART- -X- -X- O\n\nA NNP B-NP B-PER\n"
                b"B NNP B-NP " + tag.encode() + b"\n")
    with pytest.raises(DataFormatError) as info:
        read_conll(tmp_path / "c")
    assert str(info.value) == (f"{tmp_path / 'c' / 'train.txt'}:4: invalid tag {tag!r}: "
                               "expected O, B-TYPE or I-TYPE")


@pytest.mark.parametrize("tag", ["S-PER", "E-LOC"])
def test_conll_bioes_input_is_rejected(tmp_path, tag):
    write_conll(tmp_path / "c", b"A NNP B-NP " + tag.encode() + b"\n")
    with pytest.raises(DataFormatError, match=re.escape(
            f"train.txt:1: invalid tag {tag!r}: expected O, B-TYPE or I-TYPE "
            "(BIOES input is not read; use IOB1 or IOB2 files)")):
        read_conll(tmp_path / "c")


def test_conll_entity_type_may_hold_hyphens(tmp_path):
    write_conll(tmp_path / "c", b"Dune NNP B-NP B-creative-work\nMessiah NNP I-NP "
                b"I-creative-work\nsold VBD B-VP O\n")
    data = read_conll(tmp_path / "c", input_scheme="iob2")
    assert data.splits["train"][0].tags == ("B-creative-work", "I-creative-work", "O")


@pytest.mark.parametrize("blank", [b"", b"\t", b"\t \t", b"   ", b" \r"])
def test_conll_white_space_line_ends_a_sentence(tmp_path, blank):
    write_conll(tmp_path / "c", b"A NNP B-NP B-PER\nB NNP I-NP I-PER\n" + blank +
                b"\nC NNP B-NP O\n" + blank + b"\n" + blank + b"\nD NNP B-NP B-LOC\n")
    data = read_conll(tmp_path / "c", input_scheme="iob2")
    assert [e.tokens for e in data.splits["train"]] == [("A", "B"), ("C",), ("D",)]
    assert data.report.count("train", "tokens") == 4


def test_conll_file_without_sentences(tmp_path):
    write_conll(tmp_path / "c", b"-DOCSTART- -X- -X- O\n\n\t\n-DOCSTART- -X- -X- O\n \n")
    with pytest.raises(DataFormatError) as info:
        read_conll(tmp_path / "c")
    assert str(info.value) == (f"{tmp_path / 'c' / 'train.txt'}: no sentences found "
                               "(only blank or -DOCSTART- lines)")


def test_a_nul_character_is_an_error_naming_the_line(tmp_path):
    from kerasrnn.data.text_files import read_lines

    path = tmp_path / "train.txt"
    path.write_bytes(b"Peter NNP B-NP B-PER\nPe\x00ter NNP B-NP B-PER\n")
    with pytest.raises(DataFormatError, match=r"train.txt:2: NUL character \(U\+0000\) at "
                                              r"column 3"):
        read_lines(path)


def test_a_missing_xpos_is_its_own_tag_but_a_missing_upos_an_error(tmp_path):
    from kerasrnn.data.conllu import read_conllu

    words = "1\tHello\thello\tINTJ\tUH\t_\t0\troot\t_\t_\n2\t!\t!\tPUNCT\t_\t_\t1\tpunct\t_\t_\n"
    path = tmp_path / "xx-ud-train.conllu"
    path.write_text(words + "\n", encoding="utf-8")
    data = read_conllu(path, tag="xpos")
    assert data.splits["train"][0].tags == ("UH", "_")
    assert data.report.count("train", "words without an XPOS tag (tagged _)") == 1
    path.write_text(words.replace("PUNCT", "_") + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r":2: word '!' has no UPOS tag"):
        read_conllu(path)
