"""How ‖∂L/∂h_k‖ falls (or grows) with the distance T − k, measured in the real layers.

    python -m apps.lessons gradients --output-dir lessons-output

For every kind of kerasrnn.layers.recurrent (32 units), the layer's own cell is
stepped through a recall-the-first-symbol sequence of T = 30 steps under
`tf.GradientTape`, and the gradient of the final loss with respect to each step's
output h_k is taken: the median over 64 sequences of ‖∂L/∂h_k‖ against T − k, at
initialisation and after training each kind on the task (gradients.png, left and
middle). The lectures' claim: the gradient shrinks roughly geometrically with
T − k in a simple RNN, less in the gated cells once they have learnt to keep
their memory, so a gated cell can learn the task and a simple RNN struggles.

The exploding case: a simple RNN whose recurrent matrix has spectral radius 3
(a random Gaussian matrix, rescaled) — its gradient grows with T − k — trained
with plain SGD with and without `clipnorm=1` (right): clipping bounds every
update, so the loss stays finite. The table says whether each part came out so.
"""

import keras
import numpy as np
import tensorflow as tf

from apps.lessons.lesson import Table, pyplot, save, verdict
from apps.lessons.recall import SYMBOLS, recall_first_symbol, recall_model
from kerasrnn.layers import RECURRENT_KINDS

SPECTRAL_RADIUS = 3.0


def step_gradients(model, x, answers):
    """Median over the batch of ‖∂L/∂h_k‖ for k = 1 … T (the cell stepped by hand)."""
    layer, head = model.get_layer("recurrent"), model.get_layer("answer")
    states = layer.get_initial_state(x.shape[0])
    inputs = tf.constant(x)
    with tf.GradientTape() as tape:
        outputs = []
        for t in range(x.shape[1]):
            output, states = layer.cell(inputs[:, t], states)
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            outputs.append(output)
        # Summed, not averaged: each row of the gradient is one sequence's own.
        loss = tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(
            answers, head(outputs[-1])))
    grads = tape.gradient(loss, outputs)
    return np.array([np.median(np.linalg.norm(g.numpy(), axis=1)) for g in grads])


def spectral_matrix(units, radius, rng):
    matrix = rng.normal(size=(units, units)) / np.sqrt(units)
    return matrix * radius / np.abs(np.linalg.eigvals(matrix)).max()


def clipping_runs(units, steps, epochs, x, answers, probe, rng, eager=False):
    """The exploding simple RNN: its ‖∂L/∂h_k‖ by distance T − k = 0, 1, … and its losses
    per epoch under SGD without and with clipnorm, both runs from the same initial weights."""
    initializer = keras.initializers.Constant(spectral_matrix(units, SPECTRAL_RADIUS, rng))
    seed = int(rng.integers(2**31))
    curves, norms = {}, None
    for clip in (None, 1.0):
        keras.utils.set_random_seed(seed)
        model = recall_model("elman", units, steps, recurrent_initializer=initializer)
        if norms is None:
            norms = step_gradients(model, *probe)[::-1]
        model.compile(optimizer=keras.optimizers.SGD(0.5, clipnorm=clip),
                      loss="sparse_categorical_crossentropy", run_eagerly=eager)
        history = model.fit(x, answers, batch_size=64, epochs=epochs, verbose=0)
        curves["clipnorm=1" if clip else "no clipping"] = np.array(history.history["loss"])
    return norms, curves


