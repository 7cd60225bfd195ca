"""kerasrnn.reference's hand-written gradients equal TensorFlow's, in float64."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kerasrnn.layers import PeepholeLSTM
from kerasrnn.reference import elman, lstm


def test_rtrl_equals_bptt_equals_finite_differences():
    rng = np.random.default_rng(0)
    w = elman.init_weights(3, 5, 2, rng)
    x, targets = rng.normal(size=(2, 7, 3)), rng.normal(size=(2, 7, 2))
    loss, grads = elman.bptt(x, targets, w)
    rtrl_loss, rtrl_grads = elman.rtrl(x, targets, w)
    assert rtrl_loss == pytest.approx(loss, rel=1e-14)
    for name in w:
        np.testing.assert_allclose(rtrl_grads[name], grads[name], rtol=1e-12, atol=1e-14)
    shifted = {k: v.copy() for k, v in w.items()}
    shifted["recurrent_kernel"][1, 2] += 1e-6
    numeric = (elman.loss(elman.forward(x, shifted)[1], targets) - loss) / 1e-6
    assert numeric == pytest.approx(grads["recurrent_kernel"][1, 2], rel=1e-4)


@pytest.mark.parametrize("peepholes", [False, True])
def test_numpy_lstm_equals_keras(peepholes):
    rng = np.random.default_rng(1)
    inputs, units, classes = 5, 4, 6
    w = lstm.init_weights(inputs, units, classes, rng)
    if peepholes:
        w.update({name: rng.normal(size=units) for name in lstm.PEEPHOLES})
    x, targets = rng.normal(size=(3, 7, inputs)), rng.integers(0, classes, (3, 7))
    loss, grads = lstm.loss_and_gradients(x, targets, w)

    layer_class = PeepholeLSTM if peepholes else keras.layers.LSTM
    layer = layer_class(units, return_sequences=True, dtype="float64")
    dense = keras.layers.Dense(classes, dtype="float64")
    layer.build((None, None, inputs))
    dense.build((None, None, units))
    variables = {v.name: v for v in layer.weights}
    variables.update(output_kernel=dense.kernel, output_bias=dense.bias)
    for name, variable in variables.items():
        variable.assign(w[name])
    with tf.GradientTape() as tape:
        logits = dense(layer(x))
        keras_loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            targets, logits, from_logits=True))
    keras_grads = tape.gradient(keras_loss, [v.value for v in variables.values()])
    assert float(keras_loss) == pytest.approx(loss, abs=1e-12)
    for name, keras_grad in zip(variables, keras_grads):
        np.testing.assert_allclose(grads[name], keras_grad.numpy(), atol=1e-12, err_msg=name)
