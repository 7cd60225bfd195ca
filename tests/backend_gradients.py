"""Analytic gradients of a scalar loss with respect to a layer's weights, on any backend."""

import keras
import numpy as np


def gradients(layer, loss_fn):
    """Returns {weight path: d loss / d weight} as NumPy arrays.

    `loss_fn()` calls the layer and returns a scalar tensor.
    """
    backend = keras.backend.backend()
    weights = layer.trainable_weights
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn()
        grads = tape.gradient(loss, weights)
    elif backend == "jax":
        import jax

        # JAX differentiates pure functions: the traced values stand in for the
        # weights through a StatelessScope instead of being assigned to them.
        def pure(values):
            with keras.StatelessScope(state_mapping=list(zip(weights, values))):
                return loss_fn()

        grads = jax.grad(pure)([w.value for w in weights])
    elif backend == "torch":
        for w in weights:
            w.value.grad = None
        loss = loss_fn()
        loss.backward()
        grads = [w.value.grad for w in weights]
    else:  # pragma: no cover
        raise NotImplementedError(backend)
    return {
        w.path: np.zeros(w.shape) if g is None else keras.ops.convert_to_numpy(g)
        for w, g in zip(weights, grads)
    } | {"__missing__": [w.path for w, g in zip(weights, grads) if g is None]}
