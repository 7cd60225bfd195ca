"""Metrics that saved models refer to by name (registered as `kerasrnn>NAME`)."""

import keras


@keras.saving.register_keras_serializable(package="kerasrnn")
def intent_set_accuracy(y_true, y_pred):
    """1 where the predicted set of labels equals the target set, else 0.

    For a multilabel output whose column 0 is the out-of-vocabulary label (never a
    target, never chosen): the chosen set is every label with probability > 1/2,
    and at least the most probable one,

        chosen = {k ≥ 1 : p_k > 1/2} ∪ {argmax_{k ≥ 1} p_k}

    `y_true`: multi-hot `(batch, labels)`; `y_pred`: probabilities `(batch, labels)`;
    returns float32 `(batch,)`.
    """
    atoms = y_pred[:, 1:]
    best = keras.ops.one_hot(keras.ops.argmax(atoms, axis=-1), keras.ops.shape(atoms)[-1])
    chosen = keras.ops.logical_or(atoms > 0.5, best > 0)
    same = keras.ops.equal(chosen, y_true[:, 1:] > 0.5)
    return keras.ops.cast(keras.ops.all(same, axis=-1), "float32")
