"""What each recurrent kind costs: parameters, training and inference time at one size.

    python -m apps.lessons cells --output-dir lessons-output

Every kind of kerasrnn.layers.recurrent at the same size (64 inputs, 128 units;
the Jordan kinds feed back a 32-unit output) is counted and timed. The exact
claim: an LSTM's recurrent kernel U has 4·n² weights, four times a simple
(Elman) RNN's n², and a GRU's 3·n² (one block per gate or candidate), so their
whole layers also have about 4× and 3× the parameters. (The recurrent weights of
a Jordan network map the fed-back output y to h; a hybrid adds h → h.) Times are medians of
interleaved repetitions (benchmarks/serving.py) of one `train_on_batch` and one
`predict_on_batch` on a batch of 32 sequences × 50 steps, each model followed by
`Dense(10)`; they vary from machine to machine and run to run, the counts do not.
"""

import keras
import numpy as np

from apps.lessons.lesson import Table, pyplot, save, verdict
from benchmarks.serving import interleaved_medians
from kerasrnn.layers import RECURRENT_KINDS, recurrent

INPUTS, OUTPUT_UNITS, BATCH, STEPS = 64, 32, 32, 50
# Weights that multiply a fed-back state: U, and the hybrid Jordan network's h→h too.
RECURRENT_WEIGHT_NAMES = ("recurrent_kernel", "hidden_kernel")


def build(kind, units, steps=STEPS, run_eagerly=False):
    kwargs = {"output_units": OUTPUT_UNITS} if kind in ("jordan", "hybrid") else {}
    inputs = keras.Input((steps, INPUTS))
    layer = recurrent(kind, units, name=kind, **kwargs)
    model = keras.Model(inputs, keras.layers.Dense(10)(layer(inputs)), name=f"{kind}_model")
    model.compile(optimizer="adam", loss="mse", run_eagerly=run_eagerly)
    return model


def plot(rows, units, steps, settings):
    plt = pyplot()
    kinds = [row["kind"] for row in rows]
    positions = np.arange(len(kinds))
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2))
    left.bar(positions, [row["recurrent"] for row in rows], color="tab:blue")
    for x, row in zip(positions, rows):
        left.annotate(f"{row['recurrent_ratio']:g}×", (x, row["recurrent"]), ha="center",
                      va="bottom")
    left.set_xticks(positions, kinds, rotation=20)
    left.set_ylabel("recurrent weights (count)")
    left.set_title(f"Recurrent weights at n = {units}: LSTM 4×, GRU 3× a simple RNN's n²")
    width = 0.4
    right.bar(positions - width / 2, [row["train_ms"] for row in rows], width,
              label="training step")
    right.bar(positions + width / 2, [row["inference_ms"] for row in rows], width,
              label="inference")
    right.set_xticks(positions, kinds, rotation=20)
    right.set_ylabel(f"milliseconds per batch ({BATCH} × {steps} steps)")
    right.set_title("Gated cells cost more time per step")
    right.legend()
    return save(figure, settings, "cells.png")


def run(settings):
    units, reps, steps = (4, 1, 5) if settings.tiny else (128, 7, STEPS)
    rng = np.random.default_rng(settings.seed)
    x = rng.normal(size=(BATCH, steps, INPUTS)).astype("float32")
    y = rng.normal(size=(BATCH, 10)).astype("float32")
    models = {kind: build(kind, units, steps, settings.tiny) for kind in RECURRENT_KINDS}
    for model in models.values():  # warm-up: tracing and compilation
        model.train_on_batch(x, y)
        model.predict_on_batch(x)
    calls = [call for model in models.values()
             for call in (lambda m=model: m.train_on_batch(x, y),
                          lambda m=model: m.predict_on_batch(x))]
    seconds = interleaved_medians(calls, reps)
    elman_recurrent = units * units
    table = Table("kind", "layer parameters", "recurrent weights", "× simple RNN's",
                  "train ms", "inference ms")
    rows = []
    for index, (kind, model) in enumerate(models.items()):
        layer = model.get_layer(kind)
        recurrent_weights = sum(int(np.prod(w.shape)) for w in layer.weights
                                if w.name in RECURRENT_WEIGHT_NAMES)
        rows.append({"kind": kind, "parameters": layer.count_params(),
                     "recurrent": recurrent_weights,
                     "recurrent_ratio": recurrent_weights / elman_recurrent,
                     "train_ms": 1000 * seconds[2 * index],
                     "inference_ms": 1000 * seconds[2 * index + 1]})
        row = rows[-1]
        note = f" (y has {OUTPUT_UNITS} units)" if kind in ("jordan", "hybrid") else ""
        table.row(kind, f"{row['parameters']:,}", f"{recurrent_weights:,}{note}",
                  f"{row['recurrent_ratio']:g}", f"{row['train_ms']:.1f}",
                  f"{row['inference_ms']:.1f}")
    plot(rows, units, steps, settings)
    ratios = {row["kind"]: row["recurrent_ratio"] for row in rows}
    return verdict(ratios["lstm"] == 4 and ratios["gru"] == 3 and ratios["peephole_lstm"] == 4,
                   f"recurrent kernels: LSTM {ratios['lstm']:g}×, GRU {ratios['gru']:g}×, "
                   f"peephole LSTM {ratios['peephole_lstm']:g}× a simple RNN's")
