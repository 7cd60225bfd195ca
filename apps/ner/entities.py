"""Entity spans from BIO tags inside the SavedModel, with character offsets."""

import tensorflow as tf

from kerasrnn.data.vocabulary import PAD


def _shift_right(x, fill):
    return tf.concat([tf.fill([tf.shape(x)[0], 1], fill), x[:, :-1]], axis=1)


def _shift_left(x, fill):
    return tf.concat([x[:, 1:], tf.fill([tf.shape(x)[0], 1], fill)], axis=1)


def entity_spans(text, tags, starts, ends):
    """BIO tags `(batch, time)` → the entities of each text, padded.

    Chunks are conlleval's (and seqeval's, which scores them): an entity starts at
    `B-X`, or at `I-X` after `O` or after another type, and goes on over `I-X`.

    Args:
        text: the raw strings `(batch,)`.
        tags: tag strings `(batch, time)`, "" on padding.
        starts, ends: each token's code-point offsets into its text `(batch, time)`.

    Returns:
        {"entity_types", "entity_texts"} strings and {"entity_starts",
        "entity_ends"} int32 `(batch, entities)`, padded with "" and -1 (at least
        one column), so that `text[start:end]` is the entity's text.
    """
    prefix = tf.strings.substr(tags, 0, 1)
    kind = tf.strings.regex_replace(tags, "^[BI]-", "")
    inside = tf.strings.regex_full_match(tags, "[BI]-.+")
    continues = (inside & tf.equal(prefix, "I") & _shift_right(inside, False)
                 & tf.equal(kind, _shift_right(kind, PAD)))
    begins = inside & ~continues
    finishes = inside & ~_shift_left(continues, False)
    types = tf.ragged.boolean_mask(kind, begins)
    first = tf.ragged.boolean_mask(starts, begins)
    last = tf.ragged.boolean_mask(ends, finishes)
    source = tf.gather(text, first.value_rowids())
    texts = first.with_values(tf.strings.substr(source, first.values,
                                                last.values - first.values, unit="UTF8_CHAR"))

    def dense(ragged, fill):
        padded = ragged.to_tensor(default_value=fill)
        return tf.pad(padded, [[0, 0], [0, tf.maximum(0, 1 - tf.shape(padded)[1])]],
                      constant_values=fill)

    return {"entity_types": dense(types, PAD), "entity_texts": dense(texts, PAD),
            "entity_starts": dense(first, -1), "entity_ends": dense(last, -1)}
