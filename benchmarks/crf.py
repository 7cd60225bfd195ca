"""The CRF's forward algorithm: one matrix product a step against the K × K logsumexp.

    python -m benchmarks.crf              # ATIS sizes, ~1 min
    python -m benchmarks.crf --reps 3     # quick look

`kerasrnn.layers.CRF` computes each step of the forward algorithm (the CRF loss) as
one matrix product of shifted exponentials; the textbook form takes a logsumexp
over all K × K tag pairs (`CRF._forward(..., pairwise=True)`, which the layer
keeps as its fallback). Timed here, interleaved in one process with the apps' CPU
threads (2 inter-op / 1 intra-op), median over repetitions after warm-up:

- the CRF loss alone (`CRF.step_losses`, forward and backward);
- a whole training step (`train_on_batch`) of an ATIS-sized tagger — embedding,
  BiGRU 128, Dense to K tags — with a softmax head, the textbook CRF, and ours.

Defaults are ATIS's: K = 122 tags, batches of 32 sentences of 12 words. Both CRFs
get the same weights and inputs; the largest difference of their per-step losses is
printed.
"""

import argparse
import os

from benchmarks.serving import interleaved_medians

VOCABULARY, EMBEDDING, UNITS = 726, 128, 128


def make_crf_classes():
    from kerasrnn.layers import CRF

    class PairwiseCRF(CRF):
        """The same CRF with the textbook forward step (K × K logsumexp)."""

        def _forward(self, *args, **kwargs):
            return super()._forward(*args, **kwargs, pairwise=True)

    return {"pairwise": PairwiseCRF, "matmul": CRF}


def build_tagger(head, tags, crf_class=None):
    import keras

    from kerasrnn.layers import CRFLoss

    words = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(VOCABULARY, EMBEDDING, mask_zero=True)(words)
    x = keras.layers.Bidirectional(keras.layers.GRU(UNITS, return_sequences=True))(x)
    if head == "softmax":
        model = keras.Model(words, keras.layers.Dense(tags, activation="softmax")(x))
        model.compile("adam", "sparse_categorical_crossentropy")
        return model
    crf = crf_class(tags, name="crf")
    model = keras.Model(words, crf(keras.layers.Dense(tags)(x)))
    model.compile("adam", CRFLoss(crf))
    return model


def run(tags, batch, steps, reps, calls):
    import numpy as np
    import tensorflow as tf

    from kerasrnn.training.runtime import configure_threads

    configure_threads(2, 1)  # the apps' CPU default (kept as is if TensorFlow already runs)
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    crfs = make_crf_classes()

    # The loss alone: same weights and emissions for both forward steps.
    layers = {}
    for name, cls in crfs.items():
        layers[name] = cls(tags)
        layers[name].build((None, None, tags))
    for w_pairwise, w_matmul in zip(layers["pairwise"].weights, layers["matmul"].weights):
        value = rng.normal(scale=2.0, size=w_pairwise.shape)
        w_pairwise.assign(value)
        w_matmul.assign(value)
    emissions = tf.constant(rng.normal(scale=3.0, size=(batch, steps, tags)).astype("float32"))
    gold = tf.constant(rng.integers(0, tags, size=(batch, steps)), tf.int32)

    def loss_step(layer):
        @tf.function
        def step():
            with tf.GradientTape() as tape:
                tape.watch(emissions)
                loss = tf.reduce_sum(layer.step_losses(emissions, gold))
            return loss, tape.gradient(loss, [emissions, *layer.trainable_weights])
        return step

    loss_steps = {name: loss_step(layer) for name, layer in layers.items()}
    losses = {name: np.asarray(layer.step_losses(emissions, gold))
              for name, layer in layers.items()}

    # Whole training steps.
    x = rng.integers(2, VOCABULARY, size=(batch, steps)).astype("int32")
    y = rng.integers(1, tags, size=(batch, steps)).astype("int32")
    models = {"softmax head": build_tagger("softmax", tags)}
    for name, cls in crfs.items():
        keras.utils.set_random_seed(0)
        models[f"CRF, {name} forward"] = build_tagger("crf", tags, cls)
    for model in models.values():
        for _ in range(3):
            model.train_on_batch(x, y)

    jobs = {**{f"CRF loss alone, {name} forward": fn for name, fn in loss_steps.items()},
            **{f"train step, {name}": (lambda m=m: m.train_on_batch(x, y))
               for name, m in models.items()}}
    seconds = interleaved_medians(list(jobs.values()), reps, calls)
    medians = {name: 1000 * s for name, s in zip(jobs, seconds)}
    return medians, losses


def table(medians):
    rows = [("CRF loss alone, pairwise forward", "CRF loss alone, pairwise forward"),
            ("CRF loss alone, matmul forward", "CRF loss alone, pairwise forward"),
            ("train step, softmax head", "train step, softmax head"),
            ("train step, CRF, pairwise forward", "train step, softmax head"),
            ("train step, CRF, matmul forward", "train step, softmax head")]
    lines = ["| what | ms | ratio | to |", "|---|---:|---:|---|"]
    for name, reference in rows:
        ratio = medians[name] / medians[reference]
        lines.append(f"| {name} | {medians[name]:.2f} | {ratio:.2f}× | "
                     f"{'' if name == reference else reference} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tags", type=int, default=122)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--reps", type=int, default=9, help="timed repetitions (median)")
    parser.add_argument("--calls", type=int, default=5, help="calls per repetition")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    medians, losses = run(args.tags, args.batch, args.steps, args.reps, args.calls)
    import tensorflow as tf

    difference = abs(losses["matmul"] - losses["pairwise"]).max()
    print(f"{args.tags} tags, batch {args.batch} × {args.steps} steps; median of {args.reps} "
          f"interleaved repetitions × {args.calls} calls; TensorFlow {tf.__version__}, "
          f"{os.cpu_count()} CPUs; per-step CRF losses (up to "
          f"{abs(losses['pairwise']).max():.1f}) differ by at most {difference:.1e}")
    print(table(medians))
    return medians, losses


if __name__ == "__main__":
    main()
