"""Sampling speed of a trained textgen model: the compiled loop against `predict()` per character.

    python -m benchmarks.textgen_sampling --model saved_models/textgen-kafka

Times, on the same model and prompt, side by side in one process:
- `generate` (the SavedModel function: one `tf.while_loop` carrying the recurrent
  state) at batch 1 and at batch 64, in characters per second;
- the keras.io recipe's loop: for each new character, `model.predict()` on the last
  `--window` characters, then a draw from the softmax in NumPy (batch 1).
Each is warmed up once (tracing is not timed). The ratio is loop ÷ predict time per
character at batch 1.
"""

import argparse
import json
import time

import numpy as np
import tensorflow as tf

from apps.harness.commands import loaded
from apps.harness.serving import endpoints
from apps.textgen.app import TextGen, char_ids


def predict_loop(model, vocabulary, prompt, length, window, seed=0):
    rng = np.random.default_rng(seed)
    ids = list(char_ids(vocabulary, "\n" + prompt))
    for _ in range(length):
        p = model.predict(np.array([ids[-window:]], np.int32), verbose=0)[0, -1].astype(float)
        p[:2] = 0  # never padding or out-of-vocabulary
        ids.append(int(rng.choice(len(p), p=p / p.sum())))
    return ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--length", type=int, default=2000, help="characters per compiled run")
    parser.add_argument("--predict-length", type=int, default=100,
                        help="characters of the predict() loop (it is slow)")
    parser.add_argument("--prompt", default="Gregor")
    args = parser.parse_args()
    app = TextGen()
    trained = loaded(app, argparse.Namespace(model=args.model))
    generate = endpoints(app, trained).functions["generate"]
    results = {}
    for batch in (1, 64):
        def call(length, batch=batch):
            return generate(prompt=tf.constant([args.prompt] * batch), length=tf.constant(length),
                            temperature=tf.constant(1.0), top_k=tf.constant(0),
                            seed=tf.constant(0, tf.int64))["generated"].numpy()
        call(10)  # trace once
        start = time.perf_counter()
        call(args.length)
        seconds = time.perf_counter() - start
        results[f"loop_batch{batch}_chars_per_second"] = round(batch * args.length / seconds, 1)
    predict_loop(trained.model, trained.vocabulary, args.prompt, 2, trained.config.window)
    start = time.perf_counter()
    predict_loop(trained.model, trained.vocabulary, args.prompt, args.predict_length,
                 trained.config.window)
    seconds = time.perf_counter() - start
    results["predict_batch1_chars_per_second"] = round(args.predict_length / seconds, 1)
    results["speedup_batch1"] = round(results["loop_batch1_chars_per_second"]
                                      / results["predict_batch1_chars_per_second"], 1)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
