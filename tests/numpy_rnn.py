"""NumPy step-by-step references for the recurrent layers, written from the equations.

Every test of a layer's numbers compares it with these loops, which share nothing
with the layers' code: plain NumPy, one time step at a time, float64.
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def identity(x):
    return x


def peephole_lstm_step(x, state, w, act=np.tanh, gate=sigmoid):
    """The peephole LSTM equations; `w` maps weight names to arrays."""
    h, c = state
    n = h.shape[-1]
    z = x @ w["kernel"] + h @ w["recurrent_kernel"] + w.get("bias", 0.0)
    z_i, z_f, z_c, z_o = (z[:, k * n : (k + 1) * n] for k in range(4))
    i = gate(z_i + w["input_peephole"] * c)
    f = gate(z_f + w["forget_peephole"] * c)
    c = f * c + i * act(z_c)
    o = gate(z_o + w["output_peephole"] * c)
    h = o * act(c)
    return h, (h, c)


def jordan_step(x, state, w, act=np.tanh, output_act=softmax, hybrid=False):
    """The Jordan (or hybrid) equations; the state is (y,) or (y, h)."""
    y_prev = state[0]
    z = x @ w["kernel"] + y_prev @ w["recurrent_kernel"] + w.get("bias", 0.0)
    if hybrid:
        z = z + state[1] @ w["hidden_kernel"]
    h = act(z)
    y = output_act(h @ w["output_kernel"] + w.get("output_bias", 0.0))
    return y, ((y, h) if hybrid else (y,))


def run(step, xs, state, mask=None, go_backwards=False):
    """Runs `step` over `xs` `(batch, time, features)` the way Keras' RNN does.

    A masked step leaves the state unchanged and repeats the previous output
    (zeros before the first unmasked step). With `go_backwards` the steps run
    from last to first and the outputs come back in that processing order.

    Returns (outputs `(batch, time, units)`, last output, final state).
    """
    steps = range(xs.shape[1])
    if go_backwards:
        steps = reversed(steps)
    outputs, previous = [], None
    for t in steps:
        out, new_state = step(xs[:, t], state)
        if previous is None:
            previous = np.zeros_like(out)
        if mask is not None:
            keep = mask[:, t, None]
            new_state = tuple(np.where(keep, n, s) for n, s in zip(new_state, state))
            out = np.where(keep, out, previous)
        state, previous = new_state, out
        outputs.append(out)
    return np.stack(outputs, axis=1), previous, state


def weights_of(layer):
    """The layer's weights by short name (`kernel`, `input_peephole`, …) as float64."""
    import keras

    return {w.name: np.asarray(keras.ops.convert_to_numpy(w), "float64") for w in layer.weights}


def assert_valid_steps_close(outputs, expected, mask=None, go_backwards=False, atol=1e-5):
    """Compares per-step outputs at the steps the mask keeps.

    What a masked step outputs before any real step has run is not a contract:
    TensorFlow gives zeros, JAX the initial state (which for a Jordan network is
    y₀). Only the real steps and the final states are compared.
    """
    if mask is None:
        np.testing.assert_allclose(outputs, expected, atol=atol)
        return
    keep = mask[:, ::-1] if go_backwards else mask
    np.testing.assert_allclose(outputs[keep], expected[keep], atol=atol)
