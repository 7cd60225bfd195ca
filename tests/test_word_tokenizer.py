"""The CoNLL / Penn-Treebank-style word tokenizer: its rules, exact offsets, graphs and serving.

Every token must be ``text[start:end]`` of its input, so the property tests
check that on random mixes of words, punctuation, digits and Unicode white
space, and that the tokens cover every non-space character exactly once.
"""

import os
import random
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from kerasrnn.data.normalization import WHITESPACE
from kerasrnn.data.word_tokenizer import tokenize, tokenize_with_offsets


def words(text):
    return [token for token, _, _ in tokenize(text)]


@pytest.mark.parametrize("text, expected", [
    # Punctuation that is always a token of its own; ",", ":" and "." between digits stay.
    ("Hello, world; really!? (yes) [no] {maybe}",
     ["Hello", ",", "world", ";", "really", "!", "?", "(", "yes", ")", "[", "no", "]",
      "{", "maybe", "}"]),
    ('He said "no".', ["He", "said", '"', "no", '"', "."]),
    ("“Hi,” she said, ‘well’ «oui»",
     ["“", "Hi", ",", "”", "she", "said", ",", "‘", "well", "’", "«", "oui", "»"]),
    ("1,000 people at 10:30 paid 3.5 each",
     ["1,000", "people", "at", "10:30", "paid", "3.5", "each"]),
    ("1,2,3,4,5 and 8:22:00", ["1,2,3,4,5", "and", "8:22:00"]),
    ("a,b 1, 2 ,3 note: time:10", ["a", ",", "b", "1", ",", "2", ",", "3", "note", ":", "time",
                                   ":", "10"]),
    # Periods.
    ("Roosevelt.", ["Roosevelt", "."]),
    ("He met Roosevelt. Then he left.", ["He", "met", "Roosevelt", ".", "Then", "he", "left", "."]),
    ("He went to the U.S.", ["He", "went", "to", "the", "U.S."]),
    ("U.S. and U.N. troops at 9 a.m. today", ["U.S.", "and", "U.N.", "troops", "at", "9", "a.m.",
                                              "today"]),
    ("J. K. Rowling", ["J.", "K.", "Rowling"]),
    ("Mr. Smith of Acme Inc. met Dr. Jones", ["Mr.", "Smith", "of", "Acme", "Inc.", "met", "Dr.",
                                              "Jones"]),
    ("Mr. Dr. Mrs. Smith", ["Mr.", "Dr.", "Mrs.", "Smith"]),
    ("He works for Acme Inc.", ["He", "works", "for", "Acme", "Inc", "."]),
    ('He works for "Acme Inc."', ["He", "works", "for", '"', "Acme", "Inc", ".", '"']),
    ("Ajax vs. PSV on Oct. 5", ["Ajax", "vs.", "PSV", "on", "Oct.", "5"]),
    ("It rose 3.5.", ["It", "rose", "3.5", "."]),
    ("1. Michael Johnson ( U.S. ) 19.66", ["1.", "Michael", "Johnson", "(", "U.S.", ")", "19.66"]),
    ("It was 7. Then 8.", ["It", "was", "7", ".", "Then", "8", "."]),
    ("7.", ["7", "."]),
    ("wait... what.. ok....", ["wait", "...", "what", "..", "ok", "...."]),
    ("f... a...", ["f", "...", "a", "..."]),
    ("so…", ["so", "…"]),
    # Apostrophes and clitics.
    ("Germany's exports", ["Germany", "'s", "exports"]),
    ("don't can't won't DON'T", ["do", "n't", "ca", "n't", "wo", "n't", "DO", "N'T"]),
    ("they're we've you'll I'd I'm GERMANY'S", ["they", "'re", "we", "'ve", "you", "'ll", "I",
                                                "'d", "I", "'m", "GERMANY", "'S"]),
    ("don’t Germany’s", ["do", "n’t", "Germany", "’s"]),
    ("'hello'", ["'", "hello", "'"]),
    ("the players' union", ["the", "players", "'", "union"]),
    ("'Germany's'", ["'", "Germany", "'s", "'"]),
    ("O'Neill likes rock'n'roll at 5 o'clock", ["O'Neill", "likes", "rock'n'roll", "at", "5",
                                                "o'clock"]),
    ("'s n't 're ' 'S", ["'s", "n't", "'re", "'", "'S"]),
    ("the '96 season and the '90s", ["the", "'96", "season", "and", "the", "'90s"]),
    ("''quoted''", ["''", "quoted", "''"]),
    # Hyphens, slashes, currency, percent.
    ("Anglo-Dutch 1996-08-22 and/or", ["Anglo-Dutch", "1996-08-22", "and/or"]),
    ("$5 and 5% and US$ 3 and C$", ["$", "5", "and", "5", "%", "and", "US$", "3", "and", "C$"]),
    ("($5.)", ["(", "$", "5", ".", ")"]),
    ("S&P +0.05 derivatives@reuters.com", ["S&P", "+0.05", "derivatives@reuters.com"]),
    # Exposed edges: splitting one edge exposes the next.
    ("players'. 5%. '$5' end.'", ["players", "'", ".", "5", "%", ".", "'", "$", "5", "'", "end",
                                  ".", "'"]),
    # Unicode: white space of every kind separates, other scripts are words.
    ("fly\u00a0to\u202fBoston\u3000now\u2028ok", ["fly", "to", "Boston", "now", "ok"]),
    ("日本語 😀. Ελλάδα's", ["日本語", "😀", ".", "Ελλάδα", "'s"]),
])
def test_rules(text, expected):
    assert words(text) == expected


