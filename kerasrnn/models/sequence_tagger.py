"""A word-level sequence tagger with character features (NER, POS tagging)."""

import keras

from kerasrnn.activations import clipped_log
from kerasrnn.data.trigrams import LetterTrigramEmbedding
from kerasrnn.data.word_features import CASING_CLASSES, MAX_TRIGRAMS
from kerasrnn.layers import CRF, CharacterBiLSTM, CharacterCNN, WordDropout
from kerasrnn.models.joint_tagger import JORDAN_KINDS, recurrent_stack

CHAR_ENCODERS = ("cnn", "lstm", "none")
HEADS = ("crf", "softmax")


def build_sequence_tagger(
    num_words,
    num_tags,
    *,
    num_chars=0,
    char_encoder="cnn",
    char_dim=30,
    char_units=30,
    casing=True,
    casing_dim=8,
    trigram_bins=0,
    trigram_dim=0,
    embedding_dim=100,
    embeddings=None,
    cell="lstm",
    units=200,
    layers=1,
    bidirectional=True,
    dropout=0.5,
    word_dropout=0.0,
    head="crf",
    name="sequence_tagger",
):
    """Builds `{words, casing, chars, trigrams} → {"tags": per-token scores}`.

    Each word is represented by the concatenation of

        e_w  word embedding (id 0 padding and masked, id 1 the out-of-vocabulary
             bucket, practised with `word_dropout`; from `embeddings` if given),
        e_c  casing-class embedding (`casing`; see `CASING_CLASSES`),
        v_c  character encoding: `CharacterCNN` (Ma & Hovy 2016) or
             `CharacterBiLSTM` (Lample et al. 2016), by `char_encoder`,
        e_t  mean letter-trigram embedding (`trigram_dim > 0`; Huang et al. 2013),

    then dropout, `layers` recurrent layers of kind `cell` (`kerasrnn.layers.recurrent`;
    both ways with `bidirectional`), dropout, and per token either emission scores
    for a linear-chain `CRF` named "crf" (`head="crf"`: train with
    `CRFLoss(model.get_layer("crf"))`, decode with its Viterbi `decode`) or a
    softmax over the tags (`head="softmax"`). This is the BiLSTM-CNN-CRF of Ma &
    Hovy 2016 / the BiLSTM-CRF of Lample et al. 2016 and Huang et al. 2015. The
    Jordan kinds feed back a distribution over `num_tags` (Mesnil et al. 2015) whose
    log-probabilities become the scores through a Dense layer.

    Args:
        num_words: word ids, padding and OOV included.
        num_tags: tag ids (the app decides which are never predicted).
        num_chars: character ids, padding and unknown included (0: no characters).
        char_encoder: "cnn", "lstm" or "none".
        char_dim, char_units: character embedding size; CNN filters or LSTM units
            per direction.
        casing, casing_dim: whether to add the casing embedding, and its size.
        trigram_bins, trigram_dim: letter-trigram buckets and embedding size (0: none).
        embedding_dim: word embedding size (ignored when `embeddings` is given).
        embeddings: optional initial word vectors, a `(num_words, dim)` array.
        cell, units, layers, bidirectional: the recurrent layers.
        dropout: before and after the recurrent layers, and on recurrent inputs.
        word_dropout: training-time probability that a word id becomes OOV.
        head: "crf" or "softmax".

    Inputs: `words` int32 `(batch, time)`; `casing` int32 `(batch, time)`; `chars`
    int32 `(batch, time, max_chars)`; `trigrams` int32 `(batch, time, 16)` — the
    ones enabled, as `kerasrnn.data.word_features.WordFeatures` makes them.

    Returns:
        A functional `keras.Model` with one output, "tags": `(batch, time, num_tags)`
        float32 (CRF emission scores, or probabilities).

    Raises:
        ValueError: an unknown `char_encoder` or `head`, or `embeddings` whose row
            count is not `num_words`.
    """
    if char_encoder not in CHAR_ENCODERS:
        raise ValueError(f"char_encoder must be one of {CHAR_ENCODERS}, got {char_encoder!r}")
    if head not in HEADS:
        raise ValueError(f"head must be one of {HEADS}, got {head!r}")
    words = keras.Input((None,), dtype="int32", name="words")
    inputs = {"words": words}
    ids = WordDropout(word_dropout, name="word_dropout")(words) if word_dropout else words
    if embeddings is not None:
        if embeddings.shape[0] != num_words:
            raise ValueError(f"embeddings have {embeddings.shape[0]} rows, expected {num_words}")
        embedding_dim = embeddings.shape[1]
    embedding = keras.layers.Embedding(num_words, embedding_dim, mask_zero=True,
                                       name="word_embedding")
    # Every part carries the word mask: Keras 3's Concatenate ORs its inputs' masks.
    parts = [embedding(ids)]
    if casing:
        inputs["casing"] = keras.Input((None,), dtype="int32", name="casing")
        parts.append(keras.layers.Embedding(len(CASING_CLASSES), casing_dim, mask_zero=True,
                                            name="casing_embedding")(inputs["casing"]))
    if char_encoder != "none" and num_chars:
        inputs["chars"] = keras.Input((None, None), dtype="int32", name="chars")
        if char_encoder == "cnn":
            encoder = CharacterCNN(num_chars, char_dim, char_units, dropout=dropout,
                                   name="char_cnn")
        else:
            encoder = CharacterBiLSTM(num_chars, char_dim, char_units, dropout=dropout,
                                      name="char_lstm")
        parts.append(encoder(inputs["chars"]))
    if trigram_dim:
        inputs["trigrams"] = keras.Input((None, MAX_TRIGRAMS), dtype="int32", name="trigrams")
        parts.append(LetterTrigramEmbedding(num_bins=trigram_bins, output_dim=trigram_dim,
                                            max_trigrams=MAX_TRIGRAMS, mask_zero=True,
                                            name="trigram_embedding")(inputs["trigrams"]))
    x = keras.layers.Concatenate(name="word_vectors")(parts) if len(parts) > 1 else parts[0]
    x = keras.layers.Dropout(dropout, name="input_dropout")(x)
    x = recurrent_stack(x, cell, units, layers, bidirectional, dropout, num_tags)
    if cell in JORDAN_KINDS:  # a tag distribution: its logarithm is what scores combine
        x = keras.layers.Activation(clipped_log, dtype="float32", name="log_tag_probabilities")(x)
    else:
        x = keras.layers.Dropout(dropout, name="output_dropout")(x)
    if head == "crf":
        scores = keras.layers.Dense(num_tags, dtype="float32", name="emissions")(x)
        tags = CRF(num_tags, name="crf")(scores)
    else:
        tags = keras.layers.Dense(num_tags, activation="softmax", dtype="float32",
                                  name="tag_probabilities")(x)
    model = keras.Model(inputs, {"tags": tags}, name=name)
    if embeddings is not None:  # assigned, not an initializer: the config stays small
        embedding.embeddings.assign(keras.ops.cast(embeddings, embedding.embeddings.dtype))
    return model