def plot(at_init, trained, curves, distance, settings):
    plt = pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(16, 4.4))
    for panel, norms, when in ((axes[0], at_init, "at initialisation"),
                               (axes[1], trained, "after training")):
        for kind, values in norms.items():
            style = "--" if kind.startswith("elman, ρ") else "-"
            panel.semilogy(distance, values, style, label=kind)
        panel.set_xlabel("distance T − k (steps)")
        panel.set_ylabel("median ‖∂L/∂h_k‖ (nats per unit of h, log scale)")
        panel.set_title(f"Gradient vs distance, {when}")
        panel.set_ylim(bottom=1e-10)  # a Jordan network's gradient falls to 1e-20 and below
        panel.legend(fontsize=7)
    for label, losses in curves.items():
        axes[2].plot(np.arange(1, len(losses) + 1), np.nan_to_num(losses, nan=np.inf), "o-",
                     label=label)
    axes[2].axhline(np.log(SYMBOLS), color="gray", linestyle=":", label="chance (ln 4)")
    axes[2].set_yscale("log")
    axes[2].set_xlabel("epoch")
    axes[2].set_ylabel("training cross-entropy (nats, log scale)")
    axes[2].set_title(f"Spectral radius {SPECTRAL_RADIUS:g}, SGD: clipping bounds each step")
    axes[2].legend()
    figure.suptitle("Gradients vanish with distance in a simple RNN, less in trained gated cells; "
                    "they explode when the recurrent matrix is too large")
    return save(figure, settings, "gradients.png")


def run(settings):
    units, steps, count, epochs, probes, tests = ((4, 6, 64, 1, 16, 32) if settings.tiny
                                                  else (32, 30, 2048, 12, 64, 512))
    rng = np.random.default_rng(settings.seed)
    x, answers = recall_first_symbol(count, steps, rng)
    probe_x, probe_answers = recall_first_symbol(probes, steps, rng)
    test_x, test_answers = recall_first_symbol(tests, steps, rng)
    last = steps - 1
    table = Table("kind", "‖∂L/∂h‖ at T−k=0", f"at T−k={last}", "ratio (init)",
                  f"ratio (trained, {epochs} epochs)", "test accuracy")
    at_init, trained, ratios = {}, {}, {}
    for kind in RECURRENT_KINDS:
        model = recall_model(kind, units, steps, run_eagerly=settings.tiny)
        at_init[kind] = step_gradients(model, probe_x, probe_answers)[::-1]
        model.fit(x, answers, batch_size=64, epochs=epochs, verbose=0)
        trained[kind] = step_gradients(model, probe_x, probe_answers)[::-1]
        accuracy = model.evaluate(test_x, test_answers, verbose=0)[1]
        ratios[kind] = (at_init[kind][last] / at_init[kind][0],
                        trained[kind][last] / trained[kind][0], accuracy)
        table.row(kind, f"{at_init[kind][0]:.2e}", f"{at_init[kind][last]:.2e}",
                  f"{ratios[kind][0]:.1e}", f"{ratios[kind][1]:.1e}", f"{accuracy:.2f}")
    explode_label = f"elman, ρ = {SPECTRAL_RADIUS:g}"
    at_init[explode_label], curves = clipping_runs(
        units, steps, max(2, epochs // 2), x, answers, (probe_x, probe_answers), rng,
        eager=settings.tiny)
    growth = at_init[explode_label][last] / at_init[explode_label][0]
    print(f"\nSimple RNN with spectral radius {SPECTRAL_RADIUS:g}: ‖∂L/∂h‖ at T−k={last} is "
          f"{growth:.3g}× its value at T−k=0.\n")
    clip_table = Table("SGD (learning rate 0.5)", "loss after epoch 1", "final loss")
    for label, losses in curves.items():
        clip_table.row(label, f"{losses[0]:.3g}", f"{losses[-1]:.3g}")
    plot(at_init, trained, curves, np.arange(steps), settings)
    chance = 1 / SYMBOLS
    gated_best = max(ratios[k][1] for k in ("lstm", "gru", "peephole_lstm"))
    checks = {
        "simple RNN's gradient shrinks with distance at init": ratios["elman"][0] < 0.5,
        "a trained gated cell keeps more gradient than the simple RNN": (
            gated_best > ratios["elman"][1]),
        "a gated cell beats chance clearly": max(
            ratios[k][2] for k in ("lstm", "gru", "peephole_lstm")) > chance + 0.3,
        f"spectral radius {SPECTRAL_RADIUS:g} explodes": growth > 10,
        "clipping ends with the lower loss": bool(
            curves["clipnorm=1"][-1] < np.nan_to_num(curves["no clipping"][-1], nan=np.inf)),
    }
    failed = [name for name, ok in checks.items() if not ok]
    return verdict(not failed, "not borne out: " + "; ".join(failed) if failed
                   else "; ".join(checks))
