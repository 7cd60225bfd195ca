"""Batched beam search as one compiled loop over a recurrent `step` function.

The `step` function and its states are those of `greedy_search` (see
kerasrnn/generation/greedy.py). Each sentence keeps `beam_size` hypotheses; at
each step every hypothesis is extended by every allowed token and the
`beam_size` best extensions are kept, ranked by the length-normalised score of
Wu et al. (2016), "Google's Neural Machine Translation System", equation 14:

    s(Y) = log p(Y | X) / lp(Y),    lp(Y) = (5 + |Y|)^α / (5 + 1)^α

(|Y| counts the tokens and the end token; α = 0 gives the raw log-probability, the
plain beam search of Sutskever et al. 2014; α ≈ 0.6 is GNMT's choice). A hypothesis
that has ended stays in its beam unchanged (extended by padding at no cost), so it
competes with the hypotheses still growing. Each sentence's best-scoring hypothesis
is returned.

Hypotheses that can no longer win are dropped early, with the same result. A
growing hypothesis's log-probability L ≤ 0 can only fall, so its final score is at
most L / max(lp(n + 1), lp(m + 1)) for n tokens so far and at most m before the
end token (lp is monotone in |Y|, so one of the two ends of the range is its
largest value). Once that bound is no better than the best ended hypothesis of its
sentence, neither it nor any extension of it can win, and it gets a score of -inf
(no longer computed). Nor can it have kept a hypothesis that could win out of the
beam: the growing hypotheses of one step all have the same length, so they rank as
their bounds do, and a dropped one ranks below every one that could still win.
(An exact rule, where the usual early stopping of NMT toolkits stops at `beam`
ended hypotheses or on a heuristic.) Without it, one growing hypothesis that never
ends keeps a whole batch decoding up to `max_lengths`. The loop stops when no
hypothesis is growing.

Sentences and beams are one batch of `batch × beam_size` rows, whose bookkeeping
(tokens, scores, lengths) is kept for every row, but `step` is called only on the
rows still growing (see kerasrnn/generation/rows.py): an ended or dropped
hypothesis costs nothing, and at the first step only each sentence's first beam is
alive. The states passed to `step` are those rows' states, in row order: the
initial states as given (one row per sentence), then, after each step, the state
of each growing row's origin, so every state (the decoder's, and anything else
carried, such as the encoder's outputs) follows its beam. With `beam_size` 1 the
search is greedy decoding.
"""

import tensorflow as tf

from kerasrnn.generation.greedy import allowed_log_probs
from kerasrnn.generation.rows import growing_rows, row_shape

_NEG_INF = -float("inf")


def length_penalty(lengths, alpha):
    """GNMT's `lp(Y) = ((5 + |Y|) / 6) ** alpha` (1 for alpha = 0)."""
    return tf.pow((5.0 + tf.cast(lengths, tf.float32)) / 6.0, alpha)


