"""Greedy decoding and beam search on fake step functions: no model is needed."""

import itertools

import numpy as np
import pytest
import tensorflow as tf

from kerasrnn.generation import beam_search, greedy_search, length_penalty

PAD, OOV, START, END, A, B, C = range(7)
FORBIDDEN = (PAD, OOV, START)


def table_step(table):
    """A step whose logits are row `ids` of `table` plus the sentence's own `bias` state.

    The `bias` state stands for what a translator carries per sentence (its encoded
    source): beam search must reorder it with the beams.
    """
    table = tf.constant(table, tf.float32)

    def step(ids, states):
        logits = tf.gather(table, ids) + states["bias"]
        return logits, {"bias": states["bias"], "steps": states["steps"] + 1}

    return step


def decode(search, step, bias, max_lengths, **options):
    bias = tf.constant(bias, tf.float32)
    states = {"bias": bias, "steps": tf.zeros([bias.shape[0]], tf.int32)}
    ids, lengths, scores = tf.function(lambda: search(
        step, states, START, END, tf.constant(max_lengths), forbidden_ids=FORBIDDEN,
        pad_id=PAD, **options))()
    return ids.numpy(), lengths.numpy(), scores.numpy()


def greedy_trap():
    """From the start: A (0.5) or B (0.4); after A the best is END at 0.34; after B, END at 1.

    Greedy takes A then END (0.5 × 0.34 = 0.17); the better translation is B END (0.4).
    """
    p = np.full((7, 7), 1e-9)
    p[START, [A, B, OOV]] = 0.5, 0.4, 0.1
    p[A, [END, B, C]] = 0.34, 0.33, 0.33
    p[B, END] = p[C, END] = p[END, END] = 1.0
    return np.log(p)


def random_table(seed, vocabulary=7):
    return np.random.default_rng(seed).normal(0, 2, (vocabulary, vocabulary))


