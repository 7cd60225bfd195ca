"""A sequence tagger with an optional sentence-level head (slot filling + intent, NER)."""

import keras

from kerasrnn.activations import clipped_log
from kerasrnn.data import LetterTrigramEmbedding
from kerasrnn.layers import (
    CRF,
    RECURRENT_KINDS,
    AppendToSteps,
    ComposedSoftmax,
    ContextWindow,
    MaskedMeanMaxPooling,
    WordDropout,
    recurrent,
)

FEEDFORWARD = "feedforward"
# The `cell` values the tagger takes: every recurrent kind, and the memoryless baseline.
TAGGER_KINDS = (*RECURRENT_KINDS, FEEDFORWARD)
JORDAN_KINDS = ("jordan", "hybrid")  # their recurrence feeds back a tag distribution


def recurrent_stack(x, cell, units, layers, bidirectional, dropout, num_tags, prefix="",
                    return_sequences=True):
    """`layers` recurrent layers of one kind; Jordan kinds feed back a tag distribution.

    `cell="feedforward"` is the memoryless baseline: a tanh layer applied to each
    word on its own, which sees no other word than its context window.
    `return_sequences=False`: the last layer returns its final state only.
    """
    if cell == FEEDFORWARD:
        for index in range(layers):
            x = keras.layers.Dense(units, activation="tanh",
                                   name=f"{prefix}feedforward_{index + 1}")(x)
        return x
    for index in range(layers):
        options = {"return_sequences": return_sequences or index < layers - 1,
                   "dropout": dropout, "name": f"{prefix}{cell}_{index + 1}"}
        if cell in JORDAN_KINDS:
            # Mesnil's Jordan taggers feed back the previous step's label distribution.
            options["output_units"] = num_tags
        layer = recurrent(cell, units, **options)
        if bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"{prefix}bi_{cell}_{index + 1}")
        x = layer(x)
    return x


