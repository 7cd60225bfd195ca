"""The textgen SavedModel's `generate` and `score` functions, and the commands that call them."""

import math
import sys

import tensorflow as tf

from apps.console import batches_of_lines, decode_argument, decode_arguments, json_line
from apps.harness import Endpoints, UseCommand
from apps.harness.serving import endpoints as app_endpoints
from kerasrnn.data.vocabulary import make_lookup
from kerasrnn.generation import sample
from kerasrnn.training import UserInputError

PAD_ID, OOV_ID = 0, 1
LINE_START = "\n"  # the context of a prompt or a scored sentence: it starts a line
# The longest `generate` (CLI and SavedModel): one compiled loop can't be interrupted,
# so a typo of a few extra zeros must not start hours of uninterruptible work (issue
# 17 asks for no cap below 100,000).
MAX_LENGTH = 1_000_000


def endpoints(trained):
    """`generate` (also serving_default) and `score`, on raw strings; see the app docstring."""
    chars = trained.vocabulary["chars"]
    lookup = make_lookup(chars)
    names = tf.constant(["", "", *chars])  # padding and OOV are never generated
    model = trained.model
    step, initial_states = step_function(model)

    def ids_of(texts):
        return tf.cast(lookup(tf.strings.unicode_split(LINE_START + texts, "UTF-8")), tf.int32)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="prompt"),
                                  tf.TensorSpec([], tf.int32, name="length"),
                                  tf.TensorSpec([], tf.float32, name="temperature"),
                                  tf.TensorSpec([], tf.int32, name="top_k"),
                                  tf.TensorSpec([], tf.int64, name="seed")])
    def generate(prompt, length, temperature, top_k, seed):
        # The CLI's limits (check_generate), enforced for SavedModel callers too:
        # InvalidArgumentError instead of a silent zero-length or degenerate sample.
        # Sampling depends on the checks, so a huge length fails them before its
        # output is allocated (unordered, the allocation aborted the process).
        checks = [
            tf.debugging.assert_positive(length, message="length must be at least 1"),
            tf.debugging.assert_less_equal(length, MAX_LENGTH,
                                           message=f"length must be at most {MAX_LENGTH}"),
            tf.debugging.assert_positive(temperature, message="temperature must be positive"),
            tf.debugging.assert_all_finite(temperature, message="temperature must be finite"),
            tf.debugging.assert_non_negative(top_k, message="top_k must be 0 (all) or more"),
            tf.debugging.assert_less_equal(top_k, len(chars), message="top_k must be at "
                                           f"most the vocabulary size, {len(chars)}"),
            tf.debugging.assert_non_negative(seed, message="seed must be 0 or more")]
        with tf.control_dependencies(checks):
            prompt, length, temperature, top_k, seed = (
                tf.identity(t) for t in (prompt, length, temperature, top_k, seed))
        prompt_ids = _left_padded(ids_of(prompt))
        ids = sample(step, prompt_ids, initial_states(tf.shape(prompt_ids)[0]), length, seed,
                     temperature, top_k, forbidden_ids=(PAD_ID, OOV_ID), pad_id=PAD_ID)
        return {"generated": tf.strings.reduce_join(tf.gather(names, ids), axis=-1)}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
    def score(text):
        ids = ids_of(text).to_tensor()
        ids = tf.pad(ids, [[0, 0], [0, tf.maximum(0, 2 - tf.shape(ids)[1])]])
        p = model(ids[:, :-1], training=False)
        targets = ids[:, 1:]
        real = tf.cast(targets != PAD_ID, tf.float32)
        chosen = tf.gather(p, targets, batch_dims=2)
        log_probability = tf.reduce_sum(tf.math.log(tf.maximum(chosen, 1e-30)) * real, -1)
        characters = tf.reduce_sum(real, -1)
        # No characters, no average: NaN (0 / 0), not a perfect 0 bits.
        bits = tf.where(characters > 0, -log_probability / math.log(2)
                        / tf.maximum(characters, 1.0), float("nan"))
        return {"log_probability": log_probability, "bits_per_char": bits,
                "perplexity": tf.pow(2.0, bits), "characters": tf.cast(characters, tf.int32)}

    return Endpoints({"generate": generate, "score": score}, [lookup])


def step_function(model):
    """`step(ids, states) -> (logits, states)` from the trained model's named layers."""
    embedding = model.get_layer("embedding")
    cells = [layer.cell for layer in model.layers if layer.name.startswith("recurrent_")]
    logits_layer = model.get_layer("logits")

    def step(ids, states):
        x, new_states = embedding(ids), []
        for cell, state in zip(cells, states, strict=True):
            x, state = cell(x, list(state), training=False)
            new_states.append(list(state) if isinstance(state, (list, tuple)) else [state])
        return tf.cast(logits_layer(x), tf.float32), new_states

    def initial_states(batch):
        return [[tf.zeros([batch, size], tf.float32) for size in _state_sizes(cell)]
                for cell in cells]

    return step, initial_states


