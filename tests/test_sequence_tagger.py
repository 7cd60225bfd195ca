"""build_sequence_tagger: every cell kind, char encoders, heads, training, given embeddings."""

import json

import keras
import numpy as np
import pytest

from kerasrnn.data.word_features import CASING_CLASSES, MAX_TRIGRAMS
from kerasrnn.layers.crf_loss import CRFLoss
from kerasrnn.models import TAGGER_KINDS, build_sequence_tagger

WORDS, TAGS, CHARS, BATCH, TIME, MAX_CHARS = 30, 5, 12, 3, 6, 7
LENGTHS = np.array([6, 4, 1])
TINY = {"embedding_dim": 6, "units": 4, "char_dim": 3, "char_units": 3, "casing_dim": 2,
        "dropout": 0.0}


def numpy_of(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _inputs(rng, trigram_bins=0):
    real = np.arange(TIME)[None, :] < LENGTHS[:, None]
    chars = rng.integers(1, CHARS, size=(BATCH, TIME, MAX_CHARS))
    chars[rng.integers(2, MAX_CHARS + 1, size=(BATCH, TIME))[..., None]
          <= np.arange(MAX_CHARS)] = 0  # words of 2..MAX_CHARS characters
    inputs = {
        "words": np.where(real, rng.integers(1, WORDS, size=(BATCH, TIME)), 0),
        "casing": np.where(real, rng.integers(1, len(CASING_CLASSES), size=(BATCH, TIME)), 0),
        "chars": np.where(real[..., None], chars, 0),
    }
    if trigram_bins:
        inputs["trigrams"] = np.where(
            real[..., None], rng.integers(0, trigram_bins, size=(BATCH, TIME, MAX_TRIGRAMS)), 0)
    return {k: v.astype("int32") for k, v in inputs.items()}, real


# Each recurrent kind once, the options spread over them (not the full product).
CASES = [
    ("elman", {"char_encoder": "cnn", "head": "crf"}),
    ("jordan", {"char_encoder": "lstm", "head": "softmax", "casing": False,
                "trigram_bins": 20, "trigram_dim": 3}),
    ("hybrid", {"char_encoder": "none", "head": "crf", "trigram_bins": 20, "trigram_dim": 3}),
    ("lstm", {"char_encoder": "lstm", "head": "crf", "layers": 2, "word_dropout": 0.1}),
    ("peephole_lstm", {"char_encoder": "cnn", "head": "softmax", "bidirectional": False,
                       "casing": False}),
    ("gru", {"char_encoder": "cnn", "head": "softmax", "trigram_bins": 20, "trigram_dim": 3}),
]


def test_cases_cover_every_recurrent_kind_and_option():
    assert {cell for cell, _ in CASES} == set(TAGGER_KINDS) - {"feedforward"}
    assert {o["char_encoder"] for _, o in CASES} == {"cnn", "lstm", "none"}
    assert {o["head"] for _, o in CASES} == {"crf", "softmax"}


@pytest.mark.parametrize("cell, options", CASES, ids=[cell for cell, _ in CASES])
def test_builds_and_runs_every_kind(cell, options, rng):
    model = build_sequence_tagger(WORDS, TAGS, num_chars=CHARS, cell=cell, **TINY, **options)
    expected = {"words"}
    if options.get("casing", True):
        expected.add("casing")
    if options["char_encoder"] != "none":
        expected.add("chars")
    if options.get("trigram_dim"):
        expected.add("trigrams")
    assert {t.name for t in model.inputs} == expected
    inputs, real = _inputs(rng, options.get("trigram_bins", 0))
    inputs = {k: v for k, v in inputs.items() if k in expected}
    tags = numpy_of(model(inputs)["tags"])
    assert tags.shape == (BATCH, TIME, TAGS) and tags.dtype == np.float32
    assert np.all(np.isfinite(tags))
    if options["head"] == "softmax":
        np.testing.assert_allclose(tags[real].sum(-1), 1.0, rtol=1e-5)
    else:
        assert model.get_layer("crf") is not None
    # padding (words and characters) is masked: a sentence's scores do not depend on it
    short = {k: v[2:, :1] for k, v in inputs.items()}
    np.testing.assert_allclose(numpy_of(model(short)["tags"])[0], tags[2, :1],
                               rtol=1e-4, atol=1e-5)


def test_no_characters_when_num_chars_is_zero():
    model = build_sequence_tagger(WORDS, TAGS, num_chars=0, char_encoder="cnn", casing=False,
                                  **TINY)
    assert [t.name for t in model.inputs] == ["words"]


def test_crf_training_lowers_the_loss_on_a_fixed_batch(rng):
    model = build_sequence_tagger(WORDS, TAGS, num_chars=CHARS, cell="lstm",
                                  char_encoder="cnn", head="crf", **TINY)
    model.compile(keras.optimizers.Adam(0.05), loss={"tags": CRFLoss(model.get_layer("crf"))})
    inputs, real = _inputs(rng)
    gold = np.where(real, rng.integers(0, TAGS, size=(BATCH, TIME)), 0).astype("int32")
    losses = [float(model.train_on_batch(inputs, {"tags": gold})) for _ in range(6)]
    assert np.all(np.isfinite(losses))
    assert losses[-1] < 0.8 * losses[0], losses


def test_given_embeddings_are_the_weights_but_not_in_the_config(rng):
    vectors = rng.normal(size=(WORDS, 5)).astype("float32")
    vectors[7, 3] = 0.123456789
    # Auto-named layers count up per session: both models start from the same count, so
    # that "dense_9" against "dense_10" can't change the lengths compared below.
    keras.backend.clear_session()
    model = build_sequence_tagger(WORDS, TAGS, embeddings=vectors, char_encoder="none", **TINY)
    layer = model.get_layer("word_embedding")
    np.testing.assert_array_equal(numpy_of(layer.embeddings), vectors)
    config = json.dumps(model.get_config())
    keras.backend.clear_session()
    plain = json.dumps(build_sequence_tagger(WORDS, TAGS, char_encoder="none",
                                             **dict(TINY, embedding_dim=5)).get_config())
    assert "0.123456" not in config
    assert len(config) == len(plain)  # the matrix adds nothing
    inputs, _ = _inputs(rng)
    out = model({"words": inputs["words"], "casing": inputs["casing"]})["tags"]
    assert tuple(out.shape) == (BATCH, TIME, TAGS)


def test_invalid_arguments_are_rejected(rng):
    with pytest.raises(ValueError, match="char_encoder"):
        build_sequence_tagger(WORDS, TAGS, num_chars=CHARS, char_encoder="rnn", **TINY)
    with pytest.raises(ValueError, match="head"):
        build_sequence_tagger(WORDS, TAGS, head="mlp", **TINY)
    with pytest.raises(ValueError, match="rows"):
        build_sequence_tagger(WORDS, TAGS, embeddings=np.zeros((WORDS + 1, 4)), **TINY)
