"""Training batches, the SavedModel's `translate` functions, and the `predict` command."""

import os
import sys
import tempfile

import numpy as np
import tensorflow as tf

from apps.console import batches_of_lines, decode_arguments, json_line
from apps.harness import Endpoints, UseCommand
from apps.translate import model as translator
from apps.translate import text
from kerasrnn.data.padding import length_boundaries
from kerasrnn.data.pipelines import batch_by_length
from kerasrnn.data.vocabulary import make_lookup
from kerasrnn.data.wordpiece import max_piece_chars
from kerasrnn.generation import beam_search, greedy_search
from kerasrnn.training import UserInputError

PAD_ID, OOV_ID, START_ID, END_ID = 0, 1, 2, 3  # [START] and [END] are the first target words
NEVER_OUTPUT = (PAD_ID, OOV_ID, START_ID)
# The widest beam decoded: a wider one (batch × beam hypotheses, each with the encoder's
# outputs) can exhaust memory and abort a serving process.
MAX_BEAM_SIZE = 1000


def max_output_lengths(source_lengths):
    """The most units (words or pieces) an output may have: 2 × its source's + 5 (no endless
    loop)."""
    return 2 * source_lengths + 5


def training_batches(config, vocabulary, items, training, drop_remainder=False):
    """`({"source", "target_in"}, target_out, weights)` batches of `items` (sentence pairs).

    `target_in` is [START] + the target's ids, `target_out` the same ids + [END]
    (teacher forcing); weights are 0 on padding. Training batches group pairs of
    similar length (8 buckets at the length quantiles), which cuts the padding.
    """
    source = _ids(text_units(config, vocabulary, "source"), [p.source for p in items])
    target = _ids(text_units(config, vocabulary, "target"), [p.target for p in items])
    pairs = tf.data.Dataset.from_tensor_slices(
        (source.to_tensor(), source.row_lengths(), target.to_tensor(), target.row_lengths()))
    if training:
        pairs = pairs.shuffle(len(items), seed=config.seed)
    pairs = pairs.map(lambda s, s_length, t, t_length: (s[:s_length], t[:t_length]))
    lengths = np.maximum(source.row_lengths().numpy(), target.row_lengths().numpy() + 1)
    boundaries = length_boundaries(lengths) if training else []
    batches = batch_by_length(pairs, config.batch_size, boundaries, drop_remainder)
    return batches.map(teacher_forcing).prefetch(tf.data.AUTOTUNE)


def teacher_forcing(source, target):
    """A batch of padded (source, target) ids → the model's inputs, targets and weights."""
    rows = tf.shape(target)[0]
    target_in = tf.concat([tf.fill([rows, 1], START_ID), target], 1)
    lengths = tf.reduce_sum(tf.cast(target != PAD_ID, tf.int32), 1)
    target_out = tf.concat([target, tf.zeros([rows, 1], tf.int32)], 1)
    target_out = tf.tensor_scatter_nd_update(
        target_out, tf.stack([tf.range(rows), lengths], 1), tf.fill([rows], END_ID))
    weights = tf.cast(target_out != PAD_ID, tf.float32)
    return {"source": source, "target_in": target_in}, target_out, weights


def text_units(config, vocabulary, side):
    """`(lookup, split)` of `side` ("source" or "target"): its StringLookup, and raw
    strings `[batch]` → units `[batch, n]` (words, or WordPiece pieces with
    `--subwords wordpiece`), as in training, `predict` and the SavedModel."""
    lookup = make_lookup(vocabulary[side])
    lowercase = side == "source" or config.lowercase_target
    chars = max_piece_chars(vocabulary[side]) if config.subwords == "wordpiece" else None
    return lookup, lambda texts: text.units(texts, lowercase, lookup, chars)


def _ids(units, sentences):
    """A ragged int32 tensor of the sentences' unit ids (`units`: `text_units(…)`)."""
    lookup, split = units
    values, lengths = [], []
    for start in range(0, len(sentences), 4096):
        tokens = split(tf.constant(sentences[start:start + 4096]))
        ids = tf.cast(lookup(tokens), tf.int32).numpy()
        real = ids != PAD_ID  # the tokenizer pads on the right only
        values.append(ids[real])
        lengths.append(real.sum(axis=1))
    return tf.RaggedTensor.from_row_lengths(
        np.concatenate(values or [np.zeros(0, np.int32)]),
        np.concatenate(lengths or [np.zeros(0, np.int64)]).astype(np.int64))


