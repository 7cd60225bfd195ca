"""RTRL and BPTT compute the same gradient at very different costs.

    python -m apps.lessons rtrl --output-dir lessons-output

A small Elman network (3 inputs, n hidden, 2 outputs, squared error summed over
T = 50 steps) gets its gradient three ways: real-time recurrent learning forward
in time and back-propagation through time, both in float64 NumPy
(kerasrnn.reference.elman), and TensorFlow's automatic differentiation of
`keras.layers.SimpleRNN` + `Dense` holding the same weights. The table gives the
largest difference relative to the largest gradient entry, and the time and peak
memory (tracemalloc, NumPy's allocations) of one gradient each, for n = 4 … 128.
The claim holds when both differences are below 1e-10 (float64 rounding is
~1e-16 per operation). RTRL's time should grow like n⁴ and BPTT's like n² (the
plot draws both slopes); BPTT's memory grows with T·n, RTRL's with n³ but not T.
"""

import time
import tracemalloc

import keras
import numpy as np
import tensorflow as tf

from apps.lessons.lesson import Table, pyplot, save, verdict
from kerasrnn.reference import elman

INPUTS, OUTPUTS, BATCH = 3, 2, 2
TOLERANCE = 1e-10


def keras_gradients(x, targets, w):
    """The same network as Keras layers in float64; returns (loss, gradients by name)."""
    units = w["recurrent_kernel"].shape[0]
    rnn = keras.layers.SimpleRNN(units, return_sequences=True, dtype="float64")
    dense = keras.layers.Dense(OUTPUTS, dtype="float64")
    rnn.build((None, None, INPUTS))
    dense.build((None, None, units))
    rnn.cell.kernel.assign(w["kernel"])
    rnn.cell.recurrent_kernel.assign(w["recurrent_kernel"])
    rnn.cell.bias.assign(w["bias"])
    dense.kernel.assign(w["output_kernel"])
    dense.bias.assign(w["output_bias"])
    variables = {"kernel": rnn.cell.kernel, "recurrent_kernel": rnn.cell.recurrent_kernel,
                 "bias": rnn.cell.bias, "output_kernel": dense.kernel, "output_bias": dense.bias}
    with tf.GradientTape() as tape:
        outputs = dense(rnn(tf.constant(x)))
        loss = 0.5 * tf.reduce_sum((outputs - targets) ** 2) / x.shape[0]
    grads = tape.gradient(loss, [v.value for v in variables.values()])
    return float(loss), {name: g.numpy() for name, g in zip(variables, grads)}


def relative_difference(grads, reference):
    scale = max(np.abs(g).max() for g in reference.values())
    return max(np.abs(grads[name] - reference[name]).max() for name in reference) / scale


def measured(method, *args, repeats=1):
    """Returns (result, best seconds of `repeats` calls, peak bytes NumPy allocated)."""
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = method(*args)
        seconds.append(time.perf_counter() - start)
    tracemalloc.start()
    method(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, min(seconds), peak


def plot(rows, steps, settings):
    plt = pyplot()
    sizes = np.array([row["n"] for row in rows], float)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label in (("rtrl", "RTRL"), ("bptt", "BPTT")):
        left.loglog(sizes, [row[f"{key}_s"] for row in rows], "o-", label=label)
        right.loglog(sizes, [row[f"{key}_bytes"] / 1024 for row in rows], "o-", label=label)
    for power, key in ((4, "rtrl_s"), (2, "bptt_s")):
        anchor = rows[-1][key]
        left.loglog(sizes, anchor * (sizes / sizes[-1]) ** power, ":", color="gray")
        left.annotate(f"∝ n^{power}", (sizes[len(sizes) // 2], anchor * (
            sizes[len(sizes) // 2] / sizes[-1]) ** power), color="gray")
    left.set_xlabel("hidden units n")
    left.set_ylabel(f"seconds per gradient (T = {steps}, batch {BATCH})")
    left.set_title("Same gradient: RTRL time grows ~n⁴, BPTT ~n²")
    right.set_xlabel("hidden units n")
    right.set_ylabel("peak NumPy memory per gradient (KiB)")
    right.set_title("Memory: RTRL ~n³ (any T), BPTT ~T·n")
    for axes in (left, right):
        axes.legend()
    return save(figure, settings, "rtrl.png")


def run(settings):
    sizes, steps = ((2, 3, 4), 6) if settings.tiny else ((4, 8, 16, 32, 64, 128), 50)
    rng = np.random.default_rng(settings.seed)
    table = Table("n", "parameters", "RTRL vs BPTT (rel.)", "BPTT vs Keras (rel.)",
                  "RTRL s", "BPTT s", "RTRL KiB", "BPTT KiB")
    rows = []
    for n in sizes:
        w = elman.init_weights(INPUTS, n, OUTPUTS, rng)
        x = rng.normal(size=(BATCH, steps, INPUTS))
        targets = rng.normal(size=(BATCH, steps, OUTPUTS))
        repeats = 3 if n <= 32 else 1
        (rtrl_loss, rtrl_grads), rtrl_s, rtrl_bytes = measured(elman.rtrl, x, targets, w,
                                                               repeats=repeats)
        (bptt_loss, bptt_grads), bptt_s, bptt_bytes = measured(elman.bptt, x, targets, w,
                                                               repeats=repeats)
        _, keras_grads = keras_gradients(x, targets, w)
        row = {"n": n, "rtrl_s": rtrl_s, "bptt_s": bptt_s, "rtrl_bytes": rtrl_bytes,
               "bptt_bytes": bptt_bytes, "rtrl_vs_bptt": relative_difference(rtrl_grads,
                                                                             bptt_grads),
               "bptt_vs_keras": relative_difference(bptt_grads, keras_grads),
               "loss_difference": abs(rtrl_loss - bptt_loss)}
        rows.append(row)
        table.row(n, sum(v.size for v in w.values()), f"{row['rtrl_vs_bptt']:.1e}",
                  f"{row['bptt_vs_keras']:.1e}", f"{rtrl_s:.4f}", f"{bptt_s:.4f}",
                  f"{rtrl_bytes / 1024:,.0f}", f"{bptt_bytes / 1024:,.0f}")
    plot(rows, steps, settings)
    worst = max(max(row["rtrl_vs_bptt"], row["bptt_vs_keras"]) for row in rows)
    ratio = rows[-1]["rtrl_s"] / rows[-1]["bptt_s"]
    print(f"At n = {rows[-1]['n']} RTRL took {ratio:,.0f}x BPTT's time for the same gradient.")
    return verdict(worst < TOLERANCE,
                   f"largest relative difference {worst:.1e} (tolerance {TOLERANCE:g})")
