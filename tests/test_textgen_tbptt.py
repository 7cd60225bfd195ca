"""benchmarks.textgen_tbptt: contiguous streams and stateful training that carries the state."""

import dataclasses

import numpy as np
import pytest

from apps.textgen.app import Config, fill_defaults, language_model
from benchmarks.textgen_tbptt import contiguous_batches, train_stateful

pytestmark = pytest.mark.app  # trains a model


def test_each_row_continues_its_stream_from_one_step_to_the_next():
    ids = np.arange(1000, dtype=np.int32)
    x, y = contiguous_batches(ids, batch_size=4, window=10)
    steps = 999 // 40
    assert x.shape == y.shape == (steps, 4, 10)
    length = steps * 10
    for b in range(4):
        stream = np.concatenate([x[k, b] for k in range(steps)])
        np.testing.assert_array_equal(stream, ids[b * length:(b + 1) * length])
    np.testing.assert_array_equal(y, x + 1)  # each target is the next character
    with pytest.raises(ValueError, match="too few"):
        contiguous_batches(ids[:30], batch_size=4, window=10)


def test_the_stateful_model_carries_its_state_and_shares_the_weights_layout():
    config = Config(units=8, layers=2, embedding_dim=4, window=5, batch_size=3, dropout=0.0)
    stateful = language_model(config, 12, stateful_batch=3)
    plain = language_model(config, 12)
    plain.set_weights(stateful.get_weights())
    ids = np.random.default_rng(0).integers(2, 12, size=(3, 10)).astype("int32")
    whole = plain.predict(ids, verbose=0)
    halves = np.concatenate([stateful.predict(ids[:, :5], verbose=0),
                             stateful.predict(ids[:, 5:], verbose=0)], axis=1)
    np.testing.assert_allclose(halves, whole, atol=1e-5)  # the second half saw the first


def test_stateful_training_scores_valid_and_test_and_keeps_the_best_epoch():
    rng = np.random.default_rng(0)
    text = "".join(rng.choice(list("ab cd\n"), size=3000))
    splits = {"train": text[:2400], "valid": text[2400:2700], "test": text[2700:]}
    config = Config()
    fill_defaults(config, vocabulary_size=6)
    config = dataclasses.replace(config, units=8, layers=1, embedding_dim=4, window=10,
                                 stride=10, batch_size=4, epochs=3, time_budget=0)
    result = train_stateful(config, {"chars": sorted(set(text))}, splits, say=lambda _: None)
    assert len(result["history"]) == 3
    assert result["valid_bits_per_char"] == min(h["valid_bits_per_char"]
                                                for h in result["history"])
    assert 0 < result["bits_per_char"] < 8
