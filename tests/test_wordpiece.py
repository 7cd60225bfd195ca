"""kerasrnn.data.wordpiece: the vocabulary learned, and the split checked against HuggingFace's
WordPiece model (the reference implementation of the greedy longest-match-first rule)."""

import json
import os
import pathlib
import subprocess
import sys

import pytest
import tensorflow as tf
from tokenizers import models

from kerasrnn.data import wordpiece

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Spanish-like words: shared stems and endings, so merges have something to find.
STEMS = ["habl", "cant", "bail", "camin", "trabaj", "estudi", "pregunt", "llam", "mir", "escuch"]
ENDINGS = ["o", "as", "a", "amos", "áis", "an", "é", "aste", "ó", "aron", "ando", "ado", "ar"]
SENTENCES = [[stem + ending for ending in ENDINGS] + ["el", "la", "y", "de"] for stem in STEMS]


@pytest.fixture(scope="module")
def vocabulary():
    return wordpiece.learn_wordpiece(SENTENCES * 3, size=60, min_count=2)


def hf_split(vocabulary, word):
    model = models.WordPiece({p: i for i, p in enumerate(["[UNK]", *vocabulary])},
                             unk_token="[UNK]", max_input_chars_per_word=wordpiece.MAX_WORD_CHARS)
    return [token.value for token in model.tokenize(word)]


def split(vocabulary, rows):
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
        tf.constant(vocabulary), tf.ones(len(vocabulary), tf.bool)), False)
    out = wordpiece.split_words(tf.constant(rows), table.lookup,
                                wordpiece.max_piece_chars(vocabulary))
    return [[p.decode("utf-8") for p in row if p] for row in out.numpy()]


def test_the_vocabulary_has_every_character_pieces_that_continue_words_and_its_size(vocabulary):
    assert len(vocabulary) == len(set(vocabulary)) == 60
    assert {"h", "b", "á", "é", "ó"} <= set(vocabulary)  # every character of the words
    assert any(p.startswith("##") for p in vocabulary)
    assert "[UNK]" not in vocabulary and "" not in vocabulary


def test_pieces_are_ordered_by_how_often_the_split_uses_them(vocabulary):
    uses = {}
    for row in split(vocabulary, [[w] for sentence in SENTENCES for w in sentence]):
        for piece in row:
            uses[piece] = uses.get(piece, 0) + 1
    counts = [uses.get(p, 0) for p in vocabulary]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > counts[-1]


def test_the_split_is_huggingfaces_wordpiece_on_seen_unseen_and_unsplittable_words(vocabulary):
    words = sorted({w for sentence in SENTENCES for w in sentence}) + [
        "hablaste", "caminaremos", "mirando", "escuchábamos",  # new forms of known stems
        "x", "habló!", "日本", "", "a" * 101, "a" * 100, "##", "el"]
    ours = split(vocabulary, [[w] for w in words])
    # HuggingFace's split of the word with its leading "#" escaped (ours; see below)
    expected = [hf_split(vocabulary, wordpiece._escaped(w)) if w else [] for w in words]
    assert ours == expected
    assert ours[words.index("x")] == ["[UNK]"]  # a character no piece has
    assert ours[words.index("a" * 101)] == ["[UNK]"]  # longer than MAX_WORD_CHARS


def test_rows_keep_their_words_in_order_and_padding_gives_nothing(vocabulary):
    rows = [["hablamos", "y", "cantamos", ""], ["", "", "", ""], ["mirado", "", "", ""]]
    out = split(vocabulary, rows)
    assert out[0] == (hf_split(vocabulary, "hablamos") + ["y"]
                      + hf_split(vocabulary, "cantamos"))
    assert out[1] == []
    assert out[2] == hf_split(vocabulary, "mirado")
    assert split(vocabulary, [[""]]) == [[]]
    assert split(vocabulary, tf.zeros([0, 2], tf.string)) == []


def test_joining_the_pieces_gives_the_words_back(vocabulary):
    words = ["hablaste", "y", "escuchábamos", "el"]
    pieces = split(vocabulary, [words])[0]
    assert len(pieces) > len(words)
    joined = wordpiece.join_pieces(tf.constant([" ".join(pieces)])).numpy()[0].decode()
    assert joined == " ".join(words)


def test_the_split_runs_in_a_graph_with_unknown_shapes(vocabulary):
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
        tf.constant(vocabulary), tf.ones(len(vocabulary), tf.bool)), False)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.string)])
    def pieces(words):
        return wordpiece.split_words(words, table.lookup, wordpiece.max_piece_chars(vocabulary))

    assert pieces(tf.constant([["hablo", "el"]])).shape[0] == 1
    assert pieces(tf.constant([["x"], ["mirando"], [""]])).shape[0] == 3


def test_learning_is_the_same_in_another_process():
    script = ("import json; from kerasrnn.data import wordpiece; from tests.test_wordpiece import "
              "SENTENCES; print(json.dumps(wordpiece.learn_wordpiece(SENTENCES * 3, 60)))")
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}, cwd=ROOT,
                           timeout=120) for seed in (1, 2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr[-2000:]
    first, second = (json.loads(r.stdout.strip().splitlines()[-1]) for r in runs)
    assert first == second


@pytest.mark.parametrize("size,min_count", [(0, 2), (10, 0)])
def test_learning_refuses_a_size_or_min_count_below_one(size, min_count):
    with pytest.raises(ValueError, match="at least 1"):
        wordpiece.learn_wordpiece(SENTENCES, size, min_count)


def test_a_word_of_its_own_that_starts_with_hashes_is_not_read_as_a_continuation():
    sentences = [["Use", "C##", "and", "##now", "#tag", "now", "tag"]] * 5
    vocabulary = wordpiece.learn_wordpiece(sentences, size=40, min_count=1)
    pieces = split(vocabulary, [["##now", "C##", "#tag", "now"]])[0]
    # the first piece of "##now" is not a "##" piece, which would join "C##"
    starts = [i for i, p in enumerate(pieces) if not p.startswith("##")]
    assert len(starts) == 4
    joined = wordpiece.join_pieces(tf.constant([" ".join(pieces)])).numpy()[0].decode()
    assert joined == "##now C## #tag now"
