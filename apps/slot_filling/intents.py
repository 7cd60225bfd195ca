"""Intent labels as one class each (softmax, composed) or as sets of atomic intents (multilabel).

ATIS labels some utterances with several intents joined by "#":
"i need flight and fare information ..." is `atis_flight#atis_airfare`. A softmax
over whole labels treats that as one more class, with a few training examples,
and can never output a combination absent from training (the ATIS test split
has two). The multilabel head instead predicts each atomic intent with its own
sigmoid and joins the atoms whose probability is above 1/2 (at least the most
probable one):

    p(atom_k | x) = σ(w_k · h(x) + b_k)          chosen = {k : p_k > 1/2} ∪ {argmax_k p_k}

    p(label | x) = Π_{k ∈ chosen} p_k · Π_{k ∉ chosen} (1 − p_k)

(the probability of exactly that set when atoms are independent given x).
Atoms are joined in the order training labels use: a set seen in training is
written as its most frequent training spelling; any other set lists its atoms
by their mean position in the training labels.

The composed head keeps the softmax over whole training labels (one decision,
calibrated probabilities, only label sets seen in training) but scores each
label with its own weights plus those of its atoms (`kerasrnn.layers.ComposedSoftmax`),
so `atis_flight#atis_airfare` also uses what every `atis_flight` and
`atis_airfare` utterance taught about flights and fares.

Everything here is TensorFlow ops on string tensors, so training targets, the
evaluation and the exported SavedModel decode intents in exactly one way. The
padding label and `[UNK]` have output columns (ids 0 and 1) but are never decoded:
a served intent is always one that training could teach.
"""

from collections import Counter, defaultdict

import keras
import tensorflow as tf

from kerasrnn.data.vocabulary import OOV, PAD, make_lookup
from kerasrnn.losses import SmoothedSparseCrossentropy, summed_binary_crossentropy
from kerasrnn.metrics import intent_set_accuracy

SEPARATOR = "#"
HEADS = ("softmax", "multilabel", "composed")
FIRST_LABEL = 2  # whole-label heads: ids 0 and 1 are padding and [UNK]


def intent_vocabulary(labels, head):
    """The vocab.json entries of `head` for the training labels (strings, "" = none)."""
    labels = [label for label in labels if label]
    if head in ("softmax", "composed"):
        return {"intents": sorted(set(labels))}
    positions = defaultdict(list)
    spellings = defaultdict(Counter)
    for label in labels:
        atoms = label.split(SEPARATOR)
        for index, atom in enumerate(atoms):
            positions[atom].append(index)
        spellings[frozenset(atoms)][label] += 1
    atoms = sorted(positions, key=lambda a: (sum(positions[a]) / len(positions[a]), a))
    order = {atom: i for i, atom in enumerate(atoms)}
    sets = {}
    for atom_set, counts in spellings.items():
        canonical = SEPARATOR.join(sorted(atom_set, key=order.get))
        spelling = max(sorted(counts), key=counts.get)
        if spelling != canonical:
            sets[canonical] = spelling
    return {"intent_atoms": atoms, "intent_spellings": sets}


class IntentLabels:
    """Targets, loss and decoding of the intent output for one head and vocabulary."""

    def __init__(self, head, vocab, smoothing=0.0):
        if head not in HEADS:
            raise ValueError(f"intent head must be one of {HEADS}, got {head!r}")
        self.head = head
        self.smoothing = smoothing  # of the whole-label heads' target; multilabel: unused
        # softmax and composed both pick one whole label; composed shares atom scores
        self.whole_labels = head != "multilabel"
        if self.whole_labels:
            self.lookup = make_lookup(vocab["intents"])
            self.names = [PAD, OOV, *vocab["intents"]]
        else:
            # Column 0 is the out-of-vocabulary atom: never a target, never chosen.
            self.lookup = keras.layers.StringLookup(vocabulary=vocab["intent_atoms"],
                                                    num_oov_indices=1, oov_token=OOV,
                                                    output_mode="multi_hot")
            self.names = [OOV, *vocab["intent_atoms"]]
            canonical = sorted(vocab["intent_spellings"])
            self.spelling_keys = keras.layers.StringLookup(vocabulary=canonical or ["#none"],
                                                           num_oov_indices=1)
            self.spellings = [""] + [vocab["intent_spellings"][k] for k in canonical]

    @property
    def size(self):
        """Width of the model's intent output."""
        return len(self.names)

    def composition(self):
        """For the composed head: each output column's atoms, as indices into the atoms.

        Atoms are the "#"-separated parts of the training labels, sorted; padding and
        the out-of-vocabulary label have none.
        """
        labels = [name.split(SEPARATOR) if name not in (PAD, OOV) else []
                  for name in self.names]
        atoms = sorted({atom for parts in labels for atom in parts})
        index = {atom: i for i, atom in enumerate(atoms)}
        return [[index[atom] for atom in parts] for parts in labels]

    def serving_layers(self):
        """Layers whose lookup tables `decode` uses (an exported function captures them)."""
        return [self.spelling_keys] if self.head == "multilabel" else []

    def targets(self, labels):
        """String labels `[batch]` -> class ids (softmax) or multi-hot atoms (multilabel)."""
        if self.whole_labels:
            return self.lookup(labels)
        atoms = tf.strings.split(labels, SEPARATOR)
        return tf.cast(self.lookup(atoms), tf.float32)

    def loss(self):
        if self.whole_labels:
            if self.smoothing:
                return SmoothedSparseCrossentropy(self.smoothing)
            return "sparse_categorical_crossentropy"
        return summed_binary_crossentropy

    def metric(self):
        if self.whole_labels:
            return "sparse_categorical_accuracy"
        return intent_set_accuracy

    def decode(self, probabilities):
        """Intent probabilities `[batch, size]` -> (label strings, their probability).

        Only training labels are ever chosen (never padding or `[UNK]`).
        """
        probabilities = tf.cast(probabilities, tf.float32)
        names = tf.constant(self.names)
        if self.whole_labels:
            labels = probabilities[:, FIRST_LABEL:]
            best = tf.argmax(labels, -1, output_type=tf.int32)
            return tf.gather(names, best + FIRST_LABEL), tf.reduce_max(labels, axis=-1)
        atoms = probabilities[:, 1:]
        best = tf.one_hot(tf.argmax(atoms, -1), tf.shape(atoms)[-1], on_value=True,
                          off_value=False)
        chosen = tf.logical_or(atoms > 0.5, best)
        probability = tf.reduce_prod(tf.where(chosen, atoms, 1.0 - atoms), axis=-1)
        batch_names = tf.broadcast_to(names[1:], tf.shape(atoms))
        canonical = tf.strings.reduce_join(tf.ragged.boolean_mask(batch_names, chosen),
                                           axis=-1, separator=SEPARATOR)
        spelling = tf.gather(tf.constant(self.spellings), self.spelling_keys(canonical))
        return tf.where(spelling == "", canonical, spelling), probability
