"""Training and serving tokenise the same string into the same tokens.

Training reads tagged files with Python's ``str.split()`` and normalises each
token (`normalize_token_lists`); serving gets raw text (`tokenize`,
`tokenize_words`, `TextNormalization`). Both must agree on every string,
including Unicode white space that TensorFlow's own string ops do not know.
"""

import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasrnn.data.normalization import (
    PUNCTUATION_MODES,
    WHITESPACE,
    WHITESPACE_CLASS,
    TextNormalization,
    normalize_text,
    normalize_words,
    split_words,
    tokenize,
    tokenize_words,
)
from kerasrnn.data.pipelines import normalize_token_lists, tokenize_sentences
from kerasrnn.data.slot_filling import read_slot_filling

DIGIT = "DIGIT"

AWKWARD = [
    "fly\u00a0to boston",
    "fly\u2009to boston",
    "fly\u3000to boston",
    "fly\u202fto boston",
    "fly\u2028to boston",
    "fly\x85to boston",
    "fly\x1cto boston",
    "fly\tto\tboston",
    "fly to\r\nboston\r\n",
    "fly\x0bto\x0cboston",
    "  fly   to  boston  ",
    "\u00a0\u3000fly to boston\u2029\u205f",
    "every" + WHITESPACE + "separator",
    "w".join(WHITESPACE),
    "I want to fly from Boston, tomorrow?",
    "st. louis to denver.",
    "st. louis to denver .",
    "to denver.\u00a0",
    "(boston)",
    " , ",
    ",",
    "? ! ...",
    "wait...",
    "boston.) and \"denver\".",
    "[from] {boston} to: denver; now!",
    "boston,denver",
    "ÉCOLE İstanbul ΣΊΣΥΦΟΣ straße",
    "ΟΔΟΣ\u00a0ΣΟΦΟΚΛΕΟΥΣ",
    "flight 123 at 5:30pm",
    "0123456789",
    "at 7 o'clock",
    "i'd like a.m. flights at 5 a.m.",
    "fly 🛫 to boston 👍!",
    "family 👨\u200d👩\u200d👧 trip",
    "",
    " ",
    "   \t  ",
    "\ufeffbom",
    "zero\u200bwidth is not a space",
]


def as_text(rows):
    return [[token.decode("utf-8") for token in row] for row in rows]


def unpadded(dense):
    return [[token.decode("utf-8") for token in row if token] for row in dense.numpy()]


def training_tokens(line, punctuation):
    """The training path: the reader's ``str.split()``, then per-token normalisation."""
    return normalize_token_lists([line.split()], punctuation=punctuation, digit_token=DIGIT)[0]


