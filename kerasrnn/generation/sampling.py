"""Temperature and top-k sampling as one compiled loop over a recurrent `step` function.

A language model is given to the sampler as

    step(ids, states) -> (logits, states)

where `ids` is `[batch]` int32 (one token per sample), `logits` is `[batch, vocabulary]`
(unnormalised log-probabilities of the next token) and `states` any nested structure
of tensors whose shapes do not change from step to step (e.g. an LSTM's `[h, c]`).
The sampler never looks inside the model, so it is tested with a fake `step` and no
model at all, as KerasHub's samplers are (keras_hub/src/samplers/sampler.py).

At each position the next token is drawn from

    p(i) ∝ exp(logits[i] / temperature)     for i among the `top_k` largest logits,
    p(i) = 0                                 otherwise, and for every forbidden id

(Fan, Lewis and Dauphin 2018, "Hierarchical Neural Story Generation", for top-k).
Randomness comes from stateless ops seeded by `seed` folded with the position, so the
same seed gives the same samples, in a graph or eagerly, on any run.
"""

import tensorflow as tf

_TINY_TEMPERATURE = 1e-6  # below this, dividing logits overflows; it is argmax already


def next_ids(logits, seed, temperature=1.0, top_k=0, forbidden_ids=()):
    """Draws one id per row of `logits` (temperature, then top-k, never a forbidden id).

    Args:
        logits: `[batch, vocabulary]` float, unnormalised log-probabilities.
        seed: `[2]` int32/int64 tensor, the stateless seed of this draw.
        temperature: positive scalar; probabilities are `softmax(logits / temperature)`.
            Values below 1e-6 are treated as 1e-6 (greedy in practice).
        top_k: scalar int; draw among the `top_k` most probable ids only (0: all).
            Ties at the k-th logit are all kept.
        forbidden_ids: ids never drawn (e.g. padding and out-of-vocabulary).

    Returns:
        `[batch]` int32 ids.
    """
    logits = tf.cast(logits, tf.float32)
    vocabulary = tf.shape(logits)[-1]
    if len(forbidden_ids):
        banned = tf.reduce_any(tf.equal(tf.range(vocabulary)[:, None],
                                        tf.constant(list(forbidden_ids), tf.int32)[None]), -1)
        logits = tf.where(banned[None], tf.float32.min, logits)
    k = tf.cast(top_k, tf.int32)
    k = tf.where((k <= 0) | (k > vocabulary), vocabulary, k)
    kth = tf.math.top_k(logits, k).values[:, -1:]
    logits = tf.where(logits < kth, tf.float32.min, logits)
    temperature = tf.maximum(tf.cast(temperature, tf.float32), _TINY_TEMPERATURE)
    scaled = logits / temperature
    # Shift so the largest is 0: exp() of huge values divided by a tiny temperature
    # would overflow; the shift does not change the distribution.
    scaled = scaled - tf.reduce_max(scaled, axis=-1, keepdims=True)
    scaled = tf.where(logits <= tf.float32.min, -1e30, scaled)
    return tf.random.stateless_categorical(scaled, 1, seed, dtype=tf.int32)[:, 0]


def sample(step, prompt_ids, states, length, seed, temperature=1.0, top_k=0,
           forbidden_ids=(), pad_id=0):
    """Feeds `prompt_ids` to `step`, then samples `length` ids, all in `tf.while_loop`s.

    Call it inside a `tf.function` (a SavedModel signature is one) to get one compiled
    loop; the recurrent state is carried from step to step, so each new token costs one
    `step`, never a pass over the whole text. Samples of a batch are drawn together.

    Args:
        step: `step(ids, states) -> (logits, states)`, see the module docstring.
        prompt_ids: `[batch, prompt_length]` int32, `prompt_length >= 1`. Prompts of
            different lengths are left-padded with `pad_id`; a padded position leaves
            that row's state unchanged, so every row's last id is its own prompt's last.
        states: the initial states (nested tensors, batch first).
        length: scalar int, number of ids to generate after the prompt (0 gives none).
        seed: scalar or `[2]` int; the same seed gives the same ids.
        temperature, top_k, forbidden_ids: as in `next_ids`.
        pad_id: the id that marks prompt padding.

    Returns:
        `[batch, length]` int32 sampled ids.

    Raises:
        ValueError: a Python `temperature` ≤ 0 or `top_k` < 0 (tensors are not checked:
            in a graph, temperature is clamped to 1e-6 and top_k ≤ 0 means all ids).
    """
    if isinstance(temperature, (int, float)) and temperature <= 0:
        raise ValueError(f"temperature must be positive, received {temperature}")
    if isinstance(top_k, int) and top_k < 0:
        raise ValueError(f"top_k must be 0 (all) or positive, received {top_k}")
    prompt_ids = tf.convert_to_tensor(prompt_ids, tf.int32)
    seed = tf.cast(tf.reshape(tf.convert_to_tensor(seed), [-1]), tf.int64)
    seed = tf.concat([seed, tf.zeros([2], tf.int64)], 0)[:2]  # a scalar seed → [seed, 0]
    batch = tf.shape(prompt_ids)[0]

    def prime(t, states, logits):  # read the prompt; keep the state of padded rows
        ids = prompt_ids[:, t]
        new_logits, new_states = step(ids, states)
        real = ids != pad_id
        states = tf.nest.map_structure(lambda new, old: _where_rows(real, new, old),
                                       new_states, states)
        return t + 1, states, _where_rows(real, new_logits, logits)

    first_logits, _ = step(prompt_ids[:, 0], states)  # only for its shape and dtype
    _, states, logits = tf.while_loop(
        lambda t, *_: t < tf.shape(prompt_ids)[1], prime,
        (tf.constant(0), states, tf.zeros_like(first_logits)))

    def generate(t, states, logits, out):
        ids = next_ids(logits, tf.random.experimental.stateless_fold_in(seed, t),
                       temperature, top_k, forbidden_ids)
        logits, states = step(ids, states)
        return t + 1, states, logits, out.write(t, ids)

    length = tf.maximum(tf.cast(length, tf.int32), 0)
    out = tf.TensorArray(tf.int32, size=length, element_shape=[None])
    _, _, _, out = tf.while_loop(lambda t, *_: t < length, generate,
                                 (tf.constant(0), states, logits, out))
    # An empty TensorArray of unknown batch size can't be stacked.
    return tf.cond(length > 0, lambda: tf.transpose(out.stack()),
                   lambda: tf.zeros([batch, 0], tf.int32))


def _where_rows(condition, new, old):
    """`new` where `condition[row]`, else `old` (any rank, batch first)."""
    shape = tf.concat([tf.shape(condition), tf.ones([tf.rank(new) - 1], tf.int32)], 0)
    return tf.where(tf.reshape(condition, shape), new, old)
