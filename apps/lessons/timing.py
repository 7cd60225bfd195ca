"""Do peepholes let an LSTM time intervals precisely? Measuring the delay between two spikes.

    python -m apps.lessons timing --output-dir lessons-output

After the "measuring spike delays" (MSD) task of Gers, Schraudolph & Schmidhuber,
"Learning precise timing with LSTM recurrent networks", JMLR 3, 2002: a sequence
holds two spikes (a 1 on its only input, 0 everywhere else) `interval` steps
apart, the interval drawn uniformly from 10 … 60 steps, and at its last step the
network outputs the interval (a linear regression of interval / 60 trained on
squared error): it must count the steps between the spikes with no clock in the
input, which is what the peepholes (the gates seeing the cell state c) are for.
Two conditions: the answer is due at the second spike (the sequence ends there,
81 steps), or after a further 0 … 20 steps without input (101 steps), so the
count must also be held. Our variant of the paper's task: one regression output,
Adam with full back-propagation through time instead of the paper's training.

A `keras.layers.LSTM` and a `kerasrnn.layers.PeepholeLSTM` (8 units each, both
from the chrono initialisation of their gate biases, recall.chrono_initialize
with T_max = the sequence length) are trained per condition for 2,000 steps of
fresh batches of 128 sequences (Adam, learning rate 0.01 decaying to 0 along a
cosine, gradients clipped to norm 1), for 3 seeds each; in a condition, a
seed gives both kinds the same batches. As the input is 0 outside the spikes, the
interval (and the delay) fix a whole sequence: there are only 51 (51 × 21)
distinct sequences, and the test is all of them, so this measures whether a
network can represent the count precisely, not generalisation. Scores: the mean
and largest absolute error in steps, the share of test sequences counted exactly
(the prediction rounded to the nearest step is the interval), and whether 49 and
50 are told apart (every prediction on its side of 49.5; the paper's precision).
The claim counts as borne out when, in the harder condition (answer after a
delay), the peephole LSTM's mean error over the seeds is at least 20% below the
LSTM's (rule fixed before the seed-0 run; settings chosen on a trial with seeds
1–3).
"""

import keras
import numpy as np

from apps.lessons.lesson import Table, pyplot, save, verdict
from apps.lessons.recall import chrono_initialize
from kerasrnn.layers import recurrent

SHORTEST, LONGEST, LEAD = 10, 60, 20  # intervals in steps; steps of zeros at least before
KINDS = ("lstm", "peephole_lstm")
PAIR = (49, 50)
# Condition -> the longest delay (steps without input) between the second spike and the answer.
CONDITIONS = {"at the 2nd spike": 0, "0–20 steps later": 20}


def spike_delays(intervals, delays, longest_delay):
    """Inputs `(n, LEAD + LONGEST + longest_delay + 1, 1)` float32 and targets `(n,)`.

    Sequence k has spikes at steps s − intervals[k] and s = steps − 1 − delays[k];
    its target is intervals[k] / LONGEST.
    """
    intervals, delays = np.asarray(intervals), np.asarray(delays)
    steps = LEAD + LONGEST + longest_delay + 1
    x = np.zeros((len(intervals), steps, 1), "float32")
    rows = np.arange(len(intervals))
    second = steps - 1 - delays
    x[rows, second - intervals, 0] = 1
    x[rows, second, 0] = 1
    return x, (intervals / LONGEST).astype("float32")


def timing_model(kind, units, steps, train_steps, rng, run_eagerly=False):
    """`recurrent(kind)` then a linear "interval" output; chrono-initialised; Adam, cosine."""
    model = keras.Sequential([
        keras.Input((steps, 1)),
        recurrent(kind, units, name="recurrent"),
        keras.layers.Dense(1, name="interval"),
    ], name=f"timing_{kind}")
    chrono_initialize(model.get_layer("recurrent"), kind, steps, rng)
    schedule = keras.optimizers.schedules.CosineDecay(0.01, train_steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule, clipnorm=1.0), loss="mse",
                  run_eagerly=run_eagerly)
    return model


