"""Windows or truncated BPTT with carried state: which should textgen train with by default?

    KERASRNN_DATA=../shared/data python -m benchmarks.textgen_tbptt --data kafka \\
        [--flags "--dropout 0.35"] [--skip-windows]

Issue 17 leaves the choice to a benchmark. Both train textgen's model (the same
`apps.textgen.app.language_model`, optimizer and flags) on the training part:

* **windows** — `python -m apps.textgen train` as it is: windows of `--window`
  characters every `--stride`, shuffled, each starting from a zero state.
* **stateful** — truncated back-propagation through time (Williams & Peng 1990;
  the scheme of Zaremba et al. 2014's Penn Treebank models): the training part is
  cut into `--batch-size` contiguous streams; batch k holds characters
  [k·window, (k+1)·window) of every stream, the recurrent layers are stateful, so
  each batch starts from the state the previous one ended in, and gradients are
  truncated at batch boundaries. States are reset at the start of each epoch.
  Each character is predicted once per epoch (windows: window ÷ stride times).

After every epoch the stateful model's weights go into an ordinary copy, scored by
`apps.textgen.app.bits_per_char` on the validation part exactly as the app scores
its runs, and the best epoch is kept. An epoch of windows shows each character
window ÷ stride times, a stateful epoch once, so the stateful model gets that
factor more epochs and patience than `--epochs` and `--patience` say (the same
number of passes over each character); `--time-budget` bounds both alike.
The choice is made on validation bits per character (the test part is printed
for the record). Prints one JSON object.
"""

import argparse
import json
import shlex
import time

import keras
import numpy as np

from apps.harness import train
from apps.harness.commands import train_config
from apps.harness.training import make_optimizer
from apps.textgen.app import TextGen, bits_per_char, char_ids, language_model


def contiguous_batches(ids, batch_size, window):
    """(inputs, targets), each `[steps, batch_size, window]`: stream b is row b of every step.

    The text `ids` (1-D) is cut into `batch_size` equal contiguous streams; step k
    holds characters [k·window, (k+1)·window) of each stream and targets shifted by
    one. Characters that do not fill a last whole step are left out (fewer than
    `batch_size` × `window` + 1).
    """
    steps = (len(ids) - 1) // (batch_size * window)
    if steps < 1:
        raise ValueError(f"{len(ids)} characters are too few for {batch_size} streams "
                         f"of one {window}-character window")
    length = steps * window
    x = ids[:batch_size * length].reshape(batch_size, length)
    y = ids[1:batch_size * length + 1].reshape(batch_size, length)
    split = lambda a: a.reshape(batch_size, steps, window).transpose(1, 0, 2)  # noqa: E731
    return split(x), split(y)


def train_stateful(config, vocabulary, splits, say=print):
    """Trains with carried state; returns the best epoch's scores and the seconds it took."""
    keras.utils.set_random_seed(config.seed)
    size = len(vocabulary["chars"]) + 2
    x, y = contiguous_batches(char_ids(vocabulary, splits["train"]), config.batch_size,
                              config.window)
    model = language_model(config, size, stateful_batch=config.batch_size)
    model.compile(make_optimizer(config, len(x)), "sparse_categorical_crossentropy")
    scorer = language_model(config, size)
    valid = char_ids(vocabulary, splits["valid"])
    factor = max(round(config.window / config.stride), 1)
    best, best_weights, waited, history, start = None, None, 0, [], time.perf_counter()
    for epoch in range(1, config.epochs * factor + 1):
        for layer in model.layers:
            if getattr(layer, "stateful", False):
                layer.reset_state()
        losses = [float(model.train_on_batch(x[k], y[k])) for k in range(len(x))]
        scorer.set_weights(model.get_weights())
        bits = bits_per_char(scorer, valid, config.window)[0]
        history.append({"epoch": epoch, "loss": round(float(np.mean(losses)), 4),
                        "valid_bits_per_char": round(bits, 4),
                        "seconds": round(time.perf_counter() - start, 1)})
        say(json.dumps(history[-1]))
        if best is None or bits < best:
            best, best_weights, waited = bits, scorer.get_weights(), 0
        else:
            waited += 1
            if config.patience and waited >= config.patience * factor:
                break
        if config.time_budget and (time.perf_counter() - start) * (epoch + 1) / epoch \
                > config.time_budget:
            break
    scorer.set_weights(best_weights)
    test = bits_per_char(scorer, char_ids(vocabulary, splits["test"]), config.window)[0]
    kept = min(history, key=lambda h: h["valid_bits_per_char"])
    return {"valid_bits_per_char": round(best, 4), "bits_per_char": round(test, 4),
            "best_epoch": kept["epoch"], "epochs": len(history),
            "seconds": round(time.perf_counter() - start, 1), "history": history}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a registry name (kafka, hongloumeng)")
    parser.add_argument("--data-dir", help="or a UTF-8 text file")
    parser.add_argument("--flags", default="", help='extra train flags, e.g. "--dropout 0.35"')
    parser.add_argument("--skip-windows", action="store_true",
                        help="train only the stateful model")
    parser.add_argument("--output-dir", default="saved_models/benchmark-textgen-tbptt")
    args = parser.parse_args()
    app = TextGen()
    config = train_config(app, ["--output-dir", args.output_dir, *shlex.split(args.flags)],
                          args.data, args.data_dir)
    splits = app.read_data(config).splits
    result = {"data": args.data or args.data_dir, "flags": args.flags}
    if not args.skip_windows:
        start = time.perf_counter()
        metrics = train(app, config, quiet=True)
        result["windows"] = {
            "valid_bits_per_char": metrics["valid_bits_per_char"],
            "bits_per_char": metrics["bits_per_char"], "best_epoch": metrics["best_epoch"],
            "epochs": metrics["epochs_done"], "seconds": round(time.perf_counter() - start, 1)}
    vocabulary = app.build_vocabulary(config, splits["train"])
    result["stateful"] = train_stateful(config, vocabulary, splits)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
