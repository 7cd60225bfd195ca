"""build_joint_tagger: Jordan taggers' slot scores, masked padding, intent encoders."""

import keras
import numpy as np
import pytest

from kerasrnn.models.joint_tagger import build_joint_tagger

TAGS = 7


def _words(rng):
    words = rng.integers(1, 30, size=(4, 6)).astype("int32")
    words[1, 4:] = 0  # padding
    return words


@pytest.mark.parametrize("cell", ["jordan", "hybrid"])
def test_one_way_jordan_crf_scores_are_the_log_of_its_fed_back_distribution(cell, rng,
                                                                            tmp_path):
    model = build_joint_tagger(30, TAGS, 3, cell=cell, units=8, bidirectional=False,
                               embedding_dim=8, slot_head="crf")
    names = [layer.name for layer in model.layers]
    assert "emissions" not in names and "output_dropout" not in names
    probe = keras.Model(model.inputs, [model.get_layer(f"{cell}_1").output,
                                       model.get_layer("crf").output])
    distribution, scores = (keras.ops.convert_to_numpy(t) for t in probe(_words(rng)))
    np.testing.assert_allclose(distribution.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(scores, np.log(np.maximum(distribution, 1e-7)), rtol=1e-5,
                               atol=1e-6)
    model.save(tmp_path / "m.keras")  # the log activation is serializable
    again = keras.saving.load_model(tmp_path / "m.keras", compile=False)
    words = _words(rng)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(words)["slots"]),
                               keras.ops.convert_to_numpy(model(words)["slots"]), rtol=1e-6)


def test_two_way_jordan_combines_the_directions_log_probabilities(rng):
    model = build_joint_tagger(30, TAGS, 3, cell="jordan", units=8, bidirectional=True,
                               embedding_dim=8, slot_head="softmax")
    emissions = model.get_layer("emissions")
    assert emissions.kernel.shape == (2 * TAGS, TAGS)  # forward + backward distributions
    slots = keras.ops.convert_to_numpy(model(_words(rng))["slots"])
    assert slots.shape == (4, 6, TAGS)
    np.testing.assert_allclose(slots.sum(-1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("cell", ["gru", "hybrid"])
def test_a_separate_intent_encoder_leaves_the_slots_to_the_tagger(cell, rng):
    model = build_joint_tagger(30, TAGS, 3, cell=cell, units=8, embedding_dim=8,
                               slot_head="crf", intent_encoder="separate")
    kind = "elman" if cell == "hybrid" else cell  # Jordan recurrences run over slot tags
    encoder = model.get_layer(f"intent_bi_{kind}_1")
    words = _words(rng)
    slots = keras.ops.convert_to_numpy(model(words)["slots"])
    intent = keras.ops.convert_to_numpy(model(words)["intent"])
    for weight in encoder.weights:  # the intent's own layer moves the intent only
        weight.assign(weight * 3.0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(words)["slots"]), slots)
    assert not np.allclose(keras.ops.convert_to_numpy(model(words)["intent"]), intent)
    with pytest.raises(ValueError, match="intent_encoder"):
        build_joint_tagger(30, TAGS, 3, cell=cell, units=8, intent_encoder="both")


@pytest.mark.parametrize("cell, slot_head", [("gru", "crf"), ("lstm", "softmax"),
                                             ("hybrid", "crf"), ("feedforward", "softmax")])
def test_a_sentence_gets_the_same_outputs_alone_and_padded_in_a_batch(cell, slot_head, rng):
    """Padding is masked all the way: context window, recurrence, pooling, CRF."""
    model = build_joint_tagger(30, TAGS, 3, cell=cell, units=8, embedding_dim=8,
                               trigram_bins=50, trigram_dim=4, max_trigrams=3,
                               context_window=1, slot_head=slot_head,
                               intent_encoder="separate" if cell == "gru" else "shared",
                               intent_to_slots=cell == "lstm", word_dropout=0.1)
    words = rng.integers(1, 30, size=(1, 5)).astype("int32")
    trigrams = rng.integers(1, 50, size=(1, 5, 3)).astype("int32")
    alone = model({"words": words, "trigrams": trigrams})
    for pad in (1, 9):
        padded = model({"words": np.pad(words, [(0, 0), (0, pad)]),
                        "trigrams": np.pad(trigrams, [(0, 0), (0, pad), (0, 0)])})
        np.testing.assert_allclose(keras.ops.convert_to_numpy(padded["slots"])[:, :5],
                                   keras.ops.convert_to_numpy(alone["slots"]), atol=1e-5)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(padded["intent"]),
                                   keras.ops.convert_to_numpy(alone["intent"]), atol=1e-5)


def test_intent_to_slots_makes_each_tokens_slot_scores_read_the_intent(rng, tmp_path):
    model = build_joint_tagger(30, TAGS, 3, cell="gru", units=8, embedding_dim=8,
                               slot_head="crf", intent_to_slots=True)
    emissions = model.get_layer("emissions")
    assert emissions.kernel.shape == (2 * 8 + 3, TAGS)  # both directions' states + intent
    words = _words(rng)
    slots = keras.ops.convert_to_numpy(model(words)["slots"])
    kernel = keras.ops.convert_to_numpy(emissions.kernel)
    emissions.kernel.assign(np.concatenate([kernel[:-3], kernel[-3:] + 1.0]))
    # the intent probabilities sum to 1, so every real step's scores move by 1
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(words)["slots"]), slots + 1.0,
                               rtol=1e-5, atol=1e-5)
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", compile=False)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(words)["slots"]),
                               keras.ops.convert_to_numpy(model(words)["slots"]), rtol=1e-6)