def test_beam_search_finds_the_sentence_greedy_decoding_misses():
    step, bias = table_step(greedy_trap()), np.zeros((1, 7))
    ids, lengths, scores = decode(greedy_search, step, bias, [5])
    assert ids.tolist() == [[A]] and lengths.tolist() == [1]
    np.testing.assert_allclose(scores, [np.log(0.5 / 0.9 * 0.34)], rtol=1e-5)
    ids, lengths, scores = decode(beam_search, step, bias, [5], beam_size=2, length_alpha=0.0)
    assert ids.tolist() == [[B]] and lengths.tolist() == [1]
    np.testing.assert_allclose(scores, [np.log(0.4 / 0.9)], rtol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_beam_width_one_is_greedy_decoding(seed):
    step = table_step(random_table(seed))
    bias = np.random.default_rng(seed + 10).normal(0, 1, (4, 7))
    greedy = decode(greedy_search, step, bias, [0, 2, 5, 9])
    beam = decode(beam_search, step, bias, [0, 2, 5, 9], beam_size=1)
    for g, b in zip(greedy, beam):
        np.testing.assert_allclose(g, b, rtol=1e-5)


@pytest.mark.parametrize("search,options", [(greedy_search, {}),
                                            (beam_search, {"beam_size": 3})])
def test_forbidden_ids_are_never_emitted_and_max_lengths_are_kept(search, options):
    table = np.zeros((7, 7))
    table[:, list(FORBIDDEN)] = 20.0  # the forbidden ids are by far the most likely
    table[:, END] = -20.0  # and the end token the least: only max_lengths stops it
    max_lengths = [0, 1, 3, 6]
    ids, lengths, _ = decode(search, table_step(table), np.zeros((4, 7)), max_lengths, **options)
    assert lengths.tolist() == max_lengths
    assert ids.shape == (4, 6)
    for row, length in zip(ids, lengths):
        assert set(row[:length]) <= {A, B, C} and set(row[length:]) <= {PAD}


@pytest.mark.parametrize("search,options", [(greedy_search, {}),
                                            (beam_search, {"beam_size": 3})])
def test_the_end_token_ends_each_sentence_of_a_batch(search, options):
    table = np.full((7, 7), -5.0)
    table[START, A], table[A, B], table[B, END], table[C, END] = 5.0, 5.0, 5.0, 40.0
    bias = np.zeros((3, 7))
    bias[1, C] = 20.0  # the second sentence: C then END
    bias[2, END] = 20.0  # the third: END at once (an empty output)
    ids, lengths, _ = decode(search, table_step(table), bias, [50, 50, 50], **options)
    assert lengths.tolist() == [2, 1, 0]
    assert ids.tolist() == [[A, B], [C, PAD], [PAD, PAD]]


@pytest.mark.parametrize("search,options", [(greedy_search, {}),
                                            (beam_search, {"beam_size": 3}),
                                            (beam_search, {"beam_size": 4, "length_alpha": 1.0})])
def test_a_batch_decodes_each_sentence_as_if_alone(search, options):
    step = table_step(random_table(5))
    bias = np.random.default_rng(6).normal(0, 2, (5, 7))
    max_lengths = [1, 7, 3, 0, 12]
    ids, lengths, scores = decode(search, step, bias, max_lengths, **options)
    for i in range(5):
        one_ids, one_lengths, one_scores = decode(search, step, bias[i:i + 1], max_lengths[i:i + 1],
                                                  **options)
        assert lengths[i] == one_lengths[0]
        assert ids[i, :lengths[i]].tolist() == one_ids[0, :lengths[i]].tolist()
        np.testing.assert_allclose(scores[i], one_scores[0], rtol=1e-5)


def best_by_enumeration(table, bias, max_length, alpha):
    """NumPy reference: the best normalised score over every possible output."""
    allowed = [A, B, C]
    best = (-np.inf, None)
    for length in range(max_length + 1):
        for tokens in itertools.product(allowed, repeat=length):
            total, previous = 0.0, START
            for token in (*tokens, END):
                logits = table[previous] + bias
                logits[list(FORBIDDEN)] = -np.inf
                log_probs = logits - np.logaddexp.reduce(logits[np.isfinite(logits)])
                total += log_probs[token]
                previous = token
            score = total / ((5 + length + 1) / 6) ** alpha
            best = max(best, (score, list(tokens)), key=lambda x: x[0])
    return best


@pytest.mark.parametrize("alpha", [0.0, 0.6])
def test_a_beam_wide_enough_finds_the_best_output(alpha):
    table = random_table(7)
    bias = np.random.default_rng(8).normal(0, 1, (1, 7))
    ids, lengths, scores = decode(beam_search, table_step(table), bias, [3], beam_size=40,
                                  length_alpha=alpha)
    expected_score, expected = best_by_enumeration(table, bias[0], 3, alpha)
    assert ids[0, :lengths[0]].tolist() == expected
    np.testing.assert_allclose(scores[0] / length_penalty(lengths[0] + 1, alpha).numpy(),
                               expected_score, rtol=1e-4)


def test_beam_size_may_be_a_tensor_of_a_compiled_function():
    step, bias = table_step(greedy_trap()), tf.zeros((2, 7))

    @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
    def translate(beam_size):
        states = {"bias": bias, "steps": tf.zeros([2], tf.int32)}
        return beam_search(step, states, START, END, tf.constant([5, 5]), beam_size,
                           length_alpha=0.0, forbidden_ids=FORBIDDEN)[0]

    assert translate(tf.constant(1)).numpy().tolist() == [[A], [A]]
    assert translate(tf.constant(2)).numpy().tolist() == [[B], [B]]


@pytest.mark.parametrize("seed,alpha,beam_size", [(0, 0.0, 2), (1, 0.6, 4), (2, 1.0, 5),
                                                  (3, 0.6, 3), (4, -0.5, 4)])
def test_early_stopping_does_not_change_the_result(seed, alpha, beam_size):
    step = table_step(random_table(seed, vocabulary=9))
    bias = np.random.default_rng(seed + 20).normal(0, 2, (6, 9))
    max_lengths = [0, 1, 4, 9, 15, 30]
    early = decode(beam_search, step, bias, max_lengths, beam_size=beam_size,
                   length_alpha=alpha)
    full = decode(beam_search, step, bias, max_lengths, beam_size=beam_size,
                  length_alpha=alpha, early_stopping=False)
    np.testing.assert_array_equal(early[1], full[1])
    for i, length in enumerate(full[1]):
        assert early[0][i, :length].tolist() == full[0][i, :length].tolist()
    np.testing.assert_allclose(early[2], full[2], rtol=1e-6)


def test_early_stopping_ends_the_search_once_no_growing_hypothesis_can_win():
    """A END is near certain; the other beams wander among B and C and never end."""
    p = np.full((7, 7), 1e-9)
    p[START, [A, B]] = 0.9, 0.1
    p[A, END] = 1.0
    p[B, [B, C]] = p[C, [B, C]] = 0.5
    step, calls = table_step(np.log(p)), tf.Variable(0)

    def counted(ids, states):
        calls.assign_add(1)
        return step(ids, states)

    found = {}
    for early in (True, False):
        calls.assign(0)
        ids, lengths, _ = decode(beam_search, counted, np.zeros((1, 7)), [40], beam_size=3,
                                 length_alpha=0.6, early_stopping=early)
        found[early] = (ids[0, :lengths[0]].tolist(), int(calls.numpy()))
    assert found[True][0] == found[False][0] == [A]
    assert found[False][1] == 41  # up to the forced end of the wandering beams
    assert found[True][1] <= 3


@pytest.mark.parametrize("search,options", [(greedy_search, {}),
                                            (beam_search, {"beam_size": 3})])
def test_only_rows_still_growing_are_computed(search, options):
    """Sentences ending after 1, 2 and 8 tokens: `step` sees fewer rows as they end.

    (That their states follow them is what the batch-vs-alone test checks.)
    """
    table = np.full((7, 7), -5.0)
    table[START, A], table[A, END], table[B, C], table[C, END] = 5.0, 20.0, 20.0, 20.0
    bias = np.zeros((3, 7))
    bias[1, [A, B]] = -10.0, 8.0  # B C END
    bias[2, [C, END]] = 50.0, -100.0  # C until its maximum length, 8
    step, calls = table_step(table), tf.Variable(0)
    seen = tf.Variable(tf.zeros([64], tf.int32))

    def counted(ids, states):
        seen.scatter_nd_update([[calls]], [tf.shape(ids)[0]])
        calls.assign_add(1)
        return step(ids, states)

    ids, lengths, _ = decode(search, counted, bias, [50, 50, 8], **options)
    assert lengths.tolist() == [1, 2, 8]
    assert ids[:, :2].tolist() == [[A, PAD], [B, C], [C, C]]
    counts = seen.numpy()[:int(calls.numpy())].tolist()
    beam = options.get("beam_size", 1)
    assert len(counts) == 9 and counts[0] == 3  # one row per sentence at the start
    if beam == 1:
        assert counts == [3, 3, 2, 1, 1, 1, 1, 1, 1]
    else:  # at the end only the third sentence's beams are still growing
        assert max(counts) <= 3 * beam and counts[-1] <= beam
        assert sum(counts) < len(counts) * 3 * beam
