"""read_embeddings: GloVe and word2vec text files as an embedding matrix for make_lookup ids."""

import gzip
import math
import re

import numpy as np
import pytest

from kerasrnn.data import DataFormatError
from kerasrnn.data.embeddings import EmbeddingMatrix, read_embeddings

GLOVE = (b"the 0.1 0.2 0.3\n"
         b"cat -1 0.5 2.5\n"
         b"dog 1e-2 -0.25 4\n"
         b"zebra 9 9 9\n")
THE, CAT, DOG = [0.1, 0.2, 0.3], [-1, 0.5, 2.5], [1e-2, -0.25, 4]


def write(path, data: bytes):
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def random_rows(rows, dim, seed=0, dtype="float32"):
    """The reference initialisation: uniform(-sqrt(3/dim), sqrt(3/dim)) for every row."""
    scale = math.sqrt(3 / dim)
    return np.random.default_rng(seed).uniform(-scale, scale, (rows, dim)).astype(dtype)


def test_rows_follow_make_lookup_ids(tmp_path):
    path = write(tmp_path / "glove.txt", GLOVE)
    vectors = read_embeddings(path, ["the", "cat", "Dog", "unicorn"])
    assert isinstance(vectors, EmbeddingMatrix)
    assert vectors.matrix.shape == (6, 3) and vectors.matrix.dtype == np.float32
    assert (vectors.found, vectors.found_lowercase, vectors.missing, vectors.dim) == (3, 1, 1, 3)
    np.testing.assert_array_equal(vectors.matrix[0], np.zeros(3))  # padding
    np.testing.assert_array_equal(vectors.matrix[2:5], np.float32([THE, CAT, DOG]))
    expected = random_rows(6, 3)
    np.testing.assert_array_equal(vectors.matrix[[1, 5]], expected[[1, 5]])  # [UNK], unicorn
    assert np.abs(vectors.matrix[[1, 5]]).max() <= math.sqrt(3 / 3)
    assert vectors.summary() == (
        "vectors for 3 of 4 words (1 by their lower-case form); 1 start random")


def test_summary_groups_thousands():
    vectors = EmbeddingMatrix(np.zeros((21011, 2)), 18523, 230, 2486, 2)
    assert vectors.summary() == ("vectors for 18,523 of 21,009 words (230 by their "
                                 "lower-case form); 2,486 start random")


def test_without_lowercase_fallback_cased_words_start_random(tmp_path):
    path = write(tmp_path / "glove.txt", GLOVE)
    vectors = read_embeddings(path, ["Dog", "dog"], lowercase_fallback=False)
    assert (vectors.found, vectors.found_lowercase, vectors.missing) == (1, 0, 1)
    np.testing.assert_array_equal(vectors.matrix[2], random_rows(4, 3)[2])
    np.testing.assert_array_equal(vectors.matrix[3], np.float32(DOG))


def test_exact_form_wins_over_lower_case(tmp_path):
    path = write(tmp_path / "cased.txt", b"apple 1 1\nApple 2 2\n")
    vectors = read_embeddings(path, ["Apple", "apple", "APPLE"])
    np.testing.assert_array_equal(vectors.matrix[2:], [[2, 2], [1, 1], [1, 1]])
    assert (vectors.found, vectors.found_lowercase) == (3, 1)


def test_seed_decides_the_random_rows(tmp_path):
    path = write(tmp_path / "glove.txt", GLOVE)
    first = read_embeddings(path, ["a", "b"], seed=7).matrix
    np.testing.assert_array_equal(first, read_embeddings(path, ["a", "b"], seed=7).matrix)
    np.testing.assert_array_equal(first[1:], random_rows(4, 3, seed=7)[1:])
    assert not np.array_equal(first, read_embeddings(path, ["a", "b"], seed=8).matrix)


def test_word2vec_header_is_detected(tmp_path):
    glove = read_embeddings(write(tmp_path / "g.txt", GLOVE), ["cat", "dog"])
    word2vec = read_embeddings(write(tmp_path / "w.txt", b"4 3\n" + GLOVE), ["cat", "dog"])
    np.testing.assert_array_equal(word2vec.matrix, glove.matrix)
    assert word2vec.dim == 3


def test_word2vec_header_dim_must_match(tmp_path):
    path = write(tmp_path / "w.txt", b"4 300\n" + GLOVE)
    with pytest.raises(DataFormatError) as info:
        read_embeddings(path, ["cat"])
    assert str(info.value) == (
        f"{path}:1: the word2vec header says 300 values per vector, but line 2 holds 3")


def test_word2vec_header_count_must_match(tmp_path):
    path = write(tmp_path / "w.txt", b"400000 3\n" + GLOVE)
    with pytest.raises(DataFormatError, match=re.escape(
            f"{path}:1: the word2vec header says 400,000 vectors, but the file holds 4")):
        read_embeddings(path, ["cat"])


def test_gzip_file(tmp_path):
    path = write(tmp_path / "glove.txt.gz", gzip.compress(b"\xef\xbb\xbf" + GLOVE))
    vectors = read_embeddings(path, ["the", "dog"])
    np.testing.assert_array_equal(vectors.matrix[2:], np.float32([THE, DOG]))


