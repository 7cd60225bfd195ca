"""How far back each recurrent kind remembers: recall the first symbol after T steps.

    python -m apps.lessons memory --output-dir lessons-output

Each kind of kerasrnn.layers.recurrent (32 units) is trained on the recall task
(apps/lessons/recall.py: one of 4 symbols, then T − 1 noise symbols, name the
first) for T = 5 … 80, on 1,024 sequences in batches of 32 for at most 10 epochs
(stopping early once the training accuracy reaches 99%), then scored on 512 new
sequences.
The lectures' claim: a simple RNN forgets what an LSTM or GRU remembers, so its
accuracy falls to chance (25%) at a shorter T. A kind's memory span here is the
longest T at which it scores at least 90%; the claim counts as borne out when
the LSTM's or the GRU's span is longer than the simple RNN's. (How fast each
kind learns within the 10 epochs is part of what is measured.)
"""

import keras
import numpy as np

from apps.lessons.lesson import Table, pyplot, save, verdict
from apps.lessons.recall import SYMBOLS, recall_first_symbol, recall_model
from kerasrnn.layers import RECURRENT_KINDS


class StopWhenLearnt(keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches `accuracy`."""

    def __init__(self, accuracy=0.99):
        super().__init__()
        self.accuracy = accuracy

    def on_epoch_end(self, epoch, logs=None):
        if logs and logs.get("accuracy", 0) >= self.accuracy:
            self.model.stop_training = True


def span(accuracies, lengths, threshold=0.9):
    """The longest T with accuracy ≥ `threshold` (0 when none)."""
    return max((t for t, a in zip(lengths, accuracies) if a >= threshold), default=0)


def plot(accuracies, lengths, tests, settings):
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.6))
    for kind, values in accuracies.items():
        axes.plot(lengths, values, "o-", label=kind)
    axes.axhline(1 / SYMBOLS, color="gray", linestyle=":", label="chance")
    axes.set_xscale("log")
    axes.set_xticks(lengths, [str(t) for t in lengths])
    axes.set_xlabel("T: sequence length in steps (symbol first, answer after step T; log scale)")
    axes.set_ylabel(f"test accuracy (share of {tests} sequences)")
    axes.set_ylim(0, 1.05)
    axes.set_title("A simple RNN forgets the first symbol sooner than an LSTM or GRU")
    axes.legend(fontsize=8)
    return save(figure, settings, "memory.png")


def run(settings):
    if settings.tiny:
        lengths, units, count, epochs, tests = (3, 5), 4, 32, 1, 32
    else:
        lengths, units, count, epochs, tests = (5, 10, 20, 40, 80), 32, 1024, 10, 512
    rng = np.random.default_rng(settings.seed)
    table = Table("kind", *(f"T={t}" for t in lengths), "span (≥ 90%)", "epochs used")
    accuracies = {}
    for kind in RECURRENT_KINDS:
        accuracies[kind], used = [], []
        for steps in lengths:
            x, answers = recall_first_symbol(count, steps, rng)
            test_x, test_answers = recall_first_symbol(tests, steps, rng)
            model = recall_model(kind, units, steps, run_eagerly=settings.tiny)
            history = model.fit(x, answers, batch_size=32, epochs=epochs, verbose=0,
                                callbacks=[StopWhenLearnt()])
            used.append(len(history.history["loss"]))
            accuracies[kind].append(model.evaluate(test_x, test_answers, verbose=0)[1])
        table.row(kind, *(f"{a:.2f}" for a in accuracies[kind]),
                  span(accuracies[kind], lengths), "/".join(map(str, used)))
    plot(accuracies, lengths, tests, settings)
    simple = span(accuracies["elman"], lengths)
    gated = max(span(accuracies["lstm"], lengths), span(accuracies["gru"], lengths))
    return verdict(gated > simple,
                   f"longest T learnt to ≥ 90%: best of LSTM/GRU {gated}, simple RNN {simple}")
