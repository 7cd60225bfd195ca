"""Losses that saved models refer to by name (registered as `kerasrnn>NAME`).

`CRFLoss` lives with its layer in `kerasrnn.layers`.
"""

import keras


@keras.saving.register_keras_serializable(package="kerasrnn")
def summed_binary_crossentropy(y_true, y_pred):
    """Binary cross-entropy summed over the last axis (one sigmoid per label).

    `y_true`, `y_pred`: `(batch, labels)` targets in {0, 1} and probabilities;
    returns `(batch,)`. Keras' "binary_crossentropy" averages over the labels,
    which gives a ~20-label multilabel output about 1/20 of the gradient a softmax
    cross-entropy gets; measured on ATIS intents that costs 4 points of accuracy.
    """
    return keras.ops.sum(keras.ops.binary_crossentropy(y_true, y_pred), axis=-1)


@keras.saving.register_keras_serializable(package="kerasrnn")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy against a label-smoothed target, from class ids.

    With K classes, true class y and smoothing ε the target puts 1 − ε + ε/K on y
    and ε/K on every other class:

        loss = −(1 − ε) · log p_y − (ε/K) · Σ_k log p_k

    Keras' `SparseCategoricalCrossentropy` has no `label_smoothing`; this is
    `CategoricalCrossentropy(label_smoothing=ε)` on one-hot targets, without making
    them. `y_pred` are probabilities (clipped like Keras' to [1e-7, 1 − 1e-7]).

    Args:
        smoothing: ε in [0, 1).

    Call arguments:
        y_true: int class ids `(batch,)` or `(batch, 1)`.
        y_pred: probabilities `(batch, K)`.

    Returns:
        Per-example losses `(batch,)` in nats, reduced as Keras losses are.

    Raises:
        ValueError: `smoothing` outside [0, 1).

    Reference:
        Szegedy et al. 2016, "Rethinking the Inception Architecture for Computer
        Vision", section 7 (label-smoothing regularization).
    """

    def __init__(self, smoothing=0.1, name="smoothed_sparse_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be in [0, 1), got {smoothing}")
        self.smoothing = float(smoothing)

    def call(self, y_true, y_pred):
        ops = keras.ops
        classes = ops.shape(y_pred)[-1]
        ids = ops.cast(ops.reshape(y_true, ops.shape(y_pred)[:-1]), "int32")
        log_p = ops.log(ops.clip(y_pred, 1e-7, 1.0 - 1e-7))
        true_log_p = ops.sum(log_p * ops.one_hot(ids, classes, dtype=log_p.dtype), axis=-1)
        mean_log_p = ops.mean(log_p, axis=-1)
        return -(1.0 - self.smoothing) * true_log_p - self.smoothing * mean_log_p

    def get_config(self):
        return {**super().get_config(), "smoothing": self.smoothing}
