"""The translator against the TensorFlow tutorial's recipe, and its decoding speed.

    KERASRNN_DATA=../shared/data python -m benchmarks.translate compare --data spa-eng
    python -m benchmarks.translate speed --model saved_models/translate-spa-eng
    KERASRNN_DATA=../shared/data python -m benchmarks.translate speed --data spa-eng
    python -m benchmarks.translate step --ours-flags "--units 128"

`compare` trains, one after the other in one process and on the same split
(apps.translate's, Spanish→English by default; with `--ours-model DIR` ours is a
run trained before, read from its metrics.json, and only the peer is trained):
- ours: `python -m apps.translate train` with its defaults (or `--ours-flags`);
- the peer, the recipe of TensorFlow's "Neural machine translation with attention"
  tutorial (tensorflow.org/text/tutorials/nmt_with_attention): text NFKD-normalised,
  lower-cased, every character but a-z, space and . ? ! , ¿ removed, those marks
  split off; 5000-word vocabularies; an Embedding-256 and bidirectional GRU-256
  encoder (directions summed); an Embedding-256, GRU-256 decoder whose outputs
  attend to the encoder's (one-head `MultiHeadAttention`, residual, layer norm);
  Adam, shuffled batches of 64 padded per batch, masked cross-entropy; as in the
  tutorial's `model.fit`, epochs of 100 steps validated on 20 batches and early
  stopping on that loss (patience 3, best weights restored), here within
  `--peer-time-budget` seconds (an epoch that would end past it is not started);
  greedy decoding of at most 50
  words (here with kerasrnn.generation's compiled greedy loop, which gives the
  same words as the tutorial's Python loop).
Both are scored on the same test split with the same sacreBLEU objects: cased BLEU,
chrF, and lower-cased BLEU (the peer's output is lower-case, so its cased scores
are low by construction; compare `bleu_lowercase`).

`speed` times a trained model's decoding of `--sentences` test sentences, side by
side in one process, after one warm-up call each (tracing is not timed): the
compiled greedy loop at batch 64 and at batch 1, beam search (width 4) at batch 64,
and the naive loop: `model.predict()` on the whole prefix for every new word
(batch 1, greedy, on `--predict-sentences`); also the BLEU and chrF of the greedy
and the beam-4 translations of those sentences (for a trained model: greedy vs
beam 4 on the same sentences). The compiled runs are timed
`--repeats` times, interleaved, and their medians kept. Sentences per second of each
and the
ratios the issue sets targets for. `speed --data spa-eng` times a never-trained
model of the default size with the data's vocabularies instead: its outputs are
nonsense that mostly runs to the length limit, so it measures the decoders, not a
translator's typical output length.

`padding` gives the padded share of the training batches' positions (batch 64,
lengths max(source words, target words + 1), a seeded random order) with and
without apps.translate's 8 length buckets. `step` times `train_on_batch` of the
model that `--ours-flags` configure on random ids (median of `--repeats` after 3
warm-up calls; no data read): an epoch of `--data spa-eng` is about 1,490 such
steps at batch 64.
"""

import argparse
import json
import re
import shlex
import time
import unicodedata

import keras
import numpy as np
import sacrebleu
import tensorflow as tf

from apps.harness import Trained, train
from apps.harness.commands import loaded, train_config
from apps.harness.serving import endpoints
from apps.translate import use
from apps.translate.app import Translate
from kerasrnn.data.padding import length_boundaries, padding_fraction
from kerasrnn.generation import greedy_search
from kerasrnn.training.runtime import configure_threads

PEER_VOCABULARY, PEER_UNITS, PEER_MAX_LENGTH = 5000, 256, 50
PEER_STEPS_PER_EPOCH, PEER_VALIDATION_STEPS = 100, 20  # the tutorial's model.fit


def scores(hypotheses, references):
    """Cased BLEU, chrF and lower-cased BLEU (sacreBLEU defaults), rounded."""
    refs = [references]
    return {"bleu": round(sacrebleu.BLEU().corpus_score(hypotheses, refs).score, 2),
            "chrf": round(sacrebleu.CHRF().corpus_score(hypotheses, refs).score, 2),
            "bleu_lowercase": round(
                sacrebleu.BLEU(lowercase=True).corpus_score(hypotheses, refs).score, 2)}