def decoder(trained):
    """`decode(source, beam_size) -> (source ids, output ids, lengths, log-probabilities)`."""
    config, model = trained.config, trained.model
    lookup, split = text_units(config, trained.vocabulary, "source")
    encode, model_step = translator.decoding_functions(model, config)

    def step(ids, states):
        # A sentence with words is never translated to nothing: no [END] right after
        # [START] (wide beams otherwise favour the empty output, which ends soonest).
        logits, states = model_step(ids, states)
        first = (ids == START_ID)[:, None] & (tf.range(tf.shape(logits)[1]) == END_ID)[None]
        return tf.where(first, tf.cast(-float("inf"), logits.dtype), logits), states

    def decode(source, beam_size):
        """`beam_size`: a Python int, or a tensor (then both decoders are in the graph)."""
        ids = tf.cast(lookup(split(source)), tf.int32)
        max_lengths = max_output_lengths(tf.reduce_sum(tf.cast(ids != PAD_ID, tf.int32), 1))
        states = encode(ids)
        options = {"forbidden_ids": NEVER_OUTPUT, "pad_id": PAD_ID}

        def greedy():
            return greedy_search(step, states, START_ID, END_ID, max_lengths, **options)

        def beam():
            return beam_search(step, states, START_ID, END_ID, max_lengths, beam_size,
                               config.length_alpha, **options)

        if isinstance(beam_size, int):
            out, lengths, log_probability = greedy() if beam_size <= 1 else beam()
        else:
            out, lengths, log_probability = tf.cond(beam_size <= 1, greedy, beam)
        return ids, out, lengths, log_probability

    decode.lookup, decode.split = lookup, split
    return decode


def endpoints(trained):
    """`translate` (also serving_default) and `translate_with` on raw strings."""
    decode = decoder(trained)
    names = tf.constant(["", "[UNK]", *trained.vocabulary["target"]])
    beam = trained.config.beam_size

    def translation(source, beam_size):
        ids, out, lengths, log_probability = decode(source, beam_size)
        words = tf.gather(names, tf.RaggedTensor.from_tensor(out, lengths=lengths))
        empty = tf.reduce_all(ids == PAD_ID, axis=1)  # no words: nothing to translate
        sentences = text.detokenize(words, pieces=trained.config.subwords == "wordpiece")
        return {"translation": tf.where(empty, "", sentences),
                "log_probability": tf.where(empty, 0.0, log_probability)}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="source")])
    def translate(source):
        return translation(source, beam)  # a Python int: only its own decoder is traced

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="source"),
                                  tf.TensorSpec([], tf.int32, name="beam_size")])
    def translate_with(source, beam_size):
        # predict's limits, for SavedModel callers too (0 or less would decode greedily),
        # checked before decoding allocates anything.
        checks = [tf.debugging.assert_positive(beam_size, message="beam_size must be at "
                                               "least 1"),
                  tf.debugging.assert_less_equal(beam_size, MAX_BEAM_SIZE,
                                                 message=f"beam_size must be at most "
                                                 f"{MAX_BEAM_SIZE}")]
        with tf.control_dependencies(checks):
            source, beam_size = tf.identity(source), tf.identity(beam_size)
        return translation(source, beam_size)

    return Endpoints({"translate": translate, "translate_with": translate_with},
                     [decode.lookup])


def translate_all(function, sources, batch_size=64, beam_size=None):
    """Translations of `sources` (strings), in batches of similar lengths, in their order."""
    order = np.argsort([len(s) for s in sources], kind="stable")
    out = [None] * len(sources)
    for start in range(0, len(sources), batch_size):
        chosen = order[start:start + batch_size]
        batch = tf.constant([sources[i] for i in chosen])
        result = function(batch) if beam_size is None else function(batch, beam_size)
        for i, sentence in zip(chosen, result["translation"].numpy()):
            out[i] = sentence.decode("utf-8")
    return out


