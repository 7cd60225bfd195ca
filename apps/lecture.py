"""`make lecture`: the classic RNN lecture's ideas, computed by kerasrnn's layers.

    python -m apps.lecture

Prints, in order: Elman vs Jordan memory on the lecture's toy network (and why
order matters), the hand-wired LSTM memory cell step by step, what a gradient
becomes after 1000 steps, parameter counts of each recurrent kind, and a trained
Keras LSTM turned into a peephole LSTM with identical outputs. Takes ~20 seconds
on a laptop CPU; needs no data.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from kerasrnn import examples  # noqa: E402
from kerasrnn.layers import PeepholeLSTM, recurrent  # noqa: E402


def _vectors(rows):
    return "  ".join(f"[{', '.join(f'{v:g}' for v in row)}]" for row in rows)


def elman_vs_jordan():
    print("1. Elman vs Jordan memory (2 inputs, 2 hidden, 2 outputs, all weights 1, linear)")
    x = examples.TOY_INPUTS
    for name, model in (("Elman  (hidden fed back)", examples.toy_elman()),
                        ("Jordan (output fed back)", examples.toy_jordan())):
        forward = keras.ops.convert_to_numpy(model(x))[0]
        backward = keras.ops.convert_to_numpy(model(x[:, ::-1]))[0]
        print(f"   {name}: inputs {_vectors(x[0])} -> {_vectors(forward)}")
        print(f"   {' ' * len(name)}  reversed {_vectors(x[0, ::-1])} -> {_vectors(backward)}")
    print("   Same inputs in another order give other outputs: the order of a sequence matters.\n")


def hand_wired_lstm():
    print("2. The hand-wired LSTM cell: x2=+1 writes x1 into memory, x2=-1 erases it, x3=1 reads")
    model = examples.hand_wired_lstm()[0]
    cell = model.get_layer("peephole_lstm").cell
    h = c = np.zeros((1, 1), "float32")
    print("   step   x1  x2  x3   memory c   output y")
    for t, step in enumerate(examples.LSTM_INPUTS[0], start=1):
        h, (_, c) = cell(step[None, :], [h, c])
        x1, x2, x3 = (int(v) for v in step)
        memory = float(keras.ops.convert_to_numpy(c)[0, 0])
        output = float(keras.ops.convert_to_numpy(h)[0, 0])
        print(f"   {t:4d}  {x1:3d} {x2:3d} {x3:3d}   {memory:8.2f}   {output:8.2f}")
    print()


def vanishing_and_exploding():
    print("3. Back-propagation through 1000 steps multiplies a gradient 1000 times:")
    for factor in (1.01, 0.99):
        print(f"   {factor}^1000 = {examples.gradient_through_time(factor):.4g}")
    print("   Exploding gradients are clipped (e.g. Adam(clipnorm=1.0)); vanishing")
    print("   ones are what the LSTM's gated, additive cell state c = f*c + i*g is for.\n")


def parameter_counts(inputs=128, units=256):
    print(f"4. Parameters of one recurrent layer ({inputs} inputs, {units} units):")
    for kind in ("elman", "jordan", "hybrid", "gru", "lstm", "peephole_lstm"):
        kwargs = {"output_units": 32} if kind in ("jordan", "hybrid") else {}
        layer = recurrent(kind, units, **kwargs)
        layer.build((None, None, inputs))
        note = " (incl. a 32-label output layer fed back)" if kwargs else ""
        print(f"   {kind:14s} {layer.count_params():8,d}{note}")
    print("   GRU has 3 gate blocks to the LSTM's 4: fewer parameters.\n")


def lstm_to_peephole():
    print("5. A Keras LSTM's weights in a PeepholeLSTM (peepholes start at 0):")
    lstm = keras.layers.LSTM(16, return_sequences=True)
    x = np.random.default_rng(0).normal(size=(4, 10, 8)).astype("float32")
    expected = keras.ops.convert_to_numpy(lstm(x))
    peephole = PeepholeLSTM.from_lstm(lstm)
    got = keras.ops.convert_to_numpy(peephole(x))
    print(f"   max |PeepholeLSTM - LSTM| = {np.abs(got - expected).max():.1e} "
          f"over {expected.size} outputs; training then moves the peepholes.\n")


def main():
    backend = keras.backend.backend()
    print(f"kerasrnn lecture examples (Keras {keras.__version__}, backend {backend})\n")
    elman_vs_jordan()
    hand_wired_lstm()
    vanishing_and_exploding()
    parameter_counts()
    lstm_to_peephole()


if __name__ == "__main__":
    main()