def build_joint_tagger(
    vocabulary_size,
    num_tags,
    num_intents=0,
    *,
    cell="lstm",
    units=128,
    layers=1,
    bidirectional=True,
    embedding_dim=128,
    trigram_bins=0,
    trigram_dim=0,
    max_trigrams=16,
    context_window=0,
    dropout=0.2,
    word_dropout=0.0,
    slot_head="softmax",
    intent_head="softmax",
    intent_composition=None,
    intent_encoder="shared",
    intent_to_slots=False,
    name="joint_tagger",
):
    """Builds `{words, trigrams} → {slots: per-token tag probabilities, intent: probabilities}`.

    Words are embedded (id 0 is padding and masked, id 1 the out-of-vocabulary bucket,
    which training practises on with `word_dropout`, see `WordDropout`);
    with `trigram_dim > 0` each word also gets the mean embedding of its hashed letter
    trigrams, so unseen words still have a meaningful vector; with `context_window=d`
    every step sees its d neighbours on either side. Then `layers` recurrent layers of
    kind `cell` (see `kerasrnn.layers.recurrent`), a softmax per token (`slots`; for a
    one-way Jordan network its own fed-back output), or with `slot_head="crf"` the
    emission scores of a linear-chain `CRF` layer named "crf" (for Jordan kinds, the log
    of their tag distributions), and, if `num_intents`, an intent output over the
    mean-and-max pooled word vectors and recurrent outputs (`intent`): a softmax over
    whole intent labels, or with `intent_head="multilabel"` one sigmoid per atomic
    intent, so that an utterance can ask for several things at once ("flights and
    fares": flight + airfare), combinations never seen in training included. With
    `intent_encoder="separate"` the intent reads its own recurrent layers (same kind and
    size; Elman for the Jordan kinds, whose recurrence runs over slot tags) instead of
    sharing the slot tagger's. With `intent_to_slots` each token's slot scores also read
    the predicted intent (`AppendToSteps`; not for the Jordan kinds, whose slot output
    is their fed-back distribution). Outputs are float32 under mixed precision.

    Inputs: `words` int `(batch, time)`; `trigrams` int `(batch, time, max_trigrams)`
    when `trigram_dim > 0`.
    """
    words = keras.Input((None,), dtype="int32", name="words")
    inputs = {"words": words}
    ids = WordDropout(word_dropout, name="word_dropout")(words) if word_dropout else words
    x = keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True,
                               name="word_embedding")(ids)
    if trigram_dim:
        trigrams = keras.Input((None, max_trigrams), dtype="int32", name="trigrams")
        inputs["trigrams"] = trigrams
        hashed = LetterTrigramEmbedding(num_bins=trigram_bins, output_dim=trigram_dim,
                                        max_trigrams=max_trigrams, mask_zero=True,
                                        name="trigram_embedding")(trigrams)
        # Both halves must carry the word mask: Keras 3's Concatenate ORs its inputs'
        # masks, and an input without one counts as all real, padding included.
        x = keras.layers.Concatenate(name="word_vectors")([x, hashed])
    if context_window:
        x = ContextWindow(context_window, name="context_window")(x)
    x = keras.layers.Dropout(dropout, name="input_dropout")(x)
    sequence = recurrent_stack(x, cell, units, layers, bidirectional, dropout, num_tags)
    if cell in JORDAN_KINDS:
        # Mesnil's Jordan tagger: the fed-back distribution *is* the slot prediction.
        # As scores (CRF emissions, or logits combining two directions) it enters as
        # log-probabilities: a Dense layer over probabilities in [0, 1] learns slowly
        # (measured on ATIS: slot F1 0.48-0.76 after 2 minutes, Elman 0.93).
        scores = keras.layers.Activation(clipped_log, dtype="float32",
                                         name="log_tag_probabilities")(sequence)
        if bidirectional:  # a product of the two directions' experts
            scores = keras.layers.Dense(num_tags, dtype="float32", name="emissions")(scores)
        if slot_head == "crf":
            slots = CRF(num_tags, name="crf")(scores)
        elif bidirectional:
            slots = keras.layers.Activation("softmax", dtype="float32", name="slots")(scores)
        else:
            slots = keras.layers.Activation("linear", dtype="float32", name="slots")(sequence)
    else:
        sequence = keras.layers.Dropout(dropout, name="output_dropout")(sequence)
    outputs = {}
    if num_intents:
        # The sentence vector pools the word vectors too: a bag of words helps intents.
        states = sequence
        if intent_encoder == "separate":
            kind = "elman" if cell in JORDAN_KINDS else cell
            states = recurrent_stack(x, kind, units, layers, bidirectional, dropout, 0,
                                      prefix="intent_")
            states = keras.layers.Dropout(dropout, name="intent_dropout")(states)
        elif intent_encoder != "shared":
            raise ValueError(f"intent_encoder must be 'shared' or 'separate', "
                             f"got {intent_encoder!r}")
        both = keras.layers.Concatenate(name="words_and_states")([x, states])
        pooled = MaskedMeanMaxPooling(name="sentence")(both)
        if intent_head == "composed":
            if intent_composition is None or len(intent_composition) != num_intents:
                raise ValueError("intent_head='composed' needs intent_composition: "
                                 f"one list of atom indices for each of the {num_intents} "
                                 "intents")
            intent = ComposedSoftmax(intent_composition, name="intent")
        else:
            activation = {"softmax": "softmax", "multilabel": "sigmoid"}[intent_head]
            intent = keras.layers.Dense(num_intents, activation=activation,
                                        dtype="float32", name="intent")
        outputs["intent"] = intent(pooled)
    if cell not in JORDAN_KINDS:
        if intent_to_slots and num_intents:
            sequence = AppendToSteps(name="states_and_intent")([sequence, outputs["intent"]])
        if slot_head == "crf":
            emissions = keras.layers.Dense(num_tags, dtype="float32", name="emissions")(sequence)
            # The CRF passes its emission scores through; CRFLoss(model.get_layer("crf"))
            # trains it and crf.decode() gives the best tag path.
            slots = CRF(num_tags, name="crf")(emissions)
        else:
            slots = keras.layers.Dense(num_tags, activation="softmax", dtype="float32",
                                       name="slots")(sequence)
    outputs = {"slots": slots, **outputs}
    return keras.Model(inputs, outputs, name=name)