def beam_search(step, states, start_id, end_id, max_lengths, beam_size=4, length_alpha=0.6,
                forbidden_ids=(), pad_id=0, early_stopping=True):
    """Beam search over a batch of sentences in one `tf.while_loop`.

    Args:
        step, states, start_id, end_id, max_lengths, forbidden_ids, pad_id: as in
            `greedy_search`: the end token is forced once a hypothesis has
            `max_lengths` tokens.
        beam_size: hypotheses kept per sentence (a Python int or a scalar tensor ≥ 1).
        length_alpha: α of the length penalty (0: rank by log-probability alone).
        early_stopping: drop a growing hypothesis once it can't beat its
            sentence's best ended one (see the module docstring; the result is
            the same either way, up to ties; False only for tests and timings).

    Returns:
        `(ids, lengths, log_probability)` of each sentence's best hypothesis, as in
        `greedy_search`; `log_probability` is its raw total (before the penalty).
    """
    max_lengths = tf.maximum(tf.cast(max_lengths, tf.int32), 0)
    batch = tf.shape(max_lengths)[0]
    beam = tf.maximum(tf.cast(beam_size, tf.int32), 1)
    rows = batch * beam
    longest = tf.reduce_max(tf.concat([max_lengths, [0]], 0))
    row_max = tf.repeat(max_lengths, beam)
    alpha = tf.cast(length_alpha, tf.float32)

    def body(t, ids, states, totals, finished, lengths, tokens):
        # Only the growing rows are computed (`states` holds theirs, in row order);
        # the others are ended, so their extensions below are padding.
        live = growing_rows(~finished & (totals > _NEG_INF))
        logits, new_states = step(tf.gather(ids, live), states)
        log_probs = allowed_log_probs(logits, forbidden_ids)
        # A sentence's best `beam` extensions are among each of its beams' best
        # `beam` tokens (a beam's extensions all have the same length, so the same
        # penalty): only those leave the [rows, vocabulary] tensor.
        k = tf.minimum(beam, tf.shape(log_probs)[1])
        best, best_ids = tf.math.top_k(log_probs, k)  # [live rows, k]
        at = live[:, None]
        best = tf.scatter_nd(at, best, [rows, k])
        best_ids = tf.scatter_nd(at, best_ids, [rows, k])
        end_log_prob = tf.scatter_nd(at, tf.gather(log_probs, end_id, axis=1), [rows])
        only_first = tf.one_hot(0, k, on_value=0.0, off_value=_NEG_INF)[None]
        # Out of room: only the end token; ended: only padding, at no cost.
        forced = t >= row_max
        best = tf.where(forced[:, None], end_log_prob[:, None] + only_first, best)
        best_ids = tf.where(forced[:, None], end_id, best_ids)
        best = tf.where(finished[:, None], only_first, best)
        best_ids = tf.where(finished[:, None], pad_id, best_ids)
        candidates = totals[:, None] + best
        new_lengths = lengths + tf.cast(~finished, tf.int32)
        scores = candidates / length_penalty(new_lengths, alpha)[:, None]
        _, flat = tf.math.top_k(tf.reshape(scores, [batch, beam * k]), beam)  # [batch, beam]
        origin = tf.reshape(flat // k + tf.range(batch)[:, None] * beam, [-1])
        picked = origin * k + tf.reshape(flat % k, [-1])
        chosen = tf.gather(tf.reshape(best_ids, [-1]), picked)
        totals = tf.gather(tf.reshape(candidates, [-1]), picked)
        finished = tf.gather(finished, origin) | tf.equal(chosen, end_id)
        lengths = tf.gather(new_lengths, origin)
        if early_stopping:
            totals = _prune(finished, totals, lengths, row_max, alpha, batch, beam)
        # A row still growing extends a row that grew this step: its state follows.
        position = tf.scatter_nd(at, tf.range(tf.size(live)), [rows])
        growing = growing_rows(~finished & (totals > _NEG_INF))
        index = tf.gather(position, tf.gather(origin, growing))
        states = tf.nest.map_structure(lambda s: tf.gather(s, index), new_states)
        kept = tf.where(finished, pad_id, chosen)
        tokens = tf.concat([tf.gather(tokens, origin), kept[:, None]], 1)
        return t + 1, chosen, states, totals, finished, lengths, tokens

    def going(t, ids, states, totals, finished, *_):
        # A beam at -inf (fewer allowed tokens than beams) is as good as ended.
        return (t <= longest) & tf.reduce_any(~finished & (totals > _NEG_INF))

    # Only the first beam of each sentence starts alive, so the first step's
    # extensions are distinct; the others start at -inf (so the growing rows'
    # states are the sentences' own, in order).
    first = tf.one_hot(0, beam, on_value=0.0, off_value=_NEG_INF)
    totals = tf.reshape(tf.tile(first[None], [batch, 1]), [-1])
    _, _, _, totals, _, lengths, tokens = tf.while_loop(
        going, body,
        (tf.constant(0), tf.fill([rows], tf.cast(start_id, tf.int32)), states, totals,
         tf.zeros([rows], tf.bool), tf.zeros([rows], tf.int32),
         tf.zeros([rows, 0], tf.int32)),
        shape_invariants=(tf.TensorShape([]), tf.TensorShape([None]),
                          tf.nest.map_structure(row_shape, states), tf.TensorShape([None]),
                          tf.TensorShape([None]), tf.TensorShape([None]),
                          tf.TensorShape([None, None])))
    # The winner of each sentence: its best normalised score (lengths count the end token).
    final = totals / length_penalty(lengths, alpha)
    winner = tf.argmax(tf.reshape(final, [batch, beam]), axis=1, output_type=tf.int32)
    rows_won = winner + tf.range(batch) * beam
    lengths = tf.maximum(tf.gather(lengths, rows_won) - 1, 0)
    ids = tf.gather(tokens, rows_won)[:, :tf.reduce_max(tf.concat([lengths, [0]], 0))]
    return ids, lengths, tf.gather(totals, rows_won)


def _prune(finished, totals, lengths, row_max, alpha, batch, beam):
    """-inf for every growing hypothesis that can't beat its sentence's best ended one.

    Its bound (see the module docstring) is at most that score, so neither it nor
    any extension of it can win; it is no longer computed.
    """
    score = totals / length_penalty(lengths, alpha)
    best_ended = tf.reduce_max(tf.reshape(tf.where(finished, score, _NEG_INF), [batch, beam]), 1)
    largest = tf.maximum(length_penalty(lengths + 1, alpha), length_penalty(row_max + 1, alpha))
    hopeless = ~finished & (totals / largest <= tf.repeat(best_ended, beam))
    return tf.where(hopeless, _NEG_INF, totals)