# -- the peer -------------------------------------------------------------------------

def standardize(sentence):
    """The tutorial's `tf_lower_and_split_punct`, in Python (it needs tensorflow_text)."""
    text = unicodedata.normalize("NFKD", sentence).lower()
    text = re.sub(r"[^ a-z.?!,¿]", "", text)
    return " ".join(re.sub(r"([.?!,¿])", r" \1 ", text).split())


def peer_vocabulary(sentences):
    layer = keras.layers.TextVectorization(PEER_VOCABULARY, standardize=None, ragged=True)
    layer.adapt([f"[START] {s} [END]" for s in sentences])
    return layer


def peer_model(source_size, target_size):
    source = keras.Input((None,), dtype="int64", name="source")
    target_in = keras.Input((None,), dtype="int64", name="target_in")
    x = keras.layers.Embedding(source_size, PEER_UNITS, mask_zero=True, name="source_embedding")(
        source)
    context = keras.layers.Bidirectional(keras.layers.GRU(PEER_UNITS, return_sequences=True),
                                         merge_mode="sum", name="encoder")(x)
    y = keras.layers.Embedding(target_size, PEER_UNITS, mask_zero=True,
                               name="target_embedding")(target_in)
    y = keras.layers.GRU(PEER_UNITS, return_sequences=True, name="decoder")(y)
    layers = {"attention": keras.layers.MultiHeadAttention(1, PEER_UNITS, name="attention"),
              "residual": keras.layers.Add(name="residual"),
              "norm": keras.layers.LayerNormalization(name="norm")}
    y = cross_attention(layers, y, context)
    return keras.Model({"source": source, "target_in": target_in},
                       keras.layers.Dense(target_size, name="logits")(y))


def cross_attention(layers, query, context, attention_mask=None):
    """The tutorial's `CrossAttention`: attention, residual connection, layer norm."""
    attended = layers["attention"](query, context, attention_mask=attention_mask)
    return layers["norm"](layers["residual"]([query, attended]))


