"""entity_spans (in-graph BIO chunking) against the seqeval/conlleval chunker `spans`."""

import numpy as np
import tensorflow as tf

from apps.ner.entities import entity_spans
from kerasrnn.data.tagging_schemes import spans

WORDS = ["Paris", "is", "in", "France", "Zürich", "東京", "New", "York", "a", "Émile", "x"]


def _row_offsets(tokens):
    """Code-point offsets of tokens joined by single spaces."""
    starts, position = [], 0
    for token in tokens:
        starts.append(position)
        position += len(token) + 1
    return starts, [s + len(t) for s, t in zip(starts, tokens)]


def _batch(rows):
    """rows: (tokens, tags) pairs -> entity_spans' inputs, right-padded with ""/0."""
    time = max(len(tags) for _, tags in rows)
    texts, tags, starts, ends = [], [], [], []
    for tokens, row_tags in rows:
        first, last = _row_offsets(tokens)
        pad = time - len(row_tags)
        texts.append(" ".join(tokens))
        tags.append(list(row_tags) + [""] * pad)
        starts.append(first + [0] * pad)
        ends.append(last + [0] * pad)
    return (tf.constant(texts), tf.constant(tags, tf.string, shape=[len(rows), time]),
            tf.constant(starts, tf.int32, shape=[len(rows), time]),
            tf.constant(ends, tf.int32, shape=[len(rows), time]))


def _check(rows):
    out = {k: v.numpy() for k, v in entity_spans(*_batch(rows)).items()}
    width = out["entity_types"].shape[1]
    assert width >= 1
    assert all(v.shape == (len(rows), width) for v in out.values())
    for b, (tokens, tags) in enumerate(rows):
        text = " ".join(tokens)
        starts, ends = _row_offsets(tokens)
        expected = spans([t for t in tags if t])  # "" is padding
        n = len(expected)
        types = [t.decode() for t in out["entity_types"][b]]
        texts = [t.decode("utf-8") for t in out["entity_texts"][b]]
        assert types[:n] == [kind for kind, _, _ in expected], (tags, types)
        assert out["entity_starts"][b, :n].tolist() == [starts[f] for _, f, _ in expected]
        assert out["entity_ends"][b, :n].tolist() == [ends[last] for _, _, last in expected]
        for k, (_, first, last) in enumerate(expected):
            joined = " ".join(tokens[first:last + 1])
            assert texts[k] == joined
            assert text[out["entity_starts"][b, k]:out["entity_ends"][b, k]] == joined
        # the rest is padding
        assert types[n:] == [""] * (width - n) and texts[n:] == [""] * (width - n)
        assert (out["entity_starts"][b, n:] == -1).all() and (out["entity_ends"][b, n:] == -1).all()
    return out


def _random_tags(rng, length, types):
    tags = []
    for _ in range(length):
        prefix = rng.choice(["B", "I", "O"], p=[0.3, 0.4, 0.3])
        tags.append("O" if prefix == "O" else f"{prefix}-{rng.choice(types)}")
    return tags


def test_random_tag_sequences_match_the_conlleval_chunker():
    rng = np.random.default_rng(0)
    for trial in range(40):
        types = ["PER", "LOC", "MISC"][:2 + trial % 2]
        rows = []
        for _ in range(int(rng.integers(1, 5))):
            length = int(rng.integers(1, 10))
            tokens = [str(rng.choice(WORDS)) for _ in range(length)]
            rows.append((tokens, _random_tags(rng, length, types)))
        _check(rows)


def test_hand_picked_boundaries():
    tokens = ["Émile", "went", "to", "New", "York", "and", "東京", "x", "x"]
    _check([
        (tokens, ["B-PER", "O", "O", "B-LOC", "I-LOC", "O", "I-LOC", "I-PER", "B-PER"]),
        (tokens[:4], ["I-LOC", "I-LOC", "B-LOC", "I-MISC"]),  # IOB1 start, B- split, switch
        (tokens[:2], ["B-PER", "B-PER"]),
        (tokens[:3], ["O", "O", "O"]),
    ])
    out = _check([(tokens[:5], ["O", "O", "O", "B-LOC", "I-LOC"])])
    assert out["entity_texts"][0, 0].decode() == "New York"
    assert out["entity_starts"][0, 0] == len("Émile went to ")  # code points, not bytes


def test_a_batch_without_entities_still_has_one_padded_column():
    out = _check([(["a", "b"], ["O", "O"]), (["c"], ["O"])])
    assert out["entity_types"].shape == (2, 1)
    assert out["entity_types"].tolist() == [[b""], [b""]]
    assert out["entity_starts"].tolist() == [[-1], [-1]]
    out = _check([(["a"], [""])])  # only padding
    assert out["entity_ends"].tolist() == [[-1]]


def test_runs_in_a_tf_function_with_unknown_shapes():
    rows = [(["New", "York", "x"], ["B-LOC", "I-LOC", "O"]), (["Paris"], ["B-LOC"])]
    spec = [tf.TensorSpec([None], tf.string), tf.TensorSpec([None, None], tf.string),
            tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.int32)]
    traced = tf.function(entity_spans, input_signature=spec)(*_batch(rows))
    eager = entity_spans(*_batch(rows))
    for key in eager:
        np.testing.assert_array_equal(traced[key].numpy(), eager[key].numpy())
