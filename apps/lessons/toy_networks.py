"""The classic RNN lecture's worked examples, computed by kerasrnn's layers.

    python -m apps.lessons toy_networks --output-dir lessons-output

Prints, in order: Elman vs Jordan memory on the lecture's toy network (and why
order matters), the hand-wired LSTM memory cell step by step, what a gradient
becomes after 1000 steps, parameter counts of each recurrent kind, and a Keras
LSTM turned into a peephole LSTM with identical outputs. Draws the hand-wired
cell's memory and output per step, and 1.01^T and 0.99^T against T
(toy_networks.png). Needs no data; ~20 s.
"""

import keras
import numpy as np

from apps.lessons.lesson import pyplot, save, verdict
from kerasrnn import examples
from kerasrnn.layers import PeepholeLSTM, recurrent

ELMAN_OUTPUTS = [[4, 4], [12, 12], [32, 32]]
JORDAN_OUTPUTS = [[4, 4], [20, 20], [88, 88]]
HAND_WIRED_OUTPUTS = [0, 0, 0, 0, 0, 7, 0, 0, 6]


def _vectors(rows):
    return "  ".join(f"[{', '.join(f'{v:g}' for v in row)}]" for row in rows)


def elman_vs_jordan():
    """Prints both toy networks' outputs forwards and reversed; returns the forward ones."""
    print("1. Elman vs Jordan memory (2 inputs, 2 hidden, 2 outputs, all weights 1, linear)")
    x = examples.TOY_INPUTS
    outputs = {}
    for name, model in (("Elman  (hidden fed back)", examples.toy_elman()),
                        ("Jordan (output fed back)", examples.toy_jordan())):
        forward = keras.ops.convert_to_numpy(model(x))[0]
        backward = keras.ops.convert_to_numpy(model(x[:, ::-1]))[0]
        print(f"   {name}: inputs {_vectors(x[0])} -> {_vectors(forward)}")
        print(f"   {' ' * len(name)}  reversed {_vectors(x[0, ::-1])} -> {_vectors(backward)}")
        outputs[name.split()[0].lower()] = forward
    print("   Same inputs in another order give other outputs: the order of a sequence matters.\n")
    return outputs


def hand_wired_lstm():
    """Prints the hand-wired cell step by step; returns (memory, output) per step."""
    print("2. The hand-wired LSTM cell: x2=+1 writes x1 into memory, x2=-1 erases it, x3=1 reads")
    model = examples.hand_wired_lstm()[0]
    cell = model.get_layer("peephole_lstm").cell
    h = c = np.zeros((1, 1), "float32")
    print("   step   x1  x2  x3   memory c   output y")
    memories, outputs = [], []
    for t, step in enumerate(examples.LSTM_INPUTS[0], start=1):
        h, (_, c) = cell(step[None, :], [h, c])
        x1, x2, x3 = (int(v) for v in step)
        memories.append(float(keras.ops.convert_to_numpy(c)[0, 0]))
        outputs.append(float(keras.ops.convert_to_numpy(h)[0, 0]))
        print(f"   {t:4d}  {x1:3d} {x2:3d} {x3:3d}   {memories[-1]:8.2f}   {outputs[-1]:8.2f}")
    print()
    return np.array(memories), np.array(outputs)


def vanishing_and_exploding():
    print("3. Back-propagation through 1000 steps multiplies a gradient 1000 times:")
    for factor in (1.01, 0.99):
        print(f"   {factor}^1000 = {examples.gradient_through_time(factor):.4g}")
    print("   Exploding gradients are clipped (e.g. Adam(clipnorm=1.0)); vanishing")
    print("   ones are what the LSTM's gated, additive cell state c = f*c + i*g is for.")
    print("   (The gradients lesson measures the real thing in the layers.)\n")


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
    """Prints and returns max |PeepholeLSTM.from_lstm(lstm)(x) - lstm(x)|."""
    print("5. A Keras LSTM's weights in a PeepholeLSTM (peepholes start at 0):")
    lstm = keras.layers.LSTM(16, return_sequences=True)
    x = np.random.default_rng(0).normal(size=(4, 10, 8)).astype("float32")
    expected = keras.ops.convert_to_numpy(lstm(x))
    peephole = PeepholeLSTM.from_lstm(lstm)
    got = keras.ops.convert_to_numpy(peephole(x))
    difference = float(np.abs(got - expected).max())
    print(f"   max |PeepholeLSTM - LSTM| = {difference:.1e} "
          f"over {expected.size} outputs; training then moves the peepholes.\n")
    return difference


def print_examples():
    """The whole worked-example printout (also `python -m apps.lecture`); returns the numbers."""
    print(f"kerasrnn lecture examples (Keras {keras.__version__}, "
          f"backend {keras.backend.backend()})\n")
    outputs = elman_vs_jordan()
    memories, lstm_outputs = hand_wired_lstm()
    vanishing_and_exploding()
    parameter_counts()
    difference = lstm_to_peephole()
    return outputs, memories, lstm_outputs, difference


def plot(memories, outputs, settings):
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    steps = np.arange(1, len(memories) + 1)
    left.step(steps, memories, where="mid", label="memory c (cell state)")
    left.plot(steps, outputs, "o", label="output y")
    left.set_xticks(steps, [f"{t}\n({x1:g},{x2:g},{x3:g})"
                            for t, (x1, x2, x3) in zip(steps, examples.LSTM_INPUTS[0])])
    left.set_xlabel("time step (inputs x1, x2, x3)")
    left.set_ylabel("value (units of x1)")
    left.set_title("Hand-wired LSTM: x2=+1 writes, x2=-1 erases, x3=1 reads")
    left.legend()
    distance = np.arange(0, 1001)
    for factor in (1.01, 0.99):
        right.semilogy(distance, factor ** distance, label=f"{factor}^T")
    right.set_xlabel("steps back-propagated T")
    right.set_ylabel("gradient factor (dimensionless, log scale)")
    right.set_title("1.01^1000 ≈ 20959 explodes, 0.99^1000 ≈ 4e-5 vanishes")
    right.legend()
    return save(figure, settings, "toy_networks.png")


def run(settings):
    outputs, memories, lstm_outputs, difference = print_examples()
    plot(memories, lstm_outputs, settings)
    checks = {
        "Elman [4,12,32]": np.allclose(outputs["elman"], ELMAN_OUTPUTS),
        "Jordan [4,20,88]": np.allclose(outputs["jordan"], JORDAN_OUTPUTS),
        "hand-wired cell reads 7 then 6": np.allclose(lstm_outputs, HAND_WIRED_OUTPUTS,
                                                      atol=1e-2),
        "PeepholeLSTM.from_lstm = LSTM": difference < 1e-6,
    }
    failed = [name for name, ok in checks.items() if not ok]
    return verdict(not failed, "failed: " + ", ".join(failed) if failed
                   else "every worked example came out as on paper")
