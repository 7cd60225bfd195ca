"""`predict` for classify: each text's label and class probabilities, and what it looked at."""

import sys

import tensorflow as tf

from apps.console import batches_of_lines, decode_arguments, json_line
from apps.harness import UseCommand
from apps.harness.serving import serving_default
from kerasrnn.training import UserInputError


def _arguments(parser):
    parser.add_argument("texts", nargs="*", help="texts (default: the lines of stdin; "
                        "undecodable UTF-8 bytes read as U+FFFD)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="json: one JSON object per text, one line each")
    parser.add_argument("--top-k", type=int, default=0,
                        help="show the k most probable classes (default 0: every class)")
    parser.add_argument("--explain", action="store_true",
                        help="each word's attention weight (models trained with "
                        "--pooling attention)")


def _predict(app, trained, args):
    if args.top_k < 0:
        raise UserInputError(f"--top-k can't be negative, got {args.top_k}")
    if args.explain and trained.config.pooling != "attention":
        raise UserInputError(f"--explain needs a model trained with --pooling attention; "
                             f"this one pools by {trained.config.pooling}")
    serve = serving_default(app, trained)
    # Arguments in one batch; stdin in batches of the lines already there, so a
    # line written to an open pipe is answered at once.
    for texts in ([decode_arguments(args.texts)] if args.texts else batches_of_lines()):
        for result in app.present(texts, serve(tf.constant(texts)), args.top_k, args.explain):
            print(json_line(result) if args.format == "json" else "\n".join(app.show(result)))
        sys.stdout.flush()


PREDICT = UseCommand("predict", "classify raw texts (arguments or stdin lines)",
                     _arguments, _predict)


def present(texts, outputs, top_k=0, explain=False):
    """`serving_default`'s outputs → one dict per text.

    Keys: text, label, probability, probabilities ({class: probability}, most
    probable first, the `top_k` first when `top_k` > 0), and with `explain`
    words and attention (one weight per word, summing to 1).
    """
    columns = {k: v.numpy() for k, v in outputs.items()}
    results = []
    for i, text in enumerate(texts):
        classes = [c.decode() for c in columns["classes"][i]]
        shown = slice(0, top_k or len(classes))
        result = {"text": text, "label": columns["label"][i].decode(),
                  "probability": round(float(columns["probability"][i]), 4),
                  "probabilities": {c: round(float(p), 4) for c, p in zip(
                      classes[shown], columns["probabilities"][i][shown])}}
        if explain:
            words = [w.decode() for w in columns["words"][i] if w]
            result["words"] = words
            result["attention"] = [round(float(a), 4)
                                   for a in columns["attention"][i][:len(words)]]
        results.append(result)
    return results


def show(result):
    """One `present` dict as text: the classes with their probabilities, then the words."""
    lines = ["  ".join(f"{label} {p:.3f}" for label, p in result["probabilities"].items())
             + f"\t{result['text']}"]
    if "attention" in result:
        lines.append("  attention: " + " ".join(
            f"{w}/{a:.2f}" for w, a in zip(result["words"], result["attention"])))
    return lines
