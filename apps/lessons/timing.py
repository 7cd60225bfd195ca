"""Do peepholes let an LSTM time intervals precisely? Spikes 49 vs 50 steps apart.

    python -m apps.lessons timing --output-dir lessons-output

After Gers, Schraudolph & Schmidhuber (2002): a sequence holds two spikes (a 1 on
its only input; 0 everywhere else), the first at a random step in [0, 30), the
second `interval` steps later, and the network must say at the end of the
sequence which of two intervals it saw: 9 vs 10 steps (easy) and 49 vs 50 steps
(the paper's precision). Counting steps without a clock in the input is what
the peepholes (the gates seeing the cell state) are for. A `keras.layers.LSTM`
and a `kerasrnn.layers.PeepholeLSTM` (8 units each) are trained on 1,024
sequences for at most 20 epochs (stopping at 99% training accuracy), for 3 seeds
each, and scored on 512 new sequences (there are only 60 distinct sequences per
interval pair, so this measures whether the network can represent the timing,
not generalisation). The claim counts as borne out when the peephole LSTM's mean
accuracy on 49 vs 50 is at least 10 points above the LSTM's.
"""

import keras
import numpy as np

from apps.lessons.lesson import Table, pyplot, save, verdict
from apps.lessons.memory import StopWhenLearnt
from kerasrnn.layers import recurrent

FIRST_SPIKE_BEFORE, TAIL = 30, 5
KINDS = ("lstm", "peephole_lstm")


def spike_pairs(count, intervals, rng):
    """Inputs `(count, steps, 1)` with two spikes `intervals[answer]` apart, and answers."""
    steps = FIRST_SPIKE_BEFORE + max(intervals) + TAIL
    answers = rng.integers(0, 2, count)
    first = rng.integers(0, FIRST_SPIKE_BEFORE, count)
    x = np.zeros((count, steps, 1), "float32")
    rows = np.arange(count)
    x[rows, first, 0] = 1
    x[rows, first + np.asarray(intervals)[answers], 0] = 1
    return x, answers


def timing_model(kind, units, steps, run_eagerly=False):
    model = keras.Sequential([
        keras.Input((steps, 1)),
        recurrent(kind, units, name="recurrent"),
        keras.layers.Dense(2, activation="softmax", name="answer"),
    ], name=f"timing_{kind}")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], run_eagerly=run_eagerly)
    return model


def plot(results, pairs, seeds, settings):
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(7, 4.4))
    width = 0.35
    for offset, kind in zip((-width / 2, width / 2), KINDS):
        for index, pair in enumerate(pairs):
            values = results[kind, pair]
            axes.bar(index + offset, np.mean(values), width, color=f"C{KINDS.index(kind)}",
                     label=kind if index == 0 else None, alpha=0.7)
            axes.plot([index + offset] * len(values), values, "k.", markersize=8)
    axes.axhline(0.5, color="gray", linestyle=":", label="chance")
    axes.set_xticks(range(len(pairs)), [f"{a} vs {b} steps" for a, b in pairs])
    axes.set_xlabel("intervals between the two spikes")
    axes.set_ylabel(f"test accuracy (share; bars: mean of {seeds} seeds, dots: each)")
    axes.set_ylim(0, 1.05)
    axes.set_title("Peepholes should let an LSTM tell 49 from 50 steps")
    axes.legend()
    return save(figure, settings, "timing.png")


def run(settings):
    if settings.tiny:
        pairs, seeds, units, count, epochs, tests = ((3, 4),), 1, 2, 64, 1, 32
    else:
        pairs, seeds, units, count, epochs, tests = ((9, 10), (49, 50)), 3, 8, 1024, 20, 512
    rng = np.random.default_rng(settings.seed)
    table = Table("intervals", "kind", *(f"seed {settings.seed + s}" for s in range(seeds)),
                  "mean", "epochs used")
    results = {}
    for pair in pairs:
        x, answers = spike_pairs(count, pair, rng)
        test_x, test_answers = spike_pairs(tests, pair, rng)
        for kind in KINDS:
            results[kind, pair], used = [], []
            for seed in range(settings.seed, settings.seed + seeds):
                keras.utils.set_random_seed(seed)
                model = timing_model(kind, units, x.shape[1], settings.tiny)
                history = model.fit(x, answers, batch_size=32, epochs=epochs, verbose=0,
                                    callbacks=[StopWhenLearnt()])
                used.append(len(history.history["loss"]))
                results[kind, pair].append(model.evaluate(test_x, test_answers, verbose=0)[1])
            table.row(f"{pair[0]} vs {pair[1]}", kind,
                      *(f"{a:.2f}" for a in results[kind, pair]),
                      f"{np.mean(results[kind, pair]):.2f}", "/".join(map(str, used)))
    plot(results, pairs, seeds, settings)
    hardest = pairs[-1]
    peephole, plain = (np.mean(results[kind, hardest]) for kind in ("peephole_lstm", "lstm"))
    return verdict(peephole >= plain + 0.1,
                   f"{hardest[0]} vs {hardest[1]} steps: peephole LSTM {peephole:.2f}, "
                   f"LSTM {plain:.2f} (mean test accuracy)")