def peer(splits, time_budget, seed=0):
    """Trains the tutorial's recipe on `splits`; its test scores and seconds."""
    keras.utils.set_random_seed(seed)
    data = {name: ([standardize(p.source) for p in items], [standardize(p.target) for p in items])
            for name, items in splits.items()}
    source_words, target_words = (peer_vocabulary(side) for side in data["train"])

    def vectorize(source, target):  # the tutorial's process_text: padded per batch
        target = target_words(target)
        target_out = target[:, 1:].to_tensor()
        inputs = {"source": source_words(source).to_tensor(),
                  "target_in": target[:, :-1].to_tensor()}
        return inputs, target_out, tf.cast(target_out != 0, tf.float32)

    def batches(name):  # shuffled, batches of 64, repeated (epochs are 100 steps)
        source, target = ([f"[START] {s} [END]" for s in side] for side in data[name])
        pairs = tf.data.Dataset.from_tensor_slices((source, target))
        pairs = pairs.shuffle(len(source), seed=seed).batch(64)
        return pairs.map(vectorize, num_parallel_calls=tf.data.AUTOTUNE).repeat().prefetch(
            tf.data.AUTOTUNE)

    model = peer_model(source_words.vocabulary_size(), target_words.vocabulary_size())
    model.compile(keras.optimizers.Adam(),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
    budget = TimeBudget(time_budget)
    start = time.perf_counter()
    history = model.fit(batches("train"), epochs=1000, steps_per_epoch=PEER_STEPS_PER_EPOCH,
                        validation_data=batches("valid"), validation_steps=PEER_VALIDATION_STEPS,
                        callbacks=[budget, stop], verbose=2)
    epochs = len(history.history["loss"])
    seconds = time.perf_counter() - start
    hypotheses = peer_translate(model, source_words, target_words, data["test"][0])
    return {**scores(hypotheses, [p.target for p in splits["test"]]),
            "epochs_of_100_steps": epochs, "train_seconds": round(seconds, 1),
            "examples": hypotheses[:5]}


class TimeBudget(keras.callbacks.Callback):
    """Stops training before an epoch that would end past `seconds` (as the harness does)."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        elapsed = time.perf_counter() - self.start
        if elapsed * (epoch + 2) / (epoch + 1) > self.seconds:
            self.model.stop_training = True


def peer_translate(model, source_words, target_words, sentences, batch_size=64):
    """Greedy translations of standardised `sentences`, words joined by spaces."""
    names = target_words.get_vocabulary()
    start_id, end_id = names.index("[START]"), names.index("[END]")
    layers = {layer.name: layer for layer in model.layers}
    cell = layers["decoder"].cell

    def step(ids, states):
        y = layers["target_embedding"](ids)
        h, new = cell(y, [states["h"]], training=False)
        mask = states["mask"][:, None, :]
        y = cross_attention(layers, h[:, None], states["context"], mask)[:, 0]
        return layers["logits"](y), {**states, "h": new[0] if isinstance(new, list) else new}

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int64)])
    def decode(source):
        context = layers["encoder"](layers["source_embedding"](source), mask=source != 0)
        states = {"h": tf.zeros([tf.shape(source)[0], PEER_UNITS]), "context": context,
                  "mask": source != 0}
        lengths = tf.fill([tf.shape(source)[0]], PEER_MAX_LENGTH)
        return greedy_search(step, states, start_id, end_id, lengths, forbidden_ids=(0, 1))

    out = []
    for begin in range(0, len(sentences), batch_size):
        batch = [f"[START] {s} [END]" for s in sentences[begin:begin + batch_size]]
        ids, lengths, _ = decode(source_words(batch).to_tensor())
        out += [" ".join(names[i] for i in row[:n]) for row, n in zip(ids.numpy(), lengths.numpy())]
    return out


def compare(args):
    app = Translate()
    if args.ours_model:  # a run trained before (its metrics.json), on its own split
        config = loaded(app, argparse.Namespace(model=args.ours_model)).config
        with open(f"{args.ours_model}/metrics.json") as f:
            ours = json.load(f)
        ours["seconds_with_evaluation"] = None
    else:
        config = train_config(app, ["--output-dir", args.output_dir,
                                    *shlex.split(args.ours_flags)], args.data, args.data_dir)
        start = time.perf_counter()
        ours = train(app, config, quiet=True)
        ours["seconds_with_evaluation"] = round(time.perf_counter() - start, 1)
    splits = app.read_data(config).splits
    ours = {k: ours[k] for k in ("bleu", "chrf", "bleu_lowercase", "epochs_done",
                                 "train_seconds", "seconds_with_evaluation")}
    theirs = peer(splits, args.peer_time_budget)
    print(json.dumps({"data": config.data or config.data_dir,
                      "ours_model": args.ours_model or config.output_dir,
                      "test_sentences": len(splits["test"]), "ours": ours, "peer": theirs,
                      "bleu_lowercase_ahead": round(ours["bleu_lowercase"]
                                                    - theirs["bleu_lowercase"], 2)},
                     indent=2, ensure_ascii=False))


# -- padding ---------------------------------------------------------------------------

def padding(args):
    """Padded share of the training batches' positions, with and without length buckets."""
    app = Translate()
    config = app.Config(data=args.data, data_dir=args.data_dir)
    train_pairs = app.read_data(config).splits["train"]
    order = np.random.default_rng(0).permutation(len(train_pairs))
    sources = use.text.token_lists([train_pairs[i].source for i in order], True)
    targets = use.text.token_lists([train_pairs[i].target for i in order], False)
    lengths = [max(len(s), len(t) + 1) for s, t in zip(sources, targets)]  # + [END]
    boundaries = length_boundaries(lengths)
    print(json.dumps({"pairs": len(lengths), "boundaries": boundaries,
                      "padding_unbucketed": round(padding_fraction(lengths, 64), 3),
                      "padding_bucketed": round(padding_fraction(lengths, 64, boundaries), 3)}))


# -- training step time --------------------------------------------------------------

def step_time(args):
    """Milliseconds per `train_on_batch` of the model `--ours-flags` configure, on random ids."""
    app = Translate()
    config = train_config(app, shlex.split(args.ours_flags), data="none")
    configure_threads(config.inter_op_threads, config.intra_op_threads)
    vocabulary = {"source": [f"s{i}" for i in range(config.source_vocabulary)],
                  "target": ["[START]", "[END]"] + [f"t{i}" for i in
                                                    range(config.target_vocabulary - 2)]}
    model = app.build_model(config, vocabulary, {"optimizer": keras.optimizers.Adam(),
                                                 "jit_compile": config.jit_compile})
    rng = np.random.default_rng(0)
    size = config.batch_size
    sources, targets = config.source_vocabulary + 2, config.target_vocabulary + 2  # + pad, [UNK]
    x = {"source": rng.integers(2, sources, (size, args.source_words)).astype("int32"),
         "target_in": rng.integers(2, targets, (size, args.target_words + 1)).astype("int32")}
    y = rng.integers(2, targets, (size, args.target_words + 1)).astype("int32")
    for _ in range(3):  # tracing and warm-up
        model.train_on_batch(x, y)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        model.train_on_batch(x, y)
        times.append(time.perf_counter() - start)
    print(json.dumps({"flags": args.ours_flags, "batch": size, "source_words": args.source_words,
                      "target_words": args.target_words,
                      "median_ms_per_step": round(1000 * float(np.median(times)), 1)}))


# -- decoding speed -------------------------------------------------------------------

def predict_loop(trained, sentence):
    """Greedy decoding with `model.predict()` on the whole prefix for every new word."""
    decode = use.decoder(trained)
    source = tf.cast(decode.lookup(decode.split(tf.constant([sentence]))), tf.int32).numpy()
    limit = int(use.max_output_lengths((source != 0).sum()))
    output = [use.START_ID]
    for _ in range(limit + 1):
        logits = trained.model.predict({"source": source, "target_in": np.array([output])},
                                       verbose=0)[0, -1]
        logits[list(use.NEVER_OUTPUT)] = -np.inf
        output.append(int(np.argmax(logits)))
        if output[-1] == use.END_ID:
            break
    return output[1:]


def untrained(app, args):
    """A never-trained model configured by `--ours-flags`, with the data's vocabularies."""
    config = train_config(app, shlex.split(args.ours_flags), args.data, args.data_dir)
    configure_threads(config.inter_op_threads, config.intra_op_threads)
    keras.utils.set_random_seed(config.seed)
    vocabulary = app.build_vocabulary(config, app.read_data(config).splits["train"])
    return Trained(config, vocabulary, app.build_model(config, vocabulary, {"optimizer": "adam"}))


def speed(args):
    app = Translate()
    if args.model:
        trained = loaded(app, argparse.Namespace(model=args.model))
    elif args.data or args.data_dir:
        trained = untrained(app, args)
    else:
        raise SystemExit("speed: give --model DIR, or --data/--data-dir for an untrained model")
    translate_with = endpoints(app, trained).functions["translate_with"]
    test = app.read_data(trained.config).splits["test"]
    sentences = [p.source for p in test[:args.sentences]]
    results = {"model": args.model or "untrained", "sentences": len(sentences)}
    greedy = use.translate_all(translate_with, sentences, 64, tf.constant(1))
    results["mean_source_words"] = round(float(np.mean([len(s.split()) for s in sentences])), 2)
    results["mean_greedy_output_words"] = round(float(np.mean([len(g.split()) for g in greedy])),
                                                2)
    runs = {"greedy_batch64": (1, 64), "beam4_batch64": (4, 64), "greedy_batch1": (1, 1)}
    seconds = {name: [] for name in runs}
    for beam, batch in runs.values():  # tracing
        use.translate_all(translate_with, sentences[:batch], batch, tf.constant(beam))
    outputs = {}
    for _ in range(args.repeats):  # interleaved, so that a busy moment hits all alike
        for name, (beam, batch) in runs.items():
            run = sentences if batch > 1 else sentences[:args.batch1_sentences]
            start = time.perf_counter()
            outputs[name] = use.translate_all(translate_with, run, batch, tf.constant(beam))
            seconds[name].append((time.perf_counter() - start) / len(run))
    references = [p.target for p in test[:args.sentences]]
    for name in ("greedy_batch64", "beam4_batch64"):  # the same sentences, both decoders
        results[f"{name}_scores"] = scores(outputs[name], references)
    for name, times in seconds.items():
        results[f"{name}_sentences_per_second"] = round(1 / float(np.median(times)), 2)
    predict_loop(trained, sentences[0])  # warm-up
    start = time.perf_counter()
    for sentence in sentences[:args.predict_sentences]:
        predict_loop(trained, sentence)
    results["predict_loop_batch1_sentences_per_second"] = round(
        args.predict_sentences / (time.perf_counter() - start), 2)
    predict = results["predict_loop_batch1_sentences_per_second"]
    results["greedy_batch64_vs_predict_loop"] = round(
        results["greedy_batch64_sentences_per_second"] / predict, 1)
    results["greedy_batch1_vs_predict_loop"] = round(
        results["greedy_batch1_sentences_per_second"] / predict, 1)
    results["beam4_time_vs_greedy"] = round(results["greedy_batch64_sentences_per_second"]
                                            / results["beam4_batch64_sentences_per_second"], 2)
    print(json.dumps(results, indent=2))


def main():
    parser = argparse.ArgumentParser(prog="python -m benchmarks.translate",
                                     description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    shown = {"formatter_class": argparse.ArgumentDefaultsHelpFormatter}  # defaults in --help
    sub = commands.add_parser("compare", **shown, help="ours and the tutorial's recipe, one split")
    sub.add_argument("--data", help="a registry name (spa-eng)")
    sub.add_argument("--data-dir", help="or a pairs file")
    sub.add_argument("--ours-flags", default="", help='extra train flags, e.g. "--epochs 2"')
    sub.add_argument("--ours-model", default=None,
                     help="a run of apps.translate trained before: its metrics.json is ours, "
                     "only the peer is trained (on that run's data and split)")
    sub.add_argument("--peer-time-budget", type=float, default=1320,
                     help="seconds of peer training (22 minutes: the tutorial recipe's "
                     "training time in the issue that set the target)")
    sub.add_argument("--output-dir", default="saved_models/benchmark-translate",
                     help="where our run goes (without --ours-model)")
    sub = commands.add_parser("padding", **shown,
                              help="padding of training batches, bucketed or not")
    sub.add_argument("--data", help="a registry name (spa-eng)")
    sub.add_argument("--data-dir", help="or a pairs file")
    sub = commands.add_parser("step", **shown, help="training step time on random ids (no data)")
    sub.add_argument("--ours-flags", default="", help='train flags, e.g. "--units 128"')
    sub.add_argument("--source-words", type=int, default=9, help="source length of the batch")
    sub.add_argument("--target-words", type=int, default=9, help="target length of the batch")
    sub.add_argument("--repeats", type=int, default=10, help="timed steps (median kept)")
    sub = commands.add_parser("speed", **shown,
                              help="decoding speed of a trained (or untrained) model")
    sub.add_argument("--model", help="a run directory of apps.translate")
    sub.add_argument("--data", help="instead of --model: an untrained model with this "
                     "dataset's vocabularies (timing only: it writes nonsense, to full length)")
    sub.add_argument("--data-dir", help="or a pairs file")
    sub.add_argument("--ours-flags", default="", help="train flags of the untrained model")
    sub.add_argument("--sentences", type=int, default=1024,
                     help="test sentences decoded (and scored) at batch 64")
    sub.add_argument("--batch1-sentences", type=int, default=100,
                     help="of them, decoded one at a time")
    sub.add_argument("--predict-sentences", type=int, default=20,
                     help="of them, decoded by the model.predict() loop")
    sub.add_argument("--repeats", type=int, default=3, help="interleaved timings; medians")
    args = parser.parse_args()
    {"compare": compare, "padding": padding, "step": step_time, "speed": speed}[args.command](args)


if __name__ == "__main__":
    main()
