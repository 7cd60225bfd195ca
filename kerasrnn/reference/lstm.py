"""An LSTM with a softmax output in NumPy: forward, cross-entropy, BPTT by hand.

The equations, with Keras' gate order (i, f, c, o) and weight shapes, so that
`keras.layers.LSTM` (or `kerasrnn.layers.PeepholeLSTM` when the peepholes are
given) followed by `keras.layers.Dense` with the same weights computes the same
numbers:

    z = x_t·W + h_{t-1}·U + b            split into z_i, z_f, z_c, z_o
    i = σ(z_i + p_i ⊙ c_{t-1})           input gate
    f = σ(z_f + p_f ⊙ c_{t-1})           forget gate
    g = tanh(z_c)                        candidate
    c_t = f ⊙ c_{t-1} + i ⊙ g            cell state
    o = σ(z_o + p_o ⊙ c_t)               output gate
    h_t = o ⊙ tanh(c_t)
    logits_t = h_t·V + d,   L = mean over batch and time of −log softmax(logits_t)[target_t]

Weights are a dict: `kernel` W (m, 4n), `recurrent_kernel` U (n, 4n), `bias` b
(4n,), `output_kernel` V (n, k), `output_bias` d (k,), and optionally
`input_peephole`, `forget_peephole`, `output_peephole` (n,) (absent: zero, a plain
LSTM). `forward` keeps every gate, so a lesson can also draw them.

Reference:
    S. Hochreiter and J. Schmidhuber, "Long short-term memory", Neural Computation
    9(8), 1997; F. Gers, N. Schraudolph and J. Schmidhuber, "Learning precise timing
    with LSTM recurrent networks", JMLR 3, 2002 (peepholes).
"""

import numpy as np

PEEPHOLES = ("input_peephole", "forget_peephole", "output_peephole")


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1/(1+e^-x), without overflow warnings


def init_weights(inputs, units, outputs, rng):
    """Float64 weights like Keras' defaults (Glorot kernels, forget bias 1)."""
    def glorot(fan_in, fan_out):
        limit = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))
    bias = np.zeros(4 * units)
    bias[units:2 * units] = 1.0
    return {"kernel": glorot(inputs, 4 * units), "recurrent_kernel": glorot(units, 4 * units),
            "bias": bias, "output_kernel": glorot(units, outputs), "output_bias": np.zeros(outputs)}


def forward(x, w, state=None):
    """Runs the LSTM over `x` `(batch, T, m)`.

    Returns a dict of `(batch, T, …)` arrays: `i`, `f`, `g`, `o`, `c`, `h`, `logits`,
    plus `c0`, `h0` (the initial state) and `x`: everything `backward` needs.
    """
    batch, steps, _ = x.shape
    units = w["recurrent_kernel"].shape[0]
    h, c = state if state is not None else (np.zeros((batch, units)), np.zeros((batch, units)))
    p_i, p_f, p_o = (w.get(name, 0.0) for name in PEEPHOLES)
    cache = {key: [] for key in ("i", "f", "g", "o", "c", "h")}
    cache.update(x=x, h0=h, c0=c)
    for t in range(steps):
        z = x[:, t] @ w["kernel"] + h @ w["recurrent_kernel"] + w["bias"]
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
        i, f, g = sigmoid(z_i + p_i * c), sigmoid(z_f + p_f * c), np.tanh(z_c)
        c = f * c + i * g
        o = sigmoid(z_o + p_o * c)
        h = o * np.tanh(c)
        for key, value in zip(("i", "f", "g", "o", "c", "h"), (i, f, g, o, c, h)):
            cache[key].append(value)
    cache = {key: np.stack(v, axis=1) if isinstance(v, list) else v for key, v in cache.items()}
    cache["logits"] = cache["h"] @ w["output_kernel"] + w["output_bias"]
    return cache


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def cross_entropy(logits, targets):
    """Mean −log p(target) over batch and time; `targets` are int ids `(batch, T)`."""
    log_p = np.take_along_axis(log_softmax(logits), targets[..., None], axis=-1)
    return -log_p.mean()


def backward(cache, targets, w):
    """Gradients of `cross_entropy(cache["logits"], targets)` by weight name, BPTT by hand."""
    batch, steps = targets.shape
    d_logits = np.exp(log_softmax(cache["logits"]))
    np.put_along_axis(d_logits, targets[..., None],
                      np.take_along_axis(d_logits, targets[..., None], axis=-1) - 1, axis=-1)
    d_logits /= batch * steps
    grads = {name: np.zeros_like(value) for name, value in w.items()}
    grads["output_kernel"] = np.einsum("btn,btk->nk", cache["h"], d_logits)
    grads["output_bias"] = d_logits.sum(axis=(0, 1))
    d_h_out = d_logits @ w["output_kernel"].T
    p_i, p_f, p_o = (w.get(name, 0.0) for name in PEEPHOLES)
    d_h_next = np.zeros_like(cache["h0"])
    d_c_next = np.zeros_like(cache["c0"])
    for t in reversed(range(steps)):
        i, f, g, o, c = (cache[key][:, t] for key in ("i", "f", "g", "o", "c"))
        c_prev = cache["c"][:, t - 1] if t else cache["c0"]
        h_prev = cache["h"][:, t - 1] if t else cache["h0"]
        d_h = d_h_out[:, t] + d_h_next
        tanh_c = np.tanh(c)
        d_z_o = d_h * tanh_c * o * (1 - o)
        d_c = d_h * o * (1 - tanh_c ** 2) + d_c_next + d_z_o * p_o
        d_z_i = d_c * g * i * (1 - i)
        d_z_f = d_c * c_prev * f * (1 - f)
        d_z_c = d_c * i * (1 - g ** 2)
        d_z = np.concatenate([d_z_i, d_z_f, d_z_c, d_z_o], axis=1)
        grads["kernel"] += cache["x"][:, t].T @ d_z
        grads["recurrent_kernel"] += h_prev.T @ d_z
        grads["bias"] += d_z.sum(axis=0)
        for name, d_gate, seen in (("input_peephole", d_z_i, c_prev),
                                   ("forget_peephole", d_z_f, c_prev),
                                   ("output_peephole", d_z_o, c)):
            if name in w:
                grads[name] += (d_gate * seen).sum(axis=0)
        d_h_next = d_z @ w["recurrent_kernel"].T
        d_c_next = d_c * f + d_z_i * p_i + d_z_f * p_f
    return grads


def loss_and_gradients(x, targets, w):
    cache = forward(x, w)
    return cross_entropy(cache["logits"], targets), backward(cache, targets, w)
