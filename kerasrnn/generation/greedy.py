"""Batched greedy decoding as one compiled loop over a recurrent `step` function.

A decoder (e.g. a translator's, attending to its source sentence) is given as

    step(ids, states) -> (logits, states)

where `ids` is `[rows]` int32 (the last token of each row still decoding), `logits`
is `[rows, vocabulary]` (log-probabilities, or unnormalised ones: they are passed
through `log_softmax` here) and `states` any nested structure of row-first tensors,
whose row count shrinks as sentences end (the other dimensions stay): the decoder's recurrent
state, and anything else the step needs per sentence (the encoder's outputs and
mask for attention), which beam search then reorders with the beams. The decoder
never looks inside the model, so it is tested with a fake `step` and no model.

Greedy decoding takes the most probable allowed token at each step:

    y_t = argmax_{v not forbidden} log p(v | y_<t, x)

until the end token, or until `max_lengths` tokens have been emitted, whichever
comes first (then the end token is forced, so no sentence runs on). A sentence
that has ended is no longer computed: `step` gets only the rows still growing, and
their states, in row order (kerasrnn/generation/rows.py).
"""

import tensorflow as tf

from kerasrnn.generation.rows import growing_rows, row_shape


def allowed_log_probs(logits, forbidden_ids=()):
    """`log_softmax(logits)` with every id of `forbidden_ids` at -inf (never chosen).

    The forbidden ids are removed before normalising, so the allowed ids' log
    probabilities sum (in probability) to one.
    """
    logits = tf.cast(logits, tf.float32)
    if len(forbidden_ids):
        vocabulary = tf.shape(logits)[-1]
        banned = tf.reduce_any(tf.equal(tf.range(vocabulary)[:, None],
                                        tf.constant(list(forbidden_ids), tf.int32)[None]), -1)
        logits = tf.where(banned[None], -float("inf"), logits)
    return tf.nn.log_softmax(logits, axis=-1)


def greedy_search(step, states, start_id, end_id, max_lengths, forbidden_ids=(), pad_id=0):
    """Greedy decoding of a batch of sentences in one `tf.while_loop`.

    Call it inside a `tf.function` (a SavedModel signature is one) to get one
    compiled loop; the state is carried from step to step, so each token costs one
    `step`. The loop stops once every sentence has ended.

    Args:
        step: `step(ids, states) -> (logits, states)`, see the module docstring.
        states: the initial states (nested tensors, batch first).
        start_id: the id fed first.
        end_id: the id that ends a sentence (never part of the returned ids).
        max_lengths: `[batch]` int, the most tokens each sentence may have (before
            its end token); e.g. a multiple of its source length.
        forbidden_ids: ids never emitted (padding, out-of-vocabulary, start).
        pad_id: fills the returned ids after a sentence's end.

    Returns:
        `(ids, lengths, log_probability)`: `[batch, time]` int32 ids padded with
        `pad_id` (`time` is the longest output, possibly 0); `[batch]` int32 tokens
        before the end token; `[batch]` float32 total log-probability of the tokens
        and the end token.
    """
    max_lengths = tf.maximum(tf.cast(max_lengths, tf.int32), 0)
    batch = tf.shape(max_lengths)[0]
    longest = tf.reduce_max(tf.concat([max_lengths, [0]], 0))

    def body(t, ids, states, finished, lengths, total, out):
        # Only the rows still growing are computed; `states` holds theirs, in order.
        live = growing_rows(~finished)
        logits, new_states = step(tf.gather(ids, live), states)
        log_probs = allowed_log_probs(logits, forbidden_ids)
        chosen = tf.argmax(log_probs, axis=-1, output_type=tf.int32)
        chosen = tf.where(t >= tf.gather(max_lengths, live), end_id, chosen)  # out of room
        chosen_log_prob = tf.gather(log_probs, chosen, batch_dims=1)
        ended = tf.equal(chosen, end_id)
        at = live[:, None]
        total = tf.tensor_scatter_nd_add(total, at, chosen_log_prob)
        lengths = tf.tensor_scatter_nd_add(lengths, at, tf.cast(~ended, tf.int32))
        finished = tf.tensor_scatter_nd_update(finished, at, ended)
        ids = tf.tensor_scatter_nd_update(tf.fill([batch], pad_id), at, chosen)
        out = out.write(t, tf.where(finished, pad_id, ids))
        still = growing_rows(~ended)
        states = tf.nest.map_structure(lambda s: tf.gather(s, still), new_states)
        return t + 1, ids, states, finished, lengths, total, out

    def going(t, ids, states, finished, *_):
        return (t <= longest) & ~tf.reduce_all(finished)

    start = tf.fill([batch], tf.cast(start_id, tf.int32))
    out = tf.TensorArray(tf.int32, size=0, dynamic_size=True, element_shape=[None])
    _, _, _, _, lengths, total, out = tf.while_loop(
        going, body, (tf.constant(0), start, states, tf.zeros([batch], tf.bool),
                      tf.zeros([batch], tf.int32), tf.zeros([batch], tf.float32), out),
        shape_invariants=(tf.TensorShape([]), tf.TensorShape([None]),
                          tf.nest.map_structure(row_shape, states), tf.TensorShape([None]),
                          tf.TensorShape([None]), tf.TensorShape([None]), tf.TensorShape(None)))
    ids = tf.cond(out.size() > 0, lambda: tf.transpose(out.stack()),
                  lambda: tf.zeros([batch, 0], tf.int32))
    return ids[:, :tf.reduce_max(tf.concat([lengths, [0]], 0))], lengths, total
