"""Latency (batch 1) and throughput (batch 256) of exported SavedModels of the apps.

    python -m benchmarks.serving --model saved_models/slot_filling-atis/saved_model
    python -m benchmarks.serving --model saved_models/ner-conll2003/saved_model --sentences news
    python -m benchmarks.serving --model A/saved_model B/saved_model   # side by side

Loads each SavedModel with plain `tf.saved_model.load` (no kerasrnn import, as a
serving process would), calls `serving_default` on raw sentences and reports the
median over repetitions after warm-up. With several models the repetitions are
interleaved (A, B, A, B, …) in one process, so a noisy machine slows them alike,
and the ratio column divides each model's time by the first one's. Threading:
2 inter-op / 1 intra-op threads unless `--default-threads`.
"""

import argparse
import statistics
import time

SENTENCES = {
    "atis": [
        "i want to fly from boston to denver tomorrow",
        "show me the cheapest round trip fare from pittsburgh to atlanta on november 2nd",
        "what ground transportation is available in dallas",
        "which airlines fly from baltimore to san francisco in the morning",
    ],
    "news": [  # raw newswire-style text, as a NER or POS model is served
        "He said, Teddy Roosevelt was a great President.",
        "German Chancellor Angela Merkel met Emmanuel Macron in Paris on Tuesday.",
        "Shares of Apple Inc. rose 3.5% to $182.40 on the Nasdaq, Reuters reported.",
        "The European Commission said on Thursday it disagreed with German advice.",
    ],
}


def interleaved_medians(calls, reps, calls_per_rep=1):
    """Median seconds per call of each zero-argument call, timed in turns `reps` times.

    Each turn times `calls_per_rep` calls of one function in a row (for calls too
    short to time one by one) and counts their mean.
    """
    times = [[] for _ in calls]
    for _ in range(reps):
        for call, spent in zip(calls, times):
            start = time.perf_counter()
            for _ in range(calls_per_rep):
                call()
            spent.append((time.perf_counter() - start) / calls_per_rep)
    return [statistics.median(spent) for spent in times]


def threads_in_use():
    """TensorFlow's thread pools as the table shows them."""
    import tensorflow as tf

    inter = tf.config.threading.get_inter_op_parallelism_threads()
    intra = tf.config.threading.get_intra_op_parallelism_threads()
    if not inter and not intra:
        return "TF default"
    return f"{inter or 'TF default'} inter-op / {intra or 'TF default'} intra-op"


def measure(paths, reps, default_threads=False, sentences="atis"):
    """Rows of (path, batch-1 seconds, batch-256 seconds) for each SavedModel."""
    import tensorflow as tf

    if not default_threads:
        try:
            tf.config.threading.set_inter_op_parallelism_threads(2)
            tf.config.threading.set_intra_op_parallelism_threads(1)
        except RuntimeError:  # TensorFlow already running (e.g. in a test): as it is
            pass
    serves = [tf.saved_model.load(path).signatures["serving_default"] for path in paths]
    one = tf.constant(SENTENCES[sentences][:1])
    many = tf.constant((SENTENCES[sentences] * 64)[:256])
    for serve in serves:
        for _ in range(5):  # warm-up: tracing and first-call allocations
            serve(text=one)
            serve(text=many)
    latency = interleaved_medians(
        [lambda s=s: s(text=one)["tags"].numpy() for s in serves], reps)
    batch = interleaved_medians(
        [lambda s=s: s(text=many)["tags"].numpy() for s in serves], max(5, reps // 5))
    return list(zip(paths, latency, batch))


def table(rows, threads):
    lines = ["| SavedModel | batch 1 latency (ms) | ratio | batch 256 (ms) | ratio "
             "| sentences/s | threads |", "|---|---:|---:|---:|---:|---:|---|"]
    _, first_latency, first_batch = rows[0]
    for path, latency, batch in rows:
        lines.append(f"| {path} | {1000 * latency:.2f} | {latency / first_latency:.2f}× "
                     f"| {1000 * batch:.1f} | {batch / first_batch:.2f}× "
                     f"| {256 / batch:,.0f} | {threads} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, nargs="+", help="SavedModel folders")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--default-threads", action="store_true")
    parser.add_argument("--sentences", choices=sorted(SENTENCES), default="atis",
                        help="the raw texts served: ATIS utterances or news sentences")
    args = parser.parse_args(argv)
    rows = measure(args.model, args.reps, args.default_threads, args.sentences)
    print(table(rows, threads_in_use()))


if __name__ == "__main__":
    main()