def test_truncated_gzip_file(tmp_path):
    path = write(tmp_path / "glove.txt.gz", gzip.compress(GLOVE * 50)[:-30])
    with pytest.raises(DataFormatError, match=re.escape(f"{path}:") + r"\d+: damaged gzip data"):
        read_embeddings(path, ["the"])


def test_word_with_spaces_takes_the_leading_fields(tmp_path):
    path = write(tmp_path / "840b.txt", b"the 1 2\nNew York 3 4\n. . . 5 6\n")
    vectors = read_embeddings(path, ["New York", ". . .", "New"])
    np.testing.assert_array_equal(vectors.matrix[2:4], [[3, 4], [5, 6]])
    assert vectors.missing == 1


def test_line_ends_trailing_spaces_and_blank_lines(tmp_path):
    # word2vec's C tool writes a space before each newline; Windows tools write CRLF.
    path = write(tmp_path / "w.txt", b"2 2\r\ncat 1 2 \r\n\r\ndog 3 4 \r\n")
    vectors = read_embeddings(path, ["dog", "cat"], dtype="float64")
    assert vectors.matrix.dtype == np.float64
    np.testing.assert_array_equal(vectors.matrix[2:], [[3, 4], [1, 2]])


def test_first_of_repeated_words_is_kept(tmp_path):
    path = write(tmp_path / "g.txt", b"cat 1 2\ncat 3 4\n")
    np.testing.assert_array_equal(read_embeddings(path, ["cat"]).matrix[2], [1, 2])


@pytest.mark.parametrize("content", [b"", b"\n \n"])
def test_empty_file(tmp_path, content):
    path = write(tmp_path / "g.txt", content)
    with pytest.raises(DataFormatError, match=re.escape(f"{path}: the file is empty")):
        read_embeddings(path, ["cat"])


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match=re.escape(f"{tmp_path / 'no.txt'}: file not found")):
        read_embeddings(tmp_path / "no.txt", ["cat"])


def test_invalid_utf8_names_the_line(tmp_path):
    path = write(tmp_path / "g.txt", b"the 1 2\ncat 1 2\ncaf\xe9 3 4\n")
    with pytest.raises(DataFormatError) as info:
        read_embeddings(path, ["cat"])
    assert str(info.value) == f"{path}:3: not valid UTF-8 at byte offset 3 of the line (byte 0xe9)"


def test_too_few_values(tmp_path):
    path = write(tmp_path / "g.txt", b"the 1 2 3\ncat 1 2 3\ndog 1 2\n")
    with pytest.raises(DataFormatError) as info:
        read_embeddings(path, ["cat"])
    assert str(info.value) == f"{path}:3: expected 3 values (as on line 1), found 2"


@pytest.mark.parametrize("value, dtype", [
    ("abc", "float32"), ("nan", "float32"), ("-inf", "float64"), ("", "float32"),
    ("1e40", "float32")])  # 1e40 overflows float32
def test_value_that_is_not_a_finite_number(tmp_path, value, dtype):
    path = write(tmp_path / "g.txt", b"the 1 2 3\ncat 1 " + value.encode() + b" 3\n")
    with pytest.raises(DataFormatError) as info:
        read_embeddings(path, ["cat"], dtype=dtype)
    assert str(info.value) == (
        f"{path}:2: value 2 of 'cat', {value!r}, is not a finite {dtype} number")


def test_values_of_words_not_kept_are_not_parsed(tmp_path):
    path = write(tmp_path / "g.txt", b"the 1 nan 3\ncat 1 2 3\n")
    assert read_embeddings(path, ["cat"]).found == 1


def test_one_field_per_line(tmp_path):
    path = write(tmp_path / "g.txt", b"the\tcat\n")
    with pytest.raises(DataFormatError, match=r"g.txt:1: expected 'word v1 v2 ... vd' separated"):
        read_embeddings(path, ["cat"])


@pytest.mark.parametrize("vocabulary, problem", [
    (["", "[UNK]", "cat"], "padding token"), (["cat", "[UNK]"], "padding token"),
    (["cat", "dog", "cat"], "holds a word more than once, e.g. 'cat'"),
    (["cat", "dog", "cat", "dog"], "holds 2 words more than once, e.g. 'cat'")])
def test_vocabulary_must_be_the_words_only(tmp_path, vocabulary, problem):
    path = write(tmp_path / "g.txt", GLOVE)
    with pytest.raises(ValueError, match=re.escape(problem)):
        read_embeddings(path, vocabulary)


def test_matrix_initialises_an_embedding_over_lookup_ids(tmp_path):
    import keras

    from kerasrnn.data.vocabulary import make_lookup

    vocabulary = ["the", "cat", "unicorn"]
    vectors = read_embeddings(write(tmp_path / "g.txt", GLOVE), vocabulary)
    embedding = keras.layers.Embedding(*vectors.matrix.shape, mask_zero=True,
                                       weights=[vectors.matrix])
    ids = make_lookup(vocabulary)(np.array([["cat", "the", "wolf", ""]]))
    rows = keras.ops.convert_to_numpy(embedding(ids))[0]
    np.testing.assert_array_equal(rows, vectors.matrix[[3, 2, 1, 0]])
    np.testing.assert_array_equal(rows[:2], np.float32([CAT, THE]))
