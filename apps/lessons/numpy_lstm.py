"""The lectures' "LSTM in NumPy": a character LSTM trained by hand-written BPTT.

    python -m apps.lessons numpy_lstm --output-dir lessons-output

kerasrnn.reference.lstm is an LSTM with a softmax output in plain NumPy, forward
and back-propagation through time written out by hand. This lesson first checks
it against `keras.layers.LSTM` + `Dense` holding the same float64 weights (loss
and every gradient, at the start and after training; the claim holds when all
differ by less than 1e-6), then trains it with Adam on random 32-character
windows of Kafka's Metamorphosis (without the data: a short built-in text, and
the lesson says so), and prints what it writes. Draws the training and
validation loss in bits per character (numpy_lstm.png).
"""

import keras
import numpy as np
import tensorflow as tf

from apps.lessons.data import kafka_text
from apps.lessons.lesson import Table, pyplot, save, verdict
from kerasrnn.reference import lstm

TOLERANCE = 1e-6


def keras_loss_and_gradients(x, targets, w):
    """`keras.layers.LSTM` + `Dense` in float64 with `w`; returns (loss, gradients by name)."""
    units, outputs = w["output_kernel"].shape
    layer = keras.layers.LSTM(units, return_sequences=True, dtype="float64")
    dense = keras.layers.Dense(outputs, dtype="float64")
    layer.build((None, None, x.shape[-1]))
    dense.build((None, None, units))
    variables = {v.name: v for v in layer.weights}
    variables.update(output_kernel=dense.kernel, output_bias=dense.bias)
    for name, variable in variables.items():
        variable.assign(w[name])
    with tf.GradientTape() as tape:
        logits = dense(layer(tf.constant(x)))
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            targets, logits, from_logits=True))
    grads = tape.gradient(loss, [v.value for v in variables.values()])
    return float(loss), {name: g.numpy() for name, g in zip(variables, grads)}


def compare_with_keras(x, targets, w):
    """Returns the largest |NumPy − Keras| over the loss and all gradient entries."""
    loss, grads = lstm.loss_and_gradients(x, targets, w)
    keras_loss, keras_grads = keras_loss_and_gradients(x, targets, w)
    return max(abs(loss - keras_loss),
               *(np.abs(grads[name] - keras_grads[name]).max() for name in w))


class Adam:
    """Adam (Kingma & Ba 2015) on a dict of NumPy arrays, updated in place."""

    def __init__(self, weights, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.rate, self.beta1, self.beta2, self.epsilon = learning_rate, beta1, beta2, epsilon
        self.m = {k: np.zeros_like(v) for k, v in weights.items()}
        self.v = {k: np.zeros_like(v) for k, v in weights.items()}
        self.steps = 0

    def update(self, weights, grads):
        self.steps += 1
        for k in weights:
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * grads[k]
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * grads[k] ** 2
            m = self.m[k] / (1 - self.beta1 ** self.steps)
            v = self.v[k] / (1 - self.beta2 ** self.steps)
            weights[k] -= self.rate * m / (np.sqrt(v) + self.epsilon)


def windows(ids, batch, length, rng):
    """Random `(inputs, targets)` windows: each target is the next character."""
    starts = rng.integers(0, len(ids) - length - 1, size=batch)
    chunks = np.stack([ids[s:s + length + 1] for s in starts])
    return chunks[:, :-1], chunks[:, 1:]


def sample(w, prompt, length, char_ids, rng, temperature=0.8):
    """Continues `prompt` by `length` characters, one step of `lstm.forward` at a time."""
    chars = sorted(char_ids, key=char_ids.get)
    eye = np.eye(len(chars))
    cache = lstm.forward(eye[[char_ids[ch] for ch in prompt]][None], w)
    written = []
    for _ in range(length):
        logits = cache["logits"][0, -1] / temperature
        p = np.exp(logits - logits.max())
        written.append(rng.choice(len(chars), p=p / p.sum()))
        cache = lstm.forward(eye[written[-1:]][None], w,
                             state=(cache["h"][:, -1], cache["c"][:, -1]))
    return prompt + "".join(chars[i] for i in written)


def plot(history, source, settings):
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(7, 4.2))
    steps, train, valid = zip(*history)
    axes.plot(steps, train, label="training windows")
    axes.plot(steps, valid, "o-", label="validation text")
    axes.set_xlabel("training step (Adam updates, batch of windows)")
    axes.set_ylabel("cross-entropy (bits per character)")
    axes.set_title(f"A NumPy LSTM (equal to keras.layers.LSTM) learns\n{source}")
    axes.legend()
    return save(figure, settings, "numpy_lstm.png")


def run(settings):
    units, batch, length, steps = (8, 4, 8, 20) if settings.tiny else (128, 32, 32, 3000)
    every = max(1, steps // 10)
    rng = np.random.default_rng(settings.seed)
    train_text, valid_text, source = kafka_text(settings)
    print(f"Text: {source}; {len(train_text):,} training characters.")
    char_ids = {ch: i for i, ch in enumerate(sorted(set(train_text)))}
    train_ids = np.array([char_ids[ch] for ch in train_text])
    valid_ids = np.array([char_ids[ch] for ch in valid_text if ch in char_ids])
    eye = np.eye(len(char_ids))
    w = lstm.init_weights(len(char_ids), units, len(char_ids), rng)
    check_x, check_y = windows(train_ids, 4, length, rng)
    differences = [compare_with_keras(eye[check_x], check_y, w)]
    print(f"Before training, max |NumPy − Keras| over loss and gradients: {differences[0]:.1e}\n")
    valid_x, valid_y = windows(valid_ids, 16, length, np.random.default_rng(settings.seed + 1))
    optimizer = Adam(w, learning_rate=0.005)
    table = Table("step", "train bits/char", "valid bits/char")
    history, recent = [], []
    bits = 1 / np.log(2)
    for step in range(1, steps + 1):
        x, y = windows(train_ids, batch, length, rng)
        loss, grads = lstm.loss_and_gradients(eye[x], y, w)
        optimizer.update(w, {k: np.clip(g, -5, 5) for k, g in grads.items()})
        recent.append(loss)
        if step % every == 0 or step == steps:
            valid = lstm.cross_entropy(lstm.forward(eye[valid_x], w)["logits"], valid_y)
            history.append((step, np.mean(recent) * bits, valid * bits))
            table.row(step, f"{history[-1][1]:.3f}", f"{history[-1][2]:.3f}")
            recent = []
    differences.append(compare_with_keras(eye[check_x], check_y, w))
    print(f"\nAfter training, max |NumPy − Keras| over loss and gradients: {differences[1]:.1e}")
    prompt = next((p for p in ("Gregor", "The", "He") if all(ch in char_ids for ch in p)), "")
    print(f"Sample (temperature 0.8, prompt {prompt!r}):\n"
          f"{sample(w, prompt, 40 if settings.tiny else 300, char_ids, rng)}\n")
    plot(history, source, settings)
    worst = max(differences)
    return verdict(worst < TOLERANCE,
                   f"largest |NumPy − Keras| {worst:.1e} (tolerance {TOLERANCE:g}); validation "
                   f"{history[0][2]:.2f} → {history[-1][2]:.2f} bits/char")
