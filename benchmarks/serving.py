"""Latency (batch 1) and throughput (batch 256) of an exported slot-filling SavedModel.

    python -m benchmarks.serving --model saved_models/slot_filling-atis/saved_model

Loads the SavedModel with plain `tf.saved_model.load` (no kerasrnn import, as a
serving process would), calls `serving_default` on raw sentences and reports the
median over repetitions after warm-up. Threading: 2 inter-op / 1 intra-op threads
unless `--default-threads`.
"""

import argparse
import statistics
import time

SENTENCES = [
    "i want to fly from boston to denver tomorrow",
    "show me the cheapest round trip fare from pittsburgh to atlanta on november 2nd",
    "what ground transportation is available in dallas",
    "which airlines fly from baltimore to san francisco in the morning",
]


def median_seconds(fn, reps):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a SavedModel folder")
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--default-threads", action="store_true")
    args = parser.parse_args(argv)
    import tensorflow as tf

    if not args.default_threads:
        tf.config.threading.set_inter_op_parallelism_threads(2)
        tf.config.threading.set_intra_op_parallelism_threads(1)
    serve = tf.saved_model.load(args.model).signatures["serving_default"]
    one = tf.constant(SENTENCES[:1])
    many = tf.constant((SENTENCES * 64)[:256])
    for _ in range(5):  # warm-up: tracing and first-call allocations
        serve(text=one)
        serve(text=many)
    latency = median_seconds(lambda: serve(text=one)["tags"].numpy(), args.reps)
    batch = median_seconds(lambda: serve(text=many)["tags"].numpy(), max(5, args.reps // 5))
    threads = "TF default" if args.default_threads else "2 inter-op / 1 intra-op"
    print("| SavedModel | batch 1 latency (ms) | batch 256 (ms) | sentences/s | threads |")
    print("|---|---:|---:|---:|---|")
    print(f"| {args.model} | {1000 * latency:.2f} | {1000 * batch:.1f} | {256 / batch:,.0f} "
          f"| {threads} |")


if __name__ == "__main__":
    main()
