"""A recurrent sentence classifier: words → recurrent layers → one pooled vector → softmax."""

import keras

from kerasrnn.data.trigrams import LetterTrigramEmbedding
from kerasrnn.data.word_features import MAX_TRIGRAMS
from kerasrnn.layers import RECURRENT_KINDS, AttentionPooling, MaskedPooling, WordDropout
from kerasrnn.models.joint_tagger import recurrent_stack

POOLINGS = ("last", "mean", "max", "attention")


def build_sentence_classifier(
    num_words,
    num_classes,
    *,
    embedding_dim=100,
    trigram_bins=0,
    trigram_dim=0,
    cell="lstm",
    units=128,
    layers=1,
    bidirectional=True,
    pooling="max",
    attention_units=64,
    dropout=0.5,
    word_dropout=0.0,
    name="sentence_classifier",
):
    """Builds `{words[, trigrams]} → {"label": class probabilities}`.

    Each word is its embedding (id 0 padding and masked, id 1 the
    out-of-vocabulary bucket, practised with `word_dropout`), joined with the mean
    embedding of its hashed letter trigrams when `trigram_dim > 0` (Huang et al.
    2013), so an unseen word still has a vector from its spelling. Then dropout,
    `layers` recurrent layers of kind `cell` (`kerasrnn.layers.recurrent`; both
    ways with `bidirectional`, the two directions' outputs concatenated), one
    sentence vector by `pooling`, dropout, and a softmax over the classes:

        last       the final state of each direction (forward after the last real
                   word, backward after the first)
        mean, max  over the real steps (`MaskedPooling`)
        attention  additive attention with a learned query (`AttentionPooling`,
                   named "attention"; its second output, the weight of each word,
                   is what `predict --explain` shows)

    Args:
        num_words: word ids, padding and the OOV bucket included.
        num_classes: classes of the softmax.
        embedding_dim: word embedding size.
        trigram_bins, trigram_dim: letter-trigram hash buckets and embedding size
            (`trigram_dim=0`: no trigram input).
        cell, units, layers, bidirectional: the recurrent layers (units per
            direction). The Jordan kinds feed back an output of `units` values.
        pooling: one of `POOLINGS`.
        attention_units: size of the attention's hidden layer.
        dropout: on word vectors, on recurrent inputs, and on the sentence vector.
        word_dropout: training-time probability that a word id becomes OOV.

    Inputs: `words` int32 `(batch, time)`; `trigrams` int32 `(batch, time, 16)` when
    `trigram_dim > 0` — as `kerasrnn.data.word_features.WordFeatures` makes them.

    Returns:
        A functional `keras.Model` with one output, "label": `(batch, num_classes)`
        float32 probabilities.

    Raises:
        ValueError: an unknown `pooling` or `cell`, or fewer than 2 classes.
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
    if cell not in RECURRENT_KINDS:
        raise ValueError(f"cell must be one of {RECURRENT_KINDS}, got {cell!r}")
    if num_classes < 2:
        raise ValueError(f"a classifier needs at least 2 classes, got {num_classes}")
    words = keras.Input((None,), dtype="int32", name="words")
    inputs = {"words": words}
    ids = WordDropout(word_dropout, name="word_dropout")(words) if word_dropout else words
    x = keras.layers.Embedding(num_words, embedding_dim, mask_zero=True,
                               name="word_embedding")(ids)
    if trigram_dim:
        inputs["trigrams"] = keras.Input((None, MAX_TRIGRAMS), dtype="int32", name="trigrams")
        spelled = LetterTrigramEmbedding(num_bins=trigram_bins, output_dim=trigram_dim,
                                         max_trigrams=MAX_TRIGRAMS, mask_zero=True,
                                         name="trigram_embedding")(inputs["trigrams"])
        # Both parts carry the word mask (Keras 3's Concatenate ORs its inputs' masks).
        x = keras.layers.Concatenate(name="word_vectors")([x, spelled])
    x = keras.layers.Dropout(dropout, name="input_dropout")(x)
    # Jordan kinds feed back an output of `units` (there are no tags to feed back).
    x = recurrent_stack(x, cell, units, layers, bidirectional, dropout, units,
                        return_sequences=pooling != "last")
    if pooling == "attention":
        x, _ = AttentionPooling(attention_units, name="attention")(x)
    elif pooling in ("mean", "max"):
        x = MaskedPooling(pooling, name=f"{pooling}_pooling")(x)
    x = keras.layers.Dropout(dropout, name="sentence_dropout")(x)
    label = keras.layers.Dense(num_classes, activation="softmax", dtype="float32",
                               name="label")(x)
    return keras.Model(inputs, {"label": label}, name=name)
