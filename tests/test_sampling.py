"""The sampler on fake step functions: no model is needed to test sampling."""

import numpy as np
import pytest
import tensorflow as tf

from kerasrnn.generation import next_ids, sample

VOCABULARY = 7


def fixed_step(logits):
    """A step whose next-token logits never change; its state counts the steps."""
    table = tf.constant(logits, tf.float32)

    def step(ids, states):
        return tf.tile(table[None], [tf.shape(ids)[0], 1]), [states[0] + 1]

    return step


def markov_step(ids, states):
    """The next id is likely (ids + 1) mod 5 + 2; the state is the sum of ids seen."""
    target = (ids + 1) % 5 + 2
    logits = 3.0 * tf.one_hot(target, VOCABULARY) + 0.1 * tf.cast(tf.range(VOCABULARY), tf.float32)
    return logits, [states[0] + tf.cast(ids, tf.float32)]


def run(step, prompt, length, seed=1, **options):
    prompt = tf.constant(prompt, tf.int32)
    states = [tf.zeros([prompt.shape[0]], tf.float32)]
    return tf.function(lambda: sample(step, prompt, states, length, seed, **options))().numpy()


def test_the_same_seed_gives_the_same_samples_and_another_seed_others():
    first = run(markov_step, [[2, 3]] * 4, 30, seed=5)
    assert np.array_equal(first, run(markov_step, [[2, 3]] * 4, 30, seed=5))
    assert not np.array_equal(first, run(markov_step, [[2, 3]] * 4, 30, seed=6))
    assert not np.array_equal(first[0], first[1])  # the rows of a batch differ


def test_batch_shapes_and_zero_length():
    assert run(markov_step, [[2, 3, 4]] * 3, 11).shape == (3, 11)
    assert run(markov_step, [[2]] * 2, 0).shape == (2, 0)

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32),
                                  tf.TensorSpec([], tf.int32)])
    def unknown_batch(prompt, length):
        return sample(markov_step, prompt, [tf.zeros([tf.shape(prompt)[0]])], length, 0)

    assert unknown_batch(tf.constant([[2]] * 3), tf.constant(0)).shape == (3, 0)
    assert unknown_batch(tf.constant([[2]] * 3), tf.constant(4)).shape == (3, 4)


def test_top_k_of_one_is_greedy():
    out = run(markov_step, [[2], [4]], 20, top_k=1, temperature=5.0)
    expected, ids = [], np.array([2, 4])
    for _ in range(20):
        logits = markov_step(tf.constant(ids), [tf.zeros(2)])[0].numpy()
        ids = logits.argmax(-1)
        expected.append(ids)
    assert np.array_equal(out, np.stack(expected, 1))


def test_a_tiny_temperature_is_greedy_and_a_high_one_is_not():
    logits = [0.0, 0.0, 1.0, 1.5, 1.2, 0.3, 0.2]
    cold = run(fixed_step(logits), [[2]] * 8, 50, temperature=1e-4)
    assert (cold == 3).all()
    hot = run(fixed_step(logits), [[2]] * 8, 50, temperature=1.0)
    assert len(set(hot.ravel())) > 2


def test_forbidden_ids_are_never_emitted_even_when_most_likely():
    logits = [50.0, 49.0, 0.0, 0.1, 0.2, 0.0, 0.0]
    out = run(fixed_step(logits), [[2]] * 16, 100, forbidden_ids=(0, 1))
    assert out.min() >= 2
    greedy = run(fixed_step(logits), [[2]] * 2, 10, forbidden_ids=(0, 1), top_k=1)
    assert (greedy == 4).all()


def test_top_k_draws_only_among_the_k_most_likely():
    logits = [0.0, 0.0, 2.0, 1.9, 1.8, 1.7, 0.5]
    out = run(fixed_step(logits), [[2]] * 32, 50, top_k=2, forbidden_ids=(0, 1))
    assert set(out.ravel()) == {2, 3}


def test_frequencies_follow_the_softmax_of_logits_over_temperature():
    logits = np.log([1e-9, 1e-9, 0.5, 0.3, 0.2, 1e-9, 1e-9])
    out = run(fixed_step(logits), [[2]] * 200, 50, temperature=1.0, seed=3)
    frequencies = np.bincount(out.ravel(), minlength=VOCABULARY) / out.size
    assert np.allclose(frequencies[2:5], [0.5, 0.3, 0.2], atol=0.02)
    # temperature 0.5 squares the probabilities: 25 : 9 : 4
    out = run(fixed_step(logits), [[2]] * 200, 50, temperature=0.5, seed=3)
    frequencies = np.bincount(out.ravel(), minlength=VOCABULARY) / out.size
    assert np.allclose(frequencies[2:5], np.array([25, 9, 4]) / 38, atol=0.02)


def counting_step(ids, states):
    """The most likely next id is (sum of the ids read so far) mod 5 + 2: it needs the state."""
    total = states[0] + ids
    return 3.0 * tf.one_hot(total % 5 + 2, VOCABULARY), [total]


def test_left_padding_leaves_the_state_of_its_row_alone():
    def greedy(prompt):
        prompt = tf.constant(prompt, tf.int32)
        states = [tf.zeros([prompt.shape[0]], tf.int32)]
        return sample(counting_step, prompt, states, 6, 0, top_k=1).numpy()

    padded = greedy([[0, 0, 3], [2, 3, 4]])
    assert np.array_equal(padded[0], greedy([[3]])[0])
    assert np.array_equal(padded[1], greedy([[2, 3, 4]])[0])
    assert padded[1, 0] == (2 + 3 + 4) % 5 + 2


def test_bad_python_arguments_raise():
    with pytest.raises(ValueError, match="temperature"):
        sample(markov_step, [[2]], [tf.zeros([1])], 3, 0, temperature=0.0)
    with pytest.raises(ValueError, match="top_k"):
        sample(markov_step, [[2]], [tf.zeros([1])], 3, 0, top_k=-1)


def test_next_ids_in_eager_mode():
    ids = next_ids(tf.constant([[0.0, 9.0, 1.0]]), tf.constant([1, 2]), top_k=1)
    assert ids.numpy().tolist() == [1]
