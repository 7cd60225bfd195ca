"""word_features: casing classes, lookup keys, vocabularies and the WordFeatures ids."""

import numpy as np
import tensorflow as tf

from kerasrnn.data.word_features import (
    CASING_CLASSES,
    MAX_CHARS,
    MAX_TRIGRAMS,
    WordFeatures,
    build_word_vocabularies,
    casing_ids,
    word_key,
)

CASINGS = [
    ("Apple", "initial_upper"), ("apple", "lower"), ("APPLE", "upper"), ("A", "upper"),
    ("a", "lower"), ("1996", "numeric"), ("3.5", "mainly_numeric"), ("1,000", "mainly_numeric"),
    ("12a", "mainly_numeric"), ("a1", "contains_digit"), ("B52s", "contains_digit"),
    ("iPhone", "mixed"), ("McDonald", "mixed"), (",", "punctuation"), ("--", "punctuation"),
    ("$", "punctuation"), ("U.S.", "other"), ("well-known", "other"), ("", "[PAD]"),
    ("Émile", "initial_upper"), ("ÉCOLE", "upper"), ("école", "lower"), ("Ελλάδα", "initial_upper"),
]


def _strings(tensor):
    return [[s.decode("utf-8") for s in row] for row in tensor.numpy()]


def test_casing_classes_of_a_table_of_words():
    words = [w for w, _ in CASINGS]
    got = casing_ids(tf.constant(words)).numpy()
    assert got.dtype == np.int32
    assert [CASING_CLASSES[i] for i in got] == [c for _, c in CASINGS]
    assert casing_ids(tf.constant([[""], ["x"]])).numpy().tolist() == [[0], [4]]  # any shape
    assert CASING_CLASSES[0] == "[PAD]"


def test_word_key_lower_cases_and_maps_digits_to_zero():
    keys = word_key(tf.constant(["Apple", "1996", "B52s", "ÉCOLE", ""]))
    assert [k.decode("utf-8") for k in keys.numpy()] == ["apple", "0000", "b00s", "école", ""]
    kept = word_key(["Apple", "1996"], lowercase=False)
    assert [k.decode() for k in kept.numpy()] == ["Apple", "0000"]


def test_build_word_vocabularies():
    sentences = [["The", "cat", "1996"], ["the", "Cat", "2001", "sat"]]
    vocab = build_word_vocabularies(sentences)
    assert vocab["words"] == ["0000", "cat", "the", "sat"]  # by count, ties alphabetical
    # characters as written (case kept): t×4 (3 lowercase + "sat"), a×3, …
    assert vocab["chars"] == ["t", "a", "0", "1", "9", "e", "h", "2", "6", "C", "T", "c", "s"]
    assert build_word_vocabularies(sentences, min_count=2)["words"] == ["0000", "cat", "the"]
    cased = build_word_vocabularies(sentences, lowercase=False)["words"]
    assert cased == ["0000", "Cat", "The", "cat", "sat", "the"]
    assert build_word_vocabularies([]) == {"words": [], "chars": []}


def _features(**kwargs):
    vocab = build_word_vocabularies([["The", "cat", "sat", "1996"]])
    return vocab, WordFeatures(vocab, **kwargs)


def test_ids_keys_shapes_and_dtypes():
    vocab, features = _features(trigram_bins=64)
    long = "Supercalifragilisticexpialidocious"  # 34 characters
    tokens = tf.constant([["The", "CAT", "2001", "dog", ""], [long, "sat", "", "", ""]])
    out = features(tokens)
    assert set(out) == {"words", "casing", "chars", "trigrams"}
    for value in out.values():
        assert value.dtype == tf.int32
    assert out["words"].shape == (2, 5) and out["casing"].shape == (2, 5)
    assert out["chars"].shape == (2, 5, MAX_CHARS)
    assert out["trigrams"].shape == (2, 5, MAX_TRIGRAMS)

    word_id = {w: i + 2 for i, w in enumerate(vocab["words"])}
    assert out["words"].numpy().tolist() == [
        [word_id["the"], word_id["cat"], word_id["0000"], 1, 0], [1, word_id["sat"], 0, 0, 0]]
    names = [[CASING_CLASSES[i] for i in row] for row in out["casing"].numpy()]
    assert names[0] == ["initial_upper", "upper", "numeric", "lower", "[PAD]"]

    char_id = {c: i + 2 for i, c in enumerate(vocab["chars"])}
    chars = out["chars"].numpy()
    assert chars[0, 0].tolist() == [char_id["T"], char_id["h"], char_id["e"]] + [0] * 21
    assert chars[0, 1, :4].tolist() == [1, 1, char_id["T"], 0]  # "C", "A" unseen: case kept
    assert chars[0, 2, :5].tolist() == [1, 1, 1, char_id["1"], 0]  # "2", "0" unseen
    assert not chars[0, 4].any() and not chars[1, 2:].any()  # padding words
    # truncated to the first MAX_CHARS characters
    expected = [char_id.get(c, 1) for c in long[:MAX_CHARS]]
    assert chars[1, 0].tolist() == expected
    trigrams = out["trigrams"].numpy()
    assert not trigrams[0, 4].any() and trigrams[0, 0, 0] != 0


def test_short_words_still_get_max_chars_columns_and_options_drop_keys():
    _, features = _features()
    out = features(tf.constant([["a", ""], ["", ""]]))
    assert set(out) == {"words", "casing", "chars"}
    assert out["chars"].shape == (2, 2, MAX_CHARS)
    assert features(tf.constant([["", ""]]))["chars"].shape == (1, 2, MAX_CHARS)  # no character
    _, plain = _features(casing=False, chars=False)
    assert set(plain(tf.constant([["The"]]))) == {"words"}


def test_non_ascii_characters_are_single_ids():
    vocab = build_word_vocabularies([["Émile", "東京"]])
    out = WordFeatures(vocab)(tf.constant([["Émile", "東京", "Zoë"]]))
    char_id = {c: i + 2 for i, c in enumerate(vocab["chars"])}
    chars = out["chars"].numpy()[0]
    assert chars[0, :6].tolist() == [char_id[c] for c in "Émile"] + [0]
    assert chars[1, :3].tolist() == [char_id["東"], char_id["京"], 0]
    assert chars[2, :4].tolist() == [1, 1, 1, 0]  # Z, o, ë unseen: one id each
    assert [CASING_CLASSES[i] for i in out["casing"].numpy()[0]] == [
        "initial_upper", "mixed", "initial_upper"]  # CJK letters are neither case


def test_runs_in_dataset_map_and_in_a_tf_function():
    _, features = _features(trigram_bins=64)
    tokens = tf.constant([["The", "cat", ""], ["sat", "", ""], ["Émile", "1996", "x"]])
    eager = features(tokens)
    dataset = tf.data.Dataset.from_tensor_slices(tokens).batch(3).map(features)
    mapped = next(iter(dataset))
    serve = tf.function(features, input_signature=[tf.TensorSpec([None, None], tf.string)])
    traced = serve(tokens)
    for key, value in eager.items():
        np.testing.assert_array_equal(mapped[key].numpy(), value.numpy())
        np.testing.assert_array_equal(traced[key].numpy(), value.numpy())
    other = serve(tf.constant([["a"]]))  # another shape, same trace
    assert other["chars"].shape == (1, 1, MAX_CHARS)
    assert serve.experimental_get_tracing_count() == 1