def test_offsets_are_code_points():
    text = "😀 Germany's 3.5%."
    assert tokenize(text) == [("😀", 0, 1), ("Germany", 2, 9), ("'s", 9, 11), ("3.5", 12, 15),
                              ("%", 15, 16), (".", 16, 17)]


def test_every_white_space_character_separates():
    assert words("w".join(WHITESPACE)) == ["w"] * (len(WHITESPACE) - 1)
    assert words("a" + WHITESPACE + "b") == ["a", "b"]


@pytest.mark.parametrize("text", ["\x01", "a\x01b c\x01", "U.S.\x01", "x \x01. y", "\x03.\x01'"])
def test_the_internal_marks_in_the_input_are_word_characters(text):
    tokens = tokenize(text)
    assert all(text[start:end] == token for token, start, end in tokens)
    assert "".join(token for token, _, _ in tokens) == "".join(text.split())


PIECES = ["Germany", "don", "t", "'s", "n't", "O'Neill", "U.S.", "Mr", "Inc", "J", "a", "x", "1",
          "2024", "3.5", "10", "000", "é", "日本", "😀", "ΣΊΣΥΦΟΣ", ".", "..", ",", ":", ";", "!",
          "?", '"', "'", "’", "‘", "“", "”", "«", "»", "(", ")", "[", "]", "{", "}", "$", "%",
          "-", "/", "&", "…", "\x01", "\x02", "\x03", "\\", "`"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u202f", "\u3000", "\u2028", "\x1c", "\x85"]


def random_texts(count, seed):
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES + SPACES + SPACES) for _ in range(rng.randint(0, 14)))
            for _ in range(count)]


def rows(tokens, starts, ends):
    """Dense outputs -> one list of (token, start, end) per text, padding dropped."""
    return [[(t.decode("utf-8"), int(s), int(e)) for t, s, e in zip(*row) if s >= 0]
            for row in zip(tokens.numpy(), starts.numpy(), ends.numpy())]


def test_random_texts_get_exact_offsets_and_lose_no_character():
    texts = random_texts(2000, seed=0)
    for text, tokens in zip(texts, rows(*tokenize_with_offsets(texts))):
        assert all(token and text[start:end] == token for token, start, end in tokens), text
        assert all(a[2] <= b[1] for a, b in zip(tokens, tokens[1:])), text  # in order, disjoint
        assert not any(c.isspace() for token, _, _ in tokens for c in token), text
        assert "".join(token for token, _, _ in tokens) == "".join(text.split()), text


def test_tokenising_tokens_again_gives_them_back():
    texts = random_texts(2000, seed=1)
    first = [[token for token, _, _ in row] for row in rows(*tokenize_with_offsets(texts))]
    again = [[token for token, _, _ in row]
             for row in rows(*tokenize_with_offsets([" ".join(row) for row in first]))]
    assert again == first


def test_white_space_only_text_splits_as_str_split():
    rng = random.Random(2)
    texts = ["".join(rng.choice(["ab", "Ωμέγα", "日本", "42"] + SPACES) for _ in range(10))
             for _ in range(200)]
    assert [[t for t, _, _ in row] for row in rows(*tokenize_with_offsets(texts))] == [
        text.split() for text in texts]


def test_batch_of_mixed_lengths_matches_one_by_one():
    texts = ["", "Roosevelt.", "   \u00a0 ", "Mr. Smith's 1,000 $5 (U.S.) bills... don't!", "😀"]
    tokens, starts, ends = tokenize_with_offsets(tf.constant(texts))
    assert tokens.shape == starts.shape == ends.shape == (5, 14)
    assert tokens.dtype == tf.string and starts.dtype == ends.dtype == tf.int32
    assert rows(tokens, starts, ends) == [tokenize(text) for text in texts]
    assert [token.decode() for token in tokens.numpy()[3]] == [
        "Mr.", "Smith", "'s", "1,000", "$", "5", "(", "U.S.", ")", "bills", "...", "do", "n't", "!"]
    np.testing.assert_array_equal(tokens.numpy()[0], [b""] * 14)
    np.testing.assert_array_equal(starts.numpy()[2], [-1] * 14)
    np.testing.assert_array_equal(ends.numpy()[4], [1] + [-1] * 13)


