"""An Elman network's gradient two ways: back-propagation through time and RTRL.

The network (row vectors, Keras' weight shapes, so `keras.layers.SimpleRNN` plus
`keras.layers.Dense` with the same weights computes the same numbers):

    h_t = tanh(x_t·W + h_{t-1}·U + b)       h_0 = 0
    y_t = h_t·V + c
    L   = 1/B · Σ_batch Σ_t ½‖y_t − d_t‖²

Weights are a dict with `kernel` W (m, n), `recurrent_kernel` U (n, n), `bias` b
(n,), `output_kernel` V (n, k) and `output_bias` c (k,).

BPTT runs forward, stores every h_t, then runs backward: time O(T·n²), memory
O(T·n). Real-time recurrent learning (Williams & Zipser 1989) instead carries the
sensitivity S_t = ∂h_t/∂θ of the state to every recurrent parameter θ = (W, U, b)
forward in time,

    S_t = diag(1 − h_t²) · (∂z_t/∂θ|direct + Uᵀ·S_{t-1})

and adds ∂L_t/∂h_t · S_t at each step: no storage of the past (memory O(n³),
independent of T) but O(n⁴) time per step, since S has n·(m + n + 1) columns per
unit. Both give the same gradient, to rounding.

Reference:
    R. J. Williams and D. Zipser, "A learning algorithm for continually running
    fully recurrent neural networks", Neural Computation 1(2), 1989.
"""

import numpy as np

RECURRENT_WEIGHTS = ("kernel", "recurrent_kernel", "bias")


def init_weights(inputs, units, outputs, rng, scale=0.5):
    """Random float64 weights (normal, std `scale`/√fan-in)."""
    def normal(*shape):
        return rng.normal(scale=scale / np.sqrt(shape[0]), size=shape)
    return {"kernel": normal(inputs, units), "recurrent_kernel": normal(units, units),
            "bias": normal(units) * 0.1, "output_kernel": normal(units, outputs),
            "output_bias": normal(outputs) * 0.1}


def forward(x, w):
    """Returns (states `(batch, T + 1, n)` with h_0 first, outputs `(batch, T, k)`)."""
    batch, steps, _ = x.shape
    h = np.zeros((batch, w["recurrent_kernel"].shape[0]))
    states, outputs = [h], []
    for t in range(steps):
        h = np.tanh(x[:, t] @ w["kernel"] + h @ w["recurrent_kernel"] + w["bias"])
        states.append(h)
        outputs.append(h @ w["output_kernel"] + w["output_bias"])
    return np.stack(states, axis=1), np.stack(outputs, axis=1)


def loss(outputs, targets):
    return 0.5 * np.sum((outputs - targets) ** 2) / outputs.shape[0]


def bptt(x, targets, w):
    """Returns (loss, gradients by weight name) by back-propagation through time."""
    states, outputs = forward(x, w)
    d_outputs = (outputs - targets) / x.shape[0]
    grads = {name: np.zeros_like(value) for name, value in w.items()}
    d_next = np.zeros_like(states[:, 0])
    for t in reversed(range(x.shape[1])):
        h, h_prev = states[:, t + 1], states[:, t]
        grads["output_kernel"] += h.T @ d_outputs[:, t]
        grads["output_bias"] += d_outputs[:, t].sum(axis=0)
        d_z = (d_outputs[:, t] @ w["output_kernel"].T + d_next) * (1 - h ** 2)
        grads["kernel"] += x[:, t].T @ d_z
        grads["recurrent_kernel"] += h_prev.T @ d_z
        grads["bias"] += d_z.sum(axis=0)
        d_next = d_z @ w["recurrent_kernel"].T
    return loss(outputs, targets), grads


def _direct_sensitivity(x_t, h_prev):
    """∂z_t/∂θ holding h_{t-1} fixed, `(batch, n, p)` with θ = (W, U, b) flattened."""
    batch, units = h_prev.shape
    eye = np.eye(units)

    def block(a):  # ∂z_j/∂M_ik = a_i δ_jk for z = a·M, laid out as M.ravel()
        return (a[:, None, :, None] * eye[None, :, None, :]).reshape(batch, units, -1)

    return np.concatenate([block(x_t), block(h_prev), np.broadcast_to(eye, (batch,) + eye.shape)],
                          axis=2)


def rtrl(x, targets, w):
    """Returns (loss, gradients by weight name) by real-time recurrent learning.

    Runs forward only: at step t it knows ∂h_t/∂θ, so the gradient of every loss so
    far is complete at every step (what makes RTRL usable online).
    """
    batch, steps, _ = x.shape
    units = w["recurrent_kernel"].shape[0]
    sizes = [w[name].size for name in RECURRENT_WEIGHTS]
    sensitivity = np.zeros((batch, units, sum(sizes)))
    gradient = np.zeros(sum(sizes))
    grads = {"output_kernel": np.zeros_like(w["output_kernel"]),
             "output_bias": np.zeros_like(w["output_bias"])}
    h, total = np.zeros((batch, units)), 0.0
    for t in range(steps):
        direct = _direct_sensitivity(x[:, t], h)
        h = np.tanh(x[:, t] @ w["kernel"] + h @ w["recurrent_kernel"] + w["bias"])
        sensitivity = (1 - h ** 2)[:, :, None] * (direct + w["recurrent_kernel"].T @ sensitivity)
        y = h @ w["output_kernel"] + w["output_bias"]
        d_y = (y - targets[:, t]) / batch
        total += 0.5 * np.sum((y - targets[:, t]) ** 2) / batch
        gradient += np.einsum("bj,bjp->p", d_y @ w["output_kernel"].T, sensitivity)
        grads["output_kernel"] += h.T @ d_y
        grads["output_bias"] += d_y.sum(axis=0)
    for name, part in zip(RECURRENT_WEIGHTS, np.split(gradient, np.cumsum(sizes)[:-1])):
        grads[name] = part.reshape(w[name].shape)
    return total, grads