def _state_sizes(cell):
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


def _left_padded(ragged):
    """A ragged batch of ids as a dense one, padded on the left (the last ids line up)."""
    lengths = tf.cast(ragged.row_lengths(), tf.int32)
    longest = tf.reduce_max(tf.concat([lengths, [1]], 0))  # an empty batch: [0, 1]
    source = tf.range(longest)[None] - (longest - lengths)[:, None]
    dense = tf.gather(ragged.to_tensor(), tf.maximum(source, 0), batch_dims=1)
    return tf.where(source >= 0, dense, PAD_ID)


# -- the commands ---------------------------------------------------------------------

def _generate_arguments(parser):
    parser.add_argument("--prompt", default="", help="the text to continue (default: none, "
                        "i.e. the start of a line)")
    parser.add_argument("--length", type=int, default=500,
                        help="characters to generate after the prompt, at most 1,000,000 "
                             "(default: 500)")
    parser.add_argument("--temperature", type=float, default=1.0,
                        help="> 0; lower is more conservative (default: 1.0)")
    parser.add_argument("--top-k", type=int, default=0,
                        help="draw among the k most likely characters only (default: 0, all)")
    parser.add_argument("--num-samples", type=int, default=1,
                        help="independent samples, drawn as one batch (default: 1)")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same text (default: 0)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="json: one JSON object per sample, one line each")


def check_generate(args, vocabulary_size):
    """Raises `UserInputError` naming every unusable generate option."""
    problems = []
    if not 0 < args.length <= MAX_LENGTH:
        problems.append(f"--length must be between 1 and {MAX_LENGTH:,}, got {args.length}")
    if not args.temperature > 0 or math.isinf(args.temperature):
        problems.append(f"--temperature must be a positive number, got {args.temperature}")
    if not 0 <= args.top_k <= vocabulary_size:
        problems.append(f"--top-k must be between 0 (all) and the vocabulary's "
                        f"{vocabulary_size} characters, got {args.top_k}")
    if args.num_samples < 1:
        problems.append(f"--num-samples must be at least 1, got {args.num_samples}")
    if not 0 <= args.seed < 2**63:
        problems.append(f"--seed must be in [0, 2**63), got {args.seed}")
    if problems:
        raise UserInputError("; ".join(problems))


def _generate(app, trained, args):
    check_generate(args, len(trained.vocabulary["chars"]))
    generate = app_endpoints(app, trained).functions["generate"]
    prompt = decode_argument(args.prompt)
    out = generate(prompt=tf.constant([prompt] * args.num_samples),
                   length=tf.constant(args.length, tf.int32),
                   temperature=tf.constant(args.temperature, tf.float32),
                   top_k=tf.constant(args.top_k, tf.int32),
                   seed=tf.constant(args.seed, tf.int64))
    for i, generated in enumerate(out["generated"].numpy()):
        generated = generated.decode("utf-8")
        if args.format == "json":
            print(json_line({"prompt": prompt, "sample": i, "seed": args.seed,
                             "text": prompt + generated, "generated": generated}))
        else:
            print(("" if i == 0 else "\n") + prompt + generated)


def _score_arguments(parser):
    parser.add_argument("texts", nargs="*",
                        help="sentences (default: the lines of stdin); an empty one has "
                        "log-probability 0 and no bits per character (n/a, null in JSON)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="json: one JSON object per sentence, one line each")


def _score(app, trained, args):
    score = app_endpoints(app, trained).functions["score"]
    for texts in ([decode_arguments(args.texts)] if args.texts else batches_of_lines()):
        out = {k: v.numpy() for k, v in score(tf.constant(texts)).items()}
        for i, text in enumerate(texts):
            result = {"text": text, "log_probability": round(float(out["log_probability"][i]), 4),
                      "bits_per_char": _number(out["bits_per_char"][i]),
                      "perplexity": _number(out["perplexity"][i]),
                      "characters": int(out["characters"][i])}
            print(json_line(result) if args.format == "json" else
                  f"{result['log_probability']:.4f}\t{_text(result['bits_per_char'])} bits/char"
                  f"\t{_text(result['perplexity'])}\t{text}")
        sys.stdout.flush()


def _number(value):
    """A rounded float, or None for NaN (an empty sentence)."""
    return None if math.isnan(value) else round(float(value), 4)


def _text(value):
    return "n/a" if value is None else f"{value:.4f}"


COMMANDS = (
    UseCommand("generate", "continue a prompt with sampled characters", _generate_arguments,
               _generate),
    UseCommand("score", "log-probability, bits per character and perplexity of sentences",
               _score_arguments, _score),
)
