"""Lessons: what the RNN lectures claim, shown on real runs with a table and a plot.

    python -m apps.lessons                                   # list them
    python -m apps.lessons rtrl --output-dir lessons-output  # run one
    python -m apps.lessons all --output-dir lessons-output --seed 0

Each lesson is one module here with `run(settings)`, which prints its table as it
goes, writes at least one PNG into `settings.output_dir` and returns whether the run
bore the claim out; `CLAIMS` below holds the one line the list shows for each. Lessons are
not apps: they share no train/evaluate/export contract, only `apps.lessons.lesson`.
"""

import importlib

# Lesson -> the claim it shows (the list prints these without importing TensorFlow).
# Order of `all`: exact claims first, then the trained ones.
CLAIMS = {
    "toy_networks": "the lecture's worked examples (Elman vs Jordan, a hand-wired LSTM cell, "
                    "1.01^1000), computed by the layers",
    "rtrl": "real-time recurrent learning gives BPTT's gradient exactly, at O(n^4) time per step",
    "numpy_lstm": "a character LSTM in NumPy (BPTT by hand) matches keras.layers.LSTM to 1e-6",
    "cells": "an LSTM has 4x a simple RNN's recurrent parameters, a GRU 3x; "
             "what each costs in time",
    "gradients": "dL/dh_k vanishes with the distance T-k in a simple RNN, less in trained gated "
                 "cells; clipping tames the exploding case",
    "memory": "a simple RNN forgets a symbol seen T steps ago that an LSTM or GRU remembers",
    "timing": "peepholes let an LSTM measure the delay between two spikes (10-60 steps) "
              "more precisely",
    "gates": "an LSTM's gates open and close word by word; does the tagger tell 'arrive denver' "
             "from 'leave denver'?",
}
LESSON_NAMES = tuple(CLAIMS)


def lesson_module(name):
    """The module of lesson `name` (imported on demand: most import TensorFlow)."""
    if name not in LESSON_NAMES:
        raise ValueError(f"Unknown lesson {name!r}; lessons: {', '.join(LESSON_NAMES)}.")
    return importlib.import_module(f"apps.lessons.{name}")
