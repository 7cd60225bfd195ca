"""How far back each recurrent kind remembers: recall the first symbol after T steps.

    python -m apps.lessons memory --output-dir lessons-output

Each kind of kerasrnn.layers.recurrent (32 units, then a softmax over the 4
symbols) is trained on the recall task (apps/lessons/recall.py: one of 4
symbols, then T − 1 noise symbols from a separate alphabet; name the first at
step T) for T = 25, 50, 100, 200 and 400 steps. Every training step draws a fresh
batch of 128 sequences (no sequence is seen twice), Adam with learning rate 0.01
and gradients clipped to norm 1 (no XLA: Keras compiles none while TensorFlow's
op determinism, which keeps the tables identical run to run, is on); a training
stops once the mean accuracy of its last 10 batches reaches 99%, or after
`MAX_STEPS[kind]` steps (1,000; the slower-stepping Jordan kinds 300, so the run
fits in 5 minutes).
It is then scored on 512 new sequences.

The gated kinds start from the chrono initialisation of their gate biases
(Tallec & Ollivier, ICLR 2018; `recall.chrono_initialize` with T_max = T): with
Keras' forget bias of 1 an untrained LSTM forgets at a rate σ(1) ≈ 0.73 per step,
so almost no gradient reaches the first symbol at T ≥ 50 and, in our trial runs,
the LSTM stayed at chance for 2,700 steps at T = 50 (the GRU left it after
about 2,200). The simple RNN keeps Keras' orthogonal recurrent matrix, which is
its own long-memory start (Saxe, McClelland & Ganguli, ICLR 2014). Settings were
chosen on trial runs with seed 1.

The lectures' claim: a simple RNN forgets what an LSTM or GRU remembers, so its
accuracy falls to chance (25%) at a shorter T. A kind's memory span here is the
longest T at which it scores at least 90%; the claim counts as borne out when
the LSTM's or the GRU's span is longer than the simple (Elman) RNN's.
"""

import keras
import numpy as np

from apps.lessons.lesson import Table, pyplot, save, verdict
from apps.lessons.recall import (
    GATED_KINDS,
    SYMBOLS,
    chrono_initialize,
    recall_first_symbol,
    recall_model,
)
from kerasrnn.layers import RECURRENT_KINDS

LENGTHS = (25, 50, 100, 200, 400)
BATCH, UNITS, TESTS, LEARNING_RATE, CLIPNORM = 128, 32, 512, 0.01, 1.0
MAX_STEPS = {"jordan": 300, "hybrid": 300}  # every other kind: DEFAULT_MAX_STEPS
DEFAULT_MAX_STEPS, WINDOW, LEARNT = 1000, 10, 0.99


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


def train_on_fresh_batches(model, steps, batch, max_steps, rng, window=WINDOW, learnt=LEARNT):
    """Trains on a new recall batch `(batch, steps, 8)` per step; returns the steps taken.

    Stops once the mean training accuracy of the last `window` batches is ≥ `learnt`.
    """
    accuracies = []
    while len(accuracies) < max_steps:
        x, answers = recall_first_symbol(batch, steps, rng)
        model.reset_metrics()
        accuracies.append(model.train_on_batch(x, answers)[1])
        if len(accuracies) >= window and np.mean(accuracies[-window:]) >= learnt:
            break
    return len(accuracies)


def accuracy(model, x, answers):
    """Share of `answers` the model names (one forward pass, no compilation)."""
    probabilities = keras.ops.convert_to_numpy(model(x, training=False))
    return float(np.mean(probabilities.argmax(-1) == answers))


def plot(accuracies, lengths, tests, settings):
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.6))
    # Distinct markers, the first drawn largest: kinds that overlap at 1.0 stay visible.
    markers = ("o", "s", "^", "D", "v", "x")
    for index, (kind, values) in enumerate(accuracies.items()):
        axes.plot(lengths, values, marker=markers[index % len(markers)],
                  markersize=11 - index, alpha=0.85, label=kind)
    axes.axhline(1 / SYMBOLS, color="gray", linestyle=":", label="chance")
    axes.axhline(0.9, color="gray", linestyle="--", linewidth=0.8, label="90%: span threshold")
    axes.set_xscale("log")
    axes.set_xticks(lengths, [str(t) for t in lengths])
    axes.minorticks_off()
    axes.set_xlabel("T: sequence length in steps (symbol first, answer after step T; log scale)")
    axes.set_ylabel(f"test accuracy (share of {tests} sequences)")
    axes.set_ylim(0, 1.05)
    axes.set_title("A simple RNN forgets the first symbol sooner than an LSTM or GRU")
    axes.legend(fontsize=8)
    return save(figure, settings, "memory.png")


def run(settings):
    if settings.tiny:
        lengths, units, batch, tests, max_steps = (3, 5), 4, 8, 32, {}
        default_steps = 3
    else:
        lengths, units, batch, tests = LENGTHS, UNITS, BATCH, TESTS
        max_steps, default_steps = MAX_STEPS, DEFAULT_MAX_STEPS
    rng = np.random.default_rng(settings.seed)
    table = Table("kind", *(f"T={t}" for t in lengths), "span (≥ 90%)", "steps used (max)")
    accuracies = {}
    for kind in RECURRENT_KINDS:
        accuracies[kind], used = [], []
        limit = max_steps.get(kind, default_steps)
        for steps in lengths:
            model = recall_model(kind, units, steps, learning_rate=LEARNING_RATE,
                                 clipnorm=CLIPNORM, run_eagerly=settings.tiny)
            if kind in GATED_KINDS:
                chrono_initialize(model.get_layer("recurrent"), kind, steps, rng)
            used.append(train_on_fresh_batches(model, steps, batch, limit, rng))
            test_x, test_answers = recall_first_symbol(tests, steps, rng)
            accuracies[kind].append(accuracy(model, test_x, test_answers))
        table.row(kind, *(f"{a:.2f}" for a in accuracies[kind]),
                  span(accuracies[kind], lengths), "/".join(map(str, used)) + f" ({limit})")
    plot(accuracies, lengths, tests, settings)
    simple = span(accuracies["elman"], lengths)
    gated = max(span(accuracies["lstm"], lengths), span(accuracies["gru"], lengths))
    return verdict(gated > simple,
                   f"longest T learnt to ≥ 90%: best of LSTM/GRU {gated}, simple RNN {simple}")
