"""`ComposedSoftmax`: a softmax over labels that are sets of atoms, sharing the atoms' evidence."""

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="kerasrnn")
class ComposedSoftmax(keras.layers.Layer):
    """Softmax over labels, where a label may combine several atoms and shares their scores.

        z_L = w_L · h + b_L + Σ_{a ∈ atoms(L)} v_a · h        p(L | h) = softmax_L(z)

    Each label L keeps a score of its own (w_L, b_L: a plain `Dense` + softmax), and
    adds the score v_a · h of every atom it is made of. A rare combined label such as
    ATIS' `atis_flight#atis_airfare` (19 training utterances) then also scores with
    what thousands of `atis_flight` and hundreds of `atis_airfare` utterances taught
    v_flight and v_airfare; a single-atom label's score is its own plus its atom's.
    With only the atom scores (w = 0, b = 0) this is the multilabel model
    p(S) ∝ Π_{a ∈ S} σ(s_a) Π_{a ∉ S} (1 − σ(s_a)) restricted to the label sets of the
    vocabulary, which keeps the softmax's single decision and its calibration.

    The atom kernel v starts at zero, so a new layer computes exactly what `Dense` +
    softmax with the same (w, b) computes.

    Args:
        composition: one list of atom indices per label (in label order); a label
            with no atoms (padding, out-of-vocabulary) has only its own score.
        num_atoms: atoms in all (default: the largest index in `composition` + 1).

    Call arguments:
        inputs: `(batch, features)`.

    Returns:
        Label probabilities `(batch, len(composition))`, float32.

    Example:
        >>> layer = ComposedSoftmax([[], [0], [1], [0, 1]])   # pad, a, b, a#b
        >>> layer(np.ones((2, 8))).shape
        (2, 4)
    """

    def __init__(self, composition, num_atoms=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.composition = [[int(a) for a in atoms] for atoms in composition]
        largest = max((a for atoms in self.composition for a in atoms), default=-1)
        self.num_atoms = largest + 1 if num_atoms is None else int(num_atoms)
        if not self.composition:
            raise ValueError("ComposedSoftmax needs at least one label.")
        if any(a < 0 or a >= self.num_atoms for atoms in self.composition for a in atoms):
            raise ValueError(f"atom indices must be in [0, {self.num_atoms}), "
                             f"got {self.composition}")
        membership = np.zeros((max(self.num_atoms, 1), len(self.composition)), "float32")
        for label, atoms in enumerate(self.composition):
            membership[atoms, label] = 1.0
        self._membership = membership  # M[a, L] = 1 when atom a is part of label L

    def build(self, input_shape):
        features = input_shape[-1]
        labels = len(self.composition)
        self.kernel = self.add_weight(shape=(features, labels), name="kernel",
                                      initializer="glorot_uniform")
        self.bias = self.add_weight(shape=(labels,), name="bias", initializer="zeros")
        self.atom_kernel = self.add_weight(shape=(features, max(self.num_atoms, 1)),
                                           name="atom_kernel", initializer="zeros")

    def call(self, inputs):
        h = ops.cast(inputs, self.compute_dtype)
        membership = ops.convert_to_tensor(self._membership, dtype=self.compute_dtype)
        own = ops.matmul(h, self.kernel) + self.bias
        shared = ops.matmul(ops.matmul(h, self.atom_kernel), membership)
        return ops.softmax(own + shared, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], len(self.composition))

    def get_config(self):
        return {**super().get_config(), "composition": self.composition,
                "num_atoms": self.num_atoms}