def scores(predicted, intervals):
    """(mean |error|, largest |error| in steps, share counted exactly, 49/50 told apart).

    `predicted` and `intervals` are `(n,)` in steps; `intervals` must hold 49 and 50.
    """
    error = np.abs(predicted - intervals)
    exact = float(np.mean(np.round(predicted) == intervals))
    short, long = (predicted[intervals == t] for t in PAIR)
    apart = bool(np.all(short < np.mean(PAIR)) and np.all(long > np.mean(PAIR)))
    return float(error.mean()), float(error.max()), exact, apart


def plot(errors, tests, settings):
    plt = pyplot()
    figure, panels = plt.subplots(1, len(CONDITIONS), figsize=(12, 4.4), sharey=True)
    lengths = np.arange(SHORTEST, LONGEST + 1)
    for axes, condition in zip(np.atleast_1d(panels), CONDITIONS):
        intervals = tests[condition][0]
        for index, kind in enumerate(KINDS):
            for run, error in enumerate(errors[condition, kind]):
                per_interval = [max(error[intervals == t].mean(), 1e-3) for t in lengths]
                axes.plot(lengths, per_interval, color=f"C{index}", alpha=0.8,
                          label=kind if run == 0 else None)
        axes.axhline(0.5, color="gray", linestyle=":", label="0.5 step")
        axes.axvspan(PAIR[0] - 0.5, PAIR[1] + 0.5, color="gray", alpha=0.15, label="49, 50")
        axes.set_yscale("log")
        axes.set_xlabel("interval between the two spikes (steps)")
        axes.set_title(f"answer {condition}", fontsize=10)
        axes.legend(fontsize=8)
    np.atleast_1d(panels)[0].set_ylabel("mean |predicted − true interval| (steps; log)")
    figure.suptitle("Peepholes should let an LSTM measure the delay between two spikes "
                    "more precisely (one line per seed)")
    return save(figure, settings, "timing.png")


def test_set(longest_delay):
    """Every distinct sequence: all intervals × all delays up to `longest_delay`."""
    intervals, delays = np.meshgrid(np.arange(SHORTEST, LONGEST + 1),
                                    np.arange(longest_delay + 1), indexing="ij")
    return intervals.ravel(), delays.ravel()


def run(settings):
    if settings.tiny:
        seeds, units, batch, train_steps = 1, 2, 8, 3
    else:
        seeds, units, batch, train_steps = 3, 8, 128, 2000
    table = Table("answer", "kind", "seed", "mean |error| (steps)", "largest |error| (steps)",
                  "counted exactly", "49 vs 50 told apart", "final train loss")
    errors, results, tests = {}, {}, {}
    for condition, longest_delay in CONDITIONS.items():
        intervals, delays = tests[condition] = test_set(longest_delay)
        test_x, _ = spike_delays(intervals, delays, longest_delay)
        for kind in KINDS:
            errors[condition, kind], results[condition, kind] = [], []
            for seed in range(settings.seed, settings.seed + seeds):
                keras.utils.set_random_seed(seed)
                data = np.random.default_rng(seed)  # both kinds see the same batches
                model = timing_model(kind, units, test_x.shape[1], train_steps, data,
                                     settings.tiny)
                for _ in range(train_steps):
                    x, y = spike_delays(data.integers(SHORTEST, LONGEST + 1, batch),
                                        data.integers(0, longest_delay + 1, batch),
                                        longest_delay)
                    loss = model.train_on_batch(x, y)
                predicted = LONGEST * keras.ops.convert_to_numpy(
                    model(test_x, training=False))[:, 0]
                errors[condition, kind].append(np.abs(predicted - intervals))
                results[condition, kind].append(scores(predicted, intervals))
                mean_error, largest, exact, apart = results[condition, kind][-1]
                table.row(condition, kind, seed, f"{mean_error:.2f}", f"{largest:.2f}",
                          f"{exact:.2f}", apart, f"{float(loss):.1e}")
    plot(errors, tests, settings)
    judged = list(CONDITIONS)[-1]
    peephole, plain = (np.mean([r[0] for r in results[judged, kind]])
                       for kind in ("peephole_lstm", "lstm"))
    return verdict(peephole <= 0.8 * plain,
                   f"answer {judged}, mean |error| over {seeds} seeds: peephole LSTM "
                   f"{peephole:.2f} steps, LSTM {plain:.2f} steps")
