"""Intent labels: whole-label softmax (plain, composed) and sets of atoms (multilabel)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from apps.slot_filling.intents import IntentLabels, intent_vocabulary
from kerasrnn.losses import SmoothedSparseCrossentropy
from kerasrnn.metrics import intent_set_accuracy

TRAIN = ["flight"] * 5 + ["airfare"] * 3 + ["flight#airfare"] * 2 + ["airline#flight_no",
         "flight_no", "aircraft#flight#flight_no", "airline", "aircraft", "meal#aircraft",
         "meal#aircraft", ""]


def probabilities(labels, atoms):
    """Rows of atom probabilities: listed atoms get theirs, the rest 0.01."""
    rows = np.full((len(atoms), labels.size), 0.01, "float32")
    for row, chosen in zip(rows, atoms):
        for atom, p in chosen.items():
            row[labels.names.index(atom)] = p
    return rows


def decoded(labels, rows):
    names, probability = labels.decode(rows)
    return [n.decode() for n in names.numpy()], probability.numpy()


def test_atoms_are_ordered_by_their_position_in_training_labels():
    vocab = intent_vocabulary(TRAIN, "multilabel")
    atoms = vocab["intent_atoms"]
    assert sorted(atoms) == ["aircraft", "airfare", "airline", "flight", "flight_no", "meal"]
    assert atoms.index("flight") < atoms.index("airfare")
    assert atoms.index("airline") < atoms.index("flight_no")
    # aircraft#flight#flight_no is spelled as in training although flight comes first
    # in the atom order (mean position 1/8 against aircraft's 1/2).
    assert atoms.index("flight") < atoms.index("aircraft")
    assert vocab["intent_spellings"] == {"flight#aircraft#flight_no":
                                         "aircraft#flight#flight_no"}
    assert intent_vocabulary(TRAIN, "softmax") == {
        "intents": sorted(set(TRAIN) - {""})}


def test_targets_are_multi_hot_atoms():
    labels = IntentLabels("multilabel", intent_vocabulary(TRAIN, "multilabel"))
    targets = labels.targets(tf.constant(["flight#airfare", "airline", "day_name"])).numpy()
    assert targets.shape == (3, labels.size) == (3, 7)
    names = labels.names
    assert {names[i] for i in np.flatnonzero(targets[0])} == {"flight", "airfare"}
    assert {names[i] for i in np.flatnonzero(targets[1])} == {"airline"}
    assert {names[i] for i in np.flatnonzero(targets[2])} == {"[UNK]"}  # unseen atom


def test_decoding_joins_the_atoms_above_one_half():
    labels = IntentLabels("multilabel", intent_vocabulary(TRAIN, "multilabel"))
    rows = probabilities(labels, [
        {"flight": 0.9, "airfare": 0.8},                   # seen in training
        {"flight": 0.9, "airline": 0.7},                   # never seen together
        {"airline": 0.3, "flight": 0.2},                   # none above 1/2: the best one
        {"aircraft": 0.9, "flight": 0.8, "flight_no": 0.6},  # training's own spelling
        {"[UNK]": 0.99, "airline": 0.4},                   # the unknown atom is never chosen
    ])
    names, probability = decoded(labels, rows)
    assert names == ["flight#airfare", "airline#flight", "airline", "aircraft#flight#flight_no",
                     "airline"]
    # p(exactly this set) = Π chosen p · Π others (1 − p); the [UNK] column is not an atom
    assert probability[0] == pytest.approx(0.9 * 0.8 * 0.99 ** 4, rel=1e-5)
    assert probability[2] == pytest.approx(0.3 * 0.8 * 0.99 ** 4, rel=1e-5)
    assert probability[4] == pytest.approx(0.4 * 0.99 ** 5, rel=1e-5)


def test_set_accuracy_counts_exact_sets_as_decoded():
    labels = IntentLabels("multilabel", intent_vocabulary(TRAIN, "multilabel"))
    truth = labels.targets(tf.constant(["flight#airfare", "airline", "flight", "airline"]))
    rows = probabilities(labels, [{"flight": 0.9, "airfare": 0.8},
                                  {"airline": 0.4},                   # best of none: right
                                  {"flight": 0.9, "airfare": 0.6},    # one atom too many
                                  {"flight": 0.4}])                   # wrong atom
    assert intent_set_accuracy(truth, rows).numpy().tolist() == [1, 1, 0, 0]


def test_softmax_decoding_takes_the_most_probable_label():
    vocab = intent_vocabulary(TRAIN, "softmax")
    labels = IntentLabels("softmax", vocab)
    rows = np.zeros((2, labels.size), "float32")
    rows[0, labels.names.index("flight#airfare")] = 0.7
    rows[1, labels.names.index("airline")] = 0.6
    names, probability = decoded(labels, rows)
    assert names == ["flight#airfare", "airline"]
    np.testing.assert_allclose(probability, [0.7, 0.6])
    assert labels.targets(tf.constant(["airline", "nope"])).numpy().tolist() == [
        labels.names.index("airline"), 1]


def test_composed_head_is_a_softmax_over_whole_labels_knowing_their_atoms():
    labels = IntentLabels("composed", intent_vocabulary(TRAIN, "composed"))
    assert labels.names == IntentLabels("softmax", intent_vocabulary(TRAIN, "softmax")).names
    composition = labels.composition()
    atoms = sorted({a for label in TRAIN if label for a in label.split("#")})
    assert len(composition) == labels.size
    assert composition[:2] == [[], []]  # padding and [UNK]
    for name, parts in zip(labels.names[2:], composition[2:]):
        assert [atoms[i] for i in parts] == name.split("#")
    rows = np.zeros((1, labels.size), "float32")
    rows[0, labels.names.index("meal#aircraft")] = 0.8
    assert decoded(labels, rows)[0] == ["meal#aircraft"]
    assert labels.loss() == "sparse_categorical_crossentropy"


def test_unknown_head_is_refused():
    with pytest.raises(ValueError, match="intent head"):
        IntentLabels("beam", {})


def test_smoothed_loss_is_keras_crossentropy_on_smoothed_one_hot_targets(rng):
    logits = rng.normal(size=(6, 5)).astype("float32")
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    ids = np.array([0, 4, 2, 2, 1, 3])
    for smoothing in (0.0, 0.1, 0.3):
        got = SmoothedSparseCrossentropy(smoothing)(ids, probs)
        expected = keras.losses.CategoricalCrossentropy(label_smoothing=smoothing)(
            np.eye(5, dtype="float32")[ids], probs)
        np.testing.assert_allclose(float(got), float(expected), rtol=1e-6)
    # By hand for one row: −(1 − ε)·log p_y − (ε/K)·Σ_k log p_k.
    by_hand = -0.9 * np.log(probs[1, 4]) - 0.1 / 5 * np.log(probs[1]).sum()
    np.testing.assert_allclose(float(SmoothedSparseCrossentropy(0.1)(ids[1:2], probs[1:2])),
                               by_hand, rtol=1e-6)
    # Targets shaped (batch, 1), as Keras may hand them over, give the same loss.
    np.testing.assert_allclose(float(SmoothedSparseCrossentropy(0.1)(ids[:, None], probs)),
                               float(SmoothedSparseCrossentropy(0.1)(ids, probs)), rtol=1e-6)


def test_smoothing_picks_the_loss_and_survives_serialization():
    vocab = intent_vocabulary(TRAIN, "softmax")
    assert IntentLabels("softmax", vocab).loss() == "sparse_categorical_crossentropy"
    loss = IntentLabels("composed", vocab, smoothing=0.2).loss()
    assert isinstance(loss, SmoothedSparseCrossentropy) and loss.smoothing == 0.2
    clone = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(clone, SmoothedSparseCrossentropy) and clone.smoothing == 0.2
    multilabel = IntentLabels("multilabel", intent_vocabulary(TRAIN, "multilabel"), 0.2)
    assert multilabel.loss().__name__ == "summed_binary_crossentropy"
    with pytest.raises(ValueError, match="smoothing"):
        SmoothedSparseCrossentropy(1.0)