# -- predict ---------------------------------------------------------------------------

def _predict_arguments(parser):
    parser.add_argument("texts", nargs="*", help="source sentences (default: the lines of "
                        "stdin; undecodable UTF-8 bytes read as U+FFFD)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="json: one JSON object per sentence (with its log-probability)")
    parser.add_argument("--beam-size", type=int, default=None,
                        help="beam width, 1 for greedy (default: the trained --beam-size)")
    parser.add_argument("--plot-attention", metavar="FILE.png", default=None,
                        help="save the attention heatmap of the first sentence with words")


def _predict(app, trained, args):
    if args.beam_size is not None and not 1 <= args.beam_size <= MAX_BEAM_SIZE:
        raise UserInputError(f"--beam-size must be between 1 and {MAX_BEAM_SIZE}, got "
                             f"{args.beam_size}")
    if args.plot_attention:
        _check_plot(trained, args.plot_attention)
    beam = args.beam_size or trained.config.beam_size
    functions = endpoints(trained).functions

    def translate(texts):
        if beam == trained.config.beam_size:  # the SavedModel's serving_default
            return functions["translate"](texts)
        return functions["translate_with"](texts, tf.constant(beam))

    plotted = not args.plot_attention
    for texts in ([decode_arguments(args.texts)] if args.texts else batches_of_lines()):
        out = translate(tf.constant(texts))
        for i, source in enumerate(texts):
            result = {"text": source,
                      "translation": out["translation"][i].numpy().decode("utf-8"),
                      "log_probability": round(float(out["log_probability"][i]), 4),
                      "beam_size": beam}
            print(json_line(result) if args.format == "json" else result["translation"])
        sys.stdout.flush()
        if not plotted:  # the first sentence with words (any() stops there)
            plotted = any(_plot(trained, source, beam, args.plot_attention) for source in texts)
    if not plotted:
        print("nothing plotted: no sentence had a word", file=sys.stderr)


def _check_plot(trained, path):
    """Refuses, before anything is translated, a heatmap that can't be drawn or saved."""
    if trained.config.attention == "none":
        raise UserInputError("--plot-attention: this model was trained with --attention none")
    if not path.lower().endswith(".png"):
        raise UserInputError(f"--plot-attention {path}: give a file name ending in .png")
    if os.path.isdir(path):
        raise UserInputError(f"--plot-attention {path} is a folder; give a FILE.png")
    from apps.translate.figures import written_here

    if os.path.lexists(path) and not written_here(path):
        raise UserInputError(f"--plot-attention {path}: a file not written by --plot-attention "
                             "is there; give another name or remove it")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UserInputError(f"--plot-attention {path}: no folder {folder}")
    try:  # a file can be made there (os.access says yes to root even in /proc)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".png"):
            pass
    except OSError as error:
        raise UserInputError(f"--plot-attention {path}: can't write in {folder} "
                             f"({error.strerror})") from None


def _plot(trained, source, beam, path):
    """Draws `source`'s attention to `path`; False (nothing written) if it has no words."""
    from apps.translate.figures import plot_attention

    decode = decoder(trained)
    source_words = [t.decode("utf-8") for t in decode.split(tf.constant([source]))[0].numpy()
                    if t]
    if not source_words:
        return False
    ids, out, lengths, _ = decode(tf.constant([source]), beam)
    output = out[0, :lengths[0]].numpy()
    target_in = np.concatenate([[START_ID], output])[None].astype(np.int32)
    scores = translator.attention_scores(trained.model, trained.config, ids, target_in)
    target_words = ["[UNK]", *trained.vocabulary["target"]]
    output_words = [target_words[i - 1] for i in output] + ["[END]"]
    plot_attention(np.asarray(scores)[0][:, :len(source_words)], source_words, output_words,
                   path, "pieces" if trained.config.subwords == "wordpiece" else "words")
    print(f"wrote {path}: the attention of {source!r}", file=sys.stderr)
    return True


COMMANDS = (UseCommand("predict", "translate sentences (arguments or stdin lines)",
                       _predict_arguments, _predict),)
