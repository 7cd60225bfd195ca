"""Training-step and inference time of our recurrent layers against Keras' built-ins.

    python -m benchmarks.cells            # full run (both threading settings), ~3 min
    python -m benchmarks.cells --reps 3   # quick look
    python -m benchmarks.cells --threading pinned --xla   # also every model under XLA

Each model is compiled with `compile()` defaults (Adam; `jit_compile="auto"`) and fed
batch 64 × 50 steps × 128 features. All models are timed *interleaved*: every
repetition times every model once, so a slow patch of this noisy machine hits them
all alike; the figure is the median over the repetitions after warm-up, and the
ratios are ours ÷ the built-in's. Pairs:

- `PeepholeLSTM(256) + Dense(10)` vs `keras.layers.LSTM(256) + Dense(10)` (target ≤ 1.05×)
- `JordanRNN(256, output_units=32, return_sequences=True)` vs
  `SimpleRNN(256, return_sequences=True) + Dense(32, softmax)` (target ≤ 0.85×)

`--xla` adds a copy of every model compiled with `jit_compile=True`, timed in the
same interleaving: on a CPU, Keras' "auto" leaves XLA off, on a GPU it turns it on.
The XLA rows' ratios are ours ÷ the built-in's, both under XLA, and the last two
columns are each model's times without XLA ÷ with it (above 1: XLA is faster).

TensorFlow's threading must be set before it starts, so each setting runs in its own
process: "pinned" (2 inter-op / 1 intra-op threads, which the issue measured to be
the fastest and steadiest on 2 cores) and TensorFlow's default. Ratios are taken
within one process, never across.
"""

import argparse
import json
import os
import subprocess
import sys

from benchmarks.serving import interleaved_medians

BATCH, STEPS, FEATURES, UNITS = 64, 50, 128, 256
PAIRS = [  # (ours, built-in, target ratio)
    ("PeepholeLSTM", "LSTM", 1.05),
    ("JordanRNN", "SimpleRNN+Dense", 0.85),
]
THREADING = {"pinned": (2, 1), "default": (0, 0)}


XLA = " (XLA)"


def build(name):
    import keras

    from kerasrnn.layers import JordanRNN, PeepholeLSTM

    xla = name.endswith(XLA)
    name = name.removesuffix(XLA)
    inputs = keras.Input((STEPS, FEATURES))
    if name == "PeepholeLSTM":
        outputs = keras.layers.Dense(10)(PeepholeLSTM(UNITS)(inputs))
    elif name == "LSTM":
        outputs = keras.layers.Dense(10)(keras.layers.LSTM(UNITS)(inputs))
    elif name == "JordanRNN":
        outputs = JordanRNN(UNITS, output_units=32, return_sequences=True)(inputs)
    elif name == "SimpleRNN+Dense":
        hidden = keras.layers.SimpleRNN(UNITS, return_sequences=True)(inputs)
        outputs = keras.layers.Dense(32, activation="softmax")(hidden)
    else:
        raise ValueError(name)
    model = keras.Model(inputs, outputs, name=name.replace("+", "_"))
    sequence_output = len(model.output.shape) == 3
    model.compile(optimizer="adam",
                  loss="categorical_crossentropy" if sequence_output else "mse",
                  jit_compile=True if xla else "auto")
    if xla and not model.jit_compile:
        raise RuntimeError(f"Keras turned XLA off for {name} (op determinism on?)")
    return model


def _targets(model, rng):
    import numpy as np

    shape = tuple(BATCH if d is None else d for d in model.output.shape)
    if len(shape) == 3:
        return np.eye(shape[-1], dtype="float32")[rng.integers(0, shape[-1], shape[:2])]
    return rng.normal(size=shape).astype("float32")


def worker(threading, reps, calls, xla=False):
    """Times every model, interleaved, in this process; returns medians in ms."""
    import numpy as np
    import tensorflow as tf

    inter, intra = THREADING[threading]
    tf.config.threading.set_inter_op_parallelism_threads(inter)
    tf.config.threading.set_intra_op_parallelism_threads(intra)
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    names = [name + suffix for suffix in ("", XLA)[:1 + xla]
             for pair in PAIRS for name in pair[:2]]
    models = {name: build(name) for name in names}
    targets = {name: _targets(model, rng) for name, model in models.items()}
    for name, model in models.items():  # warm-up: tracing and XLA compilation
        for _ in range(3):
            model.train_on_batch(x, targets[name])
            model.predict_on_batch(x)
    units = [(name, kind, call)
             for name, model in models.items()
             for kind, call in (
                 ("train", lambda m=model, n=name: m.train_on_batch(x, targets[n])),
                 ("inference", lambda m=model: m.predict_on_batch(x)))]
    seconds = interleaved_medians([call for _, _, call in units], reps, calls)
    results = {name: {} for name in names}
    for (name, kind, _), spent in zip(units, seconds):
        results[name][kind] = 1000 * spent
    return results


def table(results):
    xla = any(name.endswith(XLA) for medians in results.values() for name in medians)
    lines = ["| threading | model | train step (ms) | ratio | inference (ms) | ratio | target |"
             + (" train without XLA ÷ with | inference without ÷ with |" if xla else ""),
             "|---|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if xla else "")]
    for threading, medians in results.items():
        for suffix in ("", XLA)[:1 + xla]:
            for ours, builtin, target in PAIRS:
                for name in (builtin + suffix, ours + suffix):
                    m = medians[name]
                    if name == ours + suffix:
                        b = medians[builtin + suffix]
                        ratios = (f"{m['train'] / b['train']:.2f}×",
                                  f"{m['inference'] / b['inference']:.2f}×", f"≤ {target:.2f}×")
                    else:
                        ratios = ("1.00×", "1.00×", "")
                    row = (f"| {threading} | {name} | {m['train']:.1f} | {ratios[0]} "
                           f"| {m['inference']:.1f} | {ratios[1]} | {ratios[2]} |")
                    if xla:
                        plain = medians[name.removesuffix(XLA)]
                        row += "".join(f" {plain[kind] / m[kind]:.2f}× |" if suffix else " |"
                                       for kind in ("train", "inference"))
                    lines.append(row)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=9, help="timed repetitions (median)")
    parser.add_argument("--calls", type=int, default=3, help="calls per repetition")
    parser.add_argument("--threading", choices=[*THREADING, "both"], default="both")
    parser.add_argument("--xla", action="store_true",
                        help="also time every model compiled with jit_compile=True")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow starts
    if args.worker:
        print(json.dumps(worker(args.threading, args.reps, args.calls, args.xla)))
        return
    settings = list(THREADING) if args.threading == "both" else [args.threading]
    results = {}
    for threading in settings:
        command = [sys.executable, "-m", "benchmarks.cells", "--worker",
                   "--threading", threading, "--reps", str(args.reps), "--calls", str(args.calls)]
        command += ["--xla"] if args.xla else []
        env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            sys.exit(f"benchmark worker failed:\n{done.stderr[-2000:]}")
        results[threading] = json.loads(done.stdout.strip().splitlines()[-1])
    import tensorflow as tf  # only for the versions in the header

    print(f"batch {BATCH}, {STEPS} steps, {FEATURES} inputs, {UNITS} units; "
          f"median of {args.reps} interleaved repetitions × {args.calls} calls; "
          f"TensorFlow {tf.__version__}, {os.cpu_count()} CPUs")
    print(table(results))


if __name__ == "__main__":
    main()