def test_whitespace_is_pythons():
    expected = ([*range(0x09, 0x0E), *range(0x1C, 0x20), 0x20, 0x85, 0xA0, 0x1680,
                 *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
    assert sorted(map(ord, WHITESPACE)) == expected
    assert set(WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    matched = tf.strings.regex_full_match(list(WHITESPACE), WHITESPACE_CLASS).numpy()
    assert matched.all()
    others = ["a", "\ufeff", "\u200b", "\u180e", "\x00", "_", "\u00ad", "\U0001f600"]
    assert not tf.strings.regex_full_match(others, WHITESPACE_CLASS).numpy().any()


@pytest.mark.parametrize("line", AWKWARD)
def test_split_words_is_str_split(line):
    assert as_text(split_words([line]).to_list()) == [line.split()]


@pytest.mark.parametrize("line", AWKWARD)
def test_training_and_serving_give_the_same_tokens(line):
    # (a) the reader's split + normalize_token_lists == tokenize_words == tokenize, on raw text
    expected = training_tokens(line, "strip")
    options = {"punctuation": "strip", "digit_token": DIGIT}
    assert as_text(tokenize_words([line], **options).to_list()) == [expected]
    assert unpadded(tokenize([line], **options)) == [expected]
    assert tokenize_sentences([line], **options) == [expected]
    # "keep": whole-text normalisation then split equals per-token normalisation.
    assert unpadded(tokenize([line], punctuation="keep", digit_token=DIGIT)) == [
        training_tokens(line, "keep")]


@pytest.mark.parametrize("punctuation", ["strip", "keep"])
@pytest.mark.parametrize("line", AWKWARD)
def test_no_token_vanishes_or_appears(line, punctuation):
    # (b) the serving path keeps exactly the reader's token count
    tokens = tokenize([line], punctuation=punctuation, digit_token=DIGIT)
    assert len(unpadded(tokens)[0]) == len(line.split())
    assert tokens.shape[1] == len(line.split())  # and no empty token inside the row


def test_a_batch_tokenises_each_row_as_alone():
    options = {"punctuation": "strip", "digit_token": DIGIT}
    expected = normalize_token_lists([line.split() for line in AWKWARD], **options)
    assert as_text(tokenize_words(AWKWARD, **options).to_list()) == expected
    assert unpadded(tokenize(AWKWARD, **options)) == expected


@pytest.mark.parametrize("punctuation", PUNCTUATION_MODES)
def test_layer_equals_tokenize(punctuation):
    # (c) the model's layer gives what the functions give
    options = {"punctuation": punctuation, "digit_token": DIGIT}
    layer = TextNormalization(**options)
    expected = tokenize(AWKWARD, **options)
    np.testing.assert_array_equal(layer(tf.constant(AWKWARD)).numpy(), expected.numpy())
    text = TextNormalization(output_mode="text", **options)(tf.constant(AWKWARD))
    np.testing.assert_array_equal(text.numpy(), normalize_text(AWKWARD, **options).numpy())
    assert unpadded(expected) == [line.split(" ") if line else []
                                  for line in as_text([text.numpy()])[0]]


def test_exact_tokens():
    def strip(text):
        return unpadded(tokenize([text], punctuation="strip"))[0]

    assert strip("fly\u00a0to boston") == ["fly", "to", "boston"]
    assert strip("I want to fly from Boston, tomorrow?") == [
        "i", "want", "to", "fly", "from", "boston", "tomorrow"]
    assert strip("st. louis to denver.") == ["st.", "louis", "to", "denver"]
    assert strip(",") == [","]
    assert strip("so , what ?") == ["so", ",", "what", "?"]
    assert strip("wait ...") == ["wait", "..."]
    assert strip("at 7 o'clock, boston,denver a.m.") == [
        "at", "7", "o'clock", "boston,denver", "a.m"]
    assert strip("(boston) \"denver\".") == ["boston", "denver"]
    assert unpadded(tokenize(["fly\u3000to boston"], punctuation="drop")) == [
        ["fly", "to", "boston"]]
    assert unpadded(tokenize(["Fly\u00a0to Boston,\u2009please.\u3000"])) == [
        ["fly", "to", "boston", ",", "please", "."]]
    assert normalize_text("  Fly\u00a0\u00a0to\x85Boston.\u2028", punctuation="drop").numpy() == (
        b"fly to boston")


def test_normalize_words_rows_and_edge_cases():
    words = tf.ragged.constant([["Boston.", "St.", "Louis."], [], ["?"], ["Flight", "12."]])
    assert as_text(normalize_words(words, digit_token=DIGIT).to_list()) == [
        ["boston.", "st.", "louis"], [], ["?"], ["flight", "DIGITDIGIT"]]
    assert normalize_words(words, punctuation="keep").to_list()[0] == [b"boston.", b"st.",
                                                                       b"louis."]
    empty_rows = tf.RaggedTensor.from_row_lengths(tf.zeros([0], tf.string),
                                                  tf.constant([0, 0], tf.int64))
    assert normalize_words(empty_rows).to_list() == [[], []]
    empty_batch = tf.RaggedTensor.from_row_lengths(tf.zeros([0], tf.string),
                                                   tf.zeros([0], tf.int64))
    assert normalize_words(empty_batch).to_list() == []
    assert normalize_token_lists([]) == []
    assert normalize_token_lists([[], []], punctuation="strip") == [[], []]
    # A padded batch (as tf.data gives) keeps its shape; the last real word is the last one.
    dense = normalize_words(tf.constant([["To", "Boston.", ""], ["a", "b.", "c."]]))
    assert dense.numpy().tolist() == [[b"to", b"boston", b""], [b"a", b"b.", b"c"]]
    with pytest.raises(ValueError, match="punctuation must be one of"):
        normalize_words(words, punctuation="split")
    with pytest.raises(ValueError, match="punctuation must be one of"):
        tokenize(["a"], punctuation="remove")


def test_strip_works_inside_tf_data():
    dataset = tf.data.Dataset.from_tensor_slices(["Fly\u00a0to Boston.", ""]).map(
        lambda text: normalize_text(text, punctuation="strip"))
    assert list(dataset.as_numpy_iterator()) == [b"fly to boston", b""]


def test_slot_filling_file_and_raw_text_agree(tmp_path):
    lines = ["fly\u00a0to boston", "st. louis\u3000to denver.", "from Boston,\u2009tomorrow?"]
    for split in ("train", "valid", "test"):
        folder = tmp_path / split
        folder.mkdir()
        (folder / "seq.in").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (folder / "seq.out").write_text(
            "\n".join(" ".join("O" for _ in line.split()) for line in lines) + "\n",
            encoding="utf-8")
        (folder / "label").write_text("flight\n" * len(lines), encoding="utf-8")
    examples = read_slot_filling(tmp_path).splits["train"]
    assert [len(e.tokens) for e in examples] == [3, 4, 3]
    trained = normalize_token_lists([e.tokens for e in examples], punctuation="strip")
    assert unpadded(tokenize(lines, punctuation="strip")) == trained
    assert trained[2] == ["from", "boston", "tomorrow"]


def test_strip_layer_survives_export(tmp_path):
    inputs = keras.Input(shape=(), dtype="string")
    model = keras.Model(inputs, TextNormalization(punctuation="strip", digit_token=DIGIT)(inputs))
    model.export(str(tmp_path / "exported"), format="tf_saved_model", verbose=False)
    served = tf.saved_model.load(str(tmp_path / "exported"))
    raw = tf.constant(["Fly\u00a0to Boston, at 5pm?", "st. louis"])
    assert unpadded(served.serve(raw)) == [["fly", "to", "boston", "at", "DIGITpm"],
                                           ["st.", "louis"]]