@pytest.mark.parametrize("texts", [[""], ["", "  ", "\u3000\u2028"], []])
def test_empty_texts_still_give_one_column(texts):
    tokens, starts, ends = tokenize_with_offsets(tf.constant(texts, dtype=tf.string))
    assert tokens.shape == (len(texts), 1)
    assert tokens.numpy().tolist() == [[b""]] * len(texts)
    assert starts.numpy().tolist() == ends.numpy().tolist() == [[-1]] * len(texts)


def test_rejects_other_ranks_and_invalid_utf8():
    with pytest.raises(ValueError, match=r"\(batch,\)"):
        tokenize_with_offsets("one string")
    with pytest.raises(ValueError, match=r"\(batch,\)"):
        tokenize_with_offsets([["a"], ["b"]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tokenize_with_offsets([b"ab\xff cd"])


def test_a_long_text_takes_memory_in_step_with_its_length():
    # 25,000 tokens of 110 KB: cutting each token from a copy of the whole text
    # (the old way) allocated 25,000 × 110 KB = 2.75 GB at once.
    script = (
        "import resource, tensorflow as tf\n"
        "from kerasrnn.data.word_tokenizer import tokenize_with_offsets\n"
        "tokenize_with_offsets(['John lives in Paris .'])\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "tokens, _, _ = tokenize_with_offsets(['John lives in Paris . ' * 5000])\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(tokens.shape[1], tokens[0, -2].numpy().decode(), (after - before) // 1024)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    count, last_word, grown_mb = done.stdout.split()
    assert (int(count), last_word) == (25000, "Paris")
    assert int(grown_mb) < 300, f"peak memory grew by {grown_mb} MB"


def test_runs_in_a_graph_and_in_tf_data():
    texts = ["Don't go.", "", "The U.S. rose 5%.", "日本 😀"]
    expected = rows(*tokenize_with_offsets(texts))
    graph = tf.function(tokenize_with_offsets,
                        input_signature=[tf.TensorSpec([None], tf.string)])
    assert rows(*graph(tf.constant(texts))) == expected
    assert rows(*graph(tf.constant(["", ""]))) == [[], []]
    dataset = tf.data.Dataset.from_tensor_slices(texts).batch(2).map(tokenize_with_offsets)
    batches = [rows(*batch) for batch in dataset]
    assert batches[0] + batches[1] == expected


def test_exported_savedmodel_runs_without_kerasrnn(tmp_path):
    class Tokenizer(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def __call__(self, text):
            return tokenize_with_offsets(text)

    tf.saved_model.save(Tokenizer(), str(tmp_path))
    script = (
        "import sys\n"
        "sys.modules['kerasrnn'] = None  # any import of kerasrnn now fails\n"
        "import tensorflow as tf\n"
        "tokenizer = tf.saved_model.load(sys.argv[1])\n"
        "tokens, starts, ends = tokenizer(tf.constant([\"Germany's 5%.\"]))\n"
        "print(b' '.join(tokens.numpy()[0]).decode(), starts.numpy()[0].tolist())\n")
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "Germany 's 5 % . [0, 7, 10, 11, 12]"


def read_conll_sentences(path):
    """Token lists of a CoNLL file: first column, blank-line separated, -DOCSTART- skipped."""
    sentences, sentence = [], []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            columns = line.split()
            if not columns:
                if sentence:
                    sentences.append(sentence)
                sentence = []
            elif columns[0] != "-DOCSTART-":
                sentence.append(columns[0])
    return sentences + [sentence] if sentence else sentences


@pytest.mark.realdata
def test_conll2003_tokens_come_back_unchanged():
    root = os.environ.get("KERASRNN_DATA")
    path = os.path.join(root or "", "conll2003", "train.txt")
    if not root or not os.path.isfile(path):
        pytest.skip("needs KERASRNN_DATA with conll2003/train.txt")
    sentences = read_conll_sentences(path)
    same = 0
    for begin in range(0, len(sentences), 4096):
        batch = sentences[begin:begin + 4096]
        tokens, _, _ = tokenize_with_offsets([" ".join(sentence) for sentence in batch])
        for sentence, row in zip(batch, tokens.numpy()):
            same += [token.decode("utf-8") for token in row if token] == sentence
    rate = same / len(sentences)
    print(f"CoNLL-2003 train: {same} of {len(sentences)} sentences round-trip ({rate:.2%})")
    assert len(sentences) == 14041
    assert rate >= 0.995
