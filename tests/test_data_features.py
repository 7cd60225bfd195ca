"""Text normalisation, vocabularies (StringLookup) and the letter-trigram layers."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasrnn.data import (
    LetterTrigramEmbedding,
    LetterTrigramHashing,
    TextNormalization,
    build_vocabulary,
    letter_trigrams,
    load_vocabulary,
    make_char_lookup,
    make_label_lookup,
    make_tag_lookup,
    make_token_lookup,
    normalize_text,
    normalize_token_lists,
    oov_rate,
    save_vocabulary,
    tokenize,
)


def strings(tensor):
    return [s.decode("utf-8") for s in np.asarray(tensor).ravel()]


def test_raw_question_tokenises_like_training_data():
    normalised = normalize_text(["I want to fly from Boston, tomorrow?"])
    assert strings(normalised) == ["i want to fly from boston , tomorrow ?"]
    dropped = normalize_text(["I want to fly from Boston, tomorrow?"], punctuation="drop")
    assert strings(dropped) == ["i want to fly from boston tomorrow"]


def test_atis_style_words_keep_apostrophes_and_abbreviation_dots():
    text = normalize_text(["I'd like St. Louis at 7 o'clock."])
    assert strings(text) == ["i'd like st. louis at 7 o'clock ."]


def test_digit_normalisation_and_unicode_lowercase():
    assert strings(normalize_text(["Flight 1230 ÉTÉ"], digit_token="DIGIT")) == [
        "flight DIGITDIGITDIGITDIGIT été"]


def test_tokenize_pads_on_the_right():
    tokens = tokenize(["Fly to Lima!", "Hi"])
    assert tokens.shape == (2, 4)
    assert strings(tokens[1]) == ["hi", "", "", ""]


def test_token_normalisation_keeps_alignment():
    assert normalize_token_lists([["Boston", ",", "NYC"], ["St."]]) == [
        ["boston", ",", "nyc"], ["st."]]


def test_vocabulary_order_and_min_count():
    sentences = [["a", "b", "a"], ["c", "a", "b"], ["d"]]
    assert build_vocabulary(sentences) == ["a", "b", "c", "d"]
    assert build_vocabulary(sentences, min_count=2) == ["a", "b"]


def test_token_lookup_reserves_padding_and_unknown():
    lookup = make_token_lookup([["fly", "to", "lima"], ["fly", "home"]], min_count=2)
    assert lookup.get_vocabulary() == ["", "[UNK]", "fly"]
    ids = lookup(tf.constant([["fly", "lima", ""]])).numpy()
    assert ids.tolist() == [[2, 1, 0]]  # singleton "lima" is trained as unknown
    assert oov_rate([["fly", "lima"]], lookup) == 0.5


def test_tag_and_label_lookups_map_unseen_labels_to_unknown():
    tags = make_tag_lookup([["O", "B-x"], ["O"]])
    assert tags(tf.constant(["O", "B-new", ""])).numpy().tolist() == [2, 1, 0]
    intents = make_label_lookup(["atis_flight", None, "atis_airfare"])
    assert intents(tf.constant("atis_day_name")).numpy() == 1


def test_char_lookup_handles_thousands_of_symbols():
    text = "".join(chr(0x4E00 + i) for i in range(3000)) + "\n"
    lookup = make_char_lookup([text])
    assert lookup.vocabulary_size() == 3001 + 2
    chars = tf.strings.unicode_split("一丁", "UTF-8")
    assert lookup(chars).numpy().min() >= 2


def test_vocabulary_json_round_trip(tmp_path):
    lookup = make_token_lookup([["höhe", "fly", "fly"]])
    save_vocabulary(tmp_path / "vocab.json", lookup)
    again = load_vocabulary(tmp_path / "vocab.json")
    assert again.get_vocabulary() == lookup.get_vocabulary()


def test_letter_trigrams_of_the_lecture_example():
    assert letter_trigrams("apple") == ["#ap", "app", "ppl", "ple", "le#"]
    assert letter_trigrams("a") == ["#a#"]
    assert letter_trigrams("") == []


def test_trigram_hashing_matches_python_trigrams():
    layer = LetterTrigramHashing(num_bins=1000, max_trigrams=6)
    ids = layer(tf.constant([["apple", "Apple", ""]])).numpy()
    assert ids.shape == (1, 3, 6)
    assert (ids[0, 0, :5] > 0).all() and ids[0, 0, 5] == 0  # five trigrams, then padding
    assert ids[0, 0].tolist() == ids[0, 1].tolist()  # lower-cased before hashing
    assert (ids[0, 2] == 0).all()
    hashing = keras.layers.Hashing(num_bins=1000, mask_value="")
    expected = hashing(tf.constant(letter_trigrams("apple"))).numpy()
    assert ids[0, 0, :5].tolist() == expected.tolist()


def test_trigram_embedding_is_the_mean_of_trigram_vectors():
    layer = LetterTrigramEmbedding(num_bins=50, output_dim=3, max_trigrams=8)
    words = tf.constant([["apple", "applesauce", ""]])
    vectors = layer(words).numpy()
    table = layer.embeddings.numpy()
    ids = layer.hashing(words).numpy()[0, 0]
    np.testing.assert_allclose(vectors[0, 0], table[ids[ids > 0]].mean(axis=0), rtol=1e-5)
    assert np.abs(vectors[0, 1]).sum() > 0  # an unseen word still gets a vector
    assert (vectors[0, 2] == 0).all()  # padding gets zeros...
    assert layer.compute_mask(words).numpy().tolist() == [[True, True, False]]  # ...and a mask


def test_trigram_embedding_accepts_ids_hashed_in_tf_data():
    layer = LetterTrigramEmbedding(num_bins=50, output_dim=3, max_trigrams=8)
    words = tf.constant([["apple"]])
    ids = LetterTrigramHashing(50, 8)(words)
    np.testing.assert_allclose(layer(words).numpy(), layer(ids).numpy())


def test_trigram_embedding_config_and_keras_file_round_trip(tmp_path):
    layer = LetterTrigramEmbedding(num_bins=64, output_dim=4, max_trigrams=10, combiner="sum")
    clone = LetterTrigramEmbedding.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    inputs = keras.Input(shape=(None,), dtype="string")
    outputs = keras.layers.Dense(2, name="head")(
        LetterTrigramEmbedding(num_bins=64, output_dim=4, name="words")(inputs))
    model = keras.Model(inputs, outputs)
    path = os.path.join(tmp_path, "trigrams.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    words = tf.constant([["apple", "pear", ""]])
    np.testing.assert_allclose(model(words).numpy(), loaded(words).numpy(), rtol=1e-6)


def test_string_model_normalises_like_training_and_survives_saving(tmp_path):
    lookup = make_token_lookup([["i", "want", "to", "fly", "from", "boston", ",", "?"]])
    inputs = keras.Input(shape=(), dtype="string")
    ids = lookup(TextNormalization(name="normalise")(inputs))
    model = keras.Model(inputs, ids)
    raw = tf.constant(["I want to fly from Boston, tomorrow?"])
    expected = lookup(tf.constant([["i", "want", "to", "fly", "from", "boston", ",",
                                    "tomorrow", "?"]]))
    assert model(raw).numpy().tolist() == expected.numpy().tolist()
    path = os.path.join(tmp_path, "strings.keras")
    model.save(path)
    assert keras.saving.load_model(path)(raw).numpy().tolist() == expected.numpy().tolist()


def test_layers_reject_bad_arguments():
    with pytest.raises(ValueError, match="combiner must be"):
        LetterTrigramEmbedding(combiner="max")
    with pytest.raises(ValueError, match="punctuation must be"):
        TextNormalization(punctuation="remove")


def test_saved_model_export_takes_raw_strings(tmp_path):
    lookup = make_token_lookup([["fly", "to", "boston", "?"]])
    inputs = keras.Input(shape=(), dtype="string")
    model = keras.Model(inputs, lookup(TextNormalization()(inputs)))
    model.export(str(tmp_path / "exported"), format="tf_saved_model", verbose=False)
    served = tf.saved_model.load(str(tmp_path / "exported"))
    ids = served.serve(tf.constant(["Fly to BOSTON?"])).numpy()
    assert ids.tolist() == lookup(tf.constant([["fly", "to", "boston", "?"]])).numpy().tolist()


def test_importing_the_data_package_does_not_import_tfds():
    import subprocess
    import sys

    code = "import sys, kerasrnn.data; print('tensorflow_datasets' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "False"


def test_trigram_embedding_symbolic_shapes():
    layer = LetterTrigramEmbedding(num_bins=32, output_dim=5, max_trigrams=7)
    words = keras.Input(shape=(7,), dtype="string")  # as many words as trigrams: no confusion
    ids = keras.Input(shape=(7, 7), dtype="int64")
    assert layer(words).shape == (None, 7, 5)
    assert layer(ids).shape == (None, 7, 5)
