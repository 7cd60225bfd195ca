"""textgen's default against the keras.io character-LSTM recipe, on the same text and test part.

    KERASRNN_DATA=../shared/data python -m benchmarks.textgen --data kafka --peer-epochs 20
    KERASRNN_DATA=../shared/data python -m benchmarks.textgen --data hongloumeng --peer-epochs 5

The peer (keras-io examples/generative/lstm_character_level_text_generation.py, with
an embedding in place of one-hot input so that the Chinese vocabulary fits, and a
prediction at every position of the window): LSTM(128) over 40-character windows
taken every 3 characters, RMSprop at learning rate 0.01, batch 128, trained on the
first 90% of the text (textgen's train and valid parts) for `--peer-epochs`, and
its best epoch's test bits per character kept. Ours: `python -m apps.textgen train`
with its defaults (or `--ours-flags`). Both are scored by
`apps.textgen.app.bits_per_char` on the same last 10% (textgen's test part), each
with windows of its own training length. Prints one JSON object; the ratio is
ours ÷ peer (issue 17's target: ≤ 0.90).
"""

import argparse
import json
import shlex
import time

import keras
import numpy as np

from apps.harness import train
from apps.harness.commands import train_config
from apps.textgen.app import TextGen, bits_per_char, char_ids

PEER_WINDOW, PEER_STEP = 40, 3


def peer(train_text, test_text, epochs, seed=0):
    """The keras.io recipe's best test bits per character over `epochs`, and its seconds."""
    keras.utils.set_random_seed(seed)
    vocabulary = {"chars": sorted(set(train_text))}
    ids = char_ids(vocabulary, train_text)
    starts = np.arange(0, len(ids) - PEER_WINDOW - 1, PEER_STEP)
    x = np.stack([ids[s:s + PEER_WINDOW] for s in starts])
    y = np.stack([ids[s + 1:s + PEER_WINDOW + 1] for s in starts])
    size = len(vocabulary["chars"]) + 2
    model = keras.Sequential([keras.Input((None,), dtype="int32"),
                              keras.layers.Embedding(size, 64),
                              keras.layers.LSTM(128, return_sequences=True),
                              keras.layers.Dense(size, activation="softmax")])
    model.compile(keras.optimizers.RMSprop(0.01), "sparse_categorical_crossentropy")
    test_ids = char_ids(vocabulary, test_text)
    scores, start = [], time.perf_counter()
    for _ in range(epochs):
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
        scores.append(bits_per_char(model, test_ids, PEER_WINDOW)[0])
    return {"bits_per_char": round(min(scores), 4), "best_epoch": int(np.argmin(scores)) + 1,
            "epochs": epochs, "seconds": round(time.perf_counter() - start, 1),
            "per_epoch": [round(s, 4) for s in scores]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a registry name (kafka, hongloumeng)")
    parser.add_argument("--data-dir", help="or a UTF-8 text file")
    parser.add_argument("--peer-epochs", type=int, default=20)
    parser.add_argument("--ours-flags", default="", help='extra train flags, e.g. "--epochs 5"')
    parser.add_argument("--skip-ours", action="store_true",
                        help="train only the peer (its bits per character do not depend on "
                             "what else runs; its seconds do)")
    parser.add_argument("--output-dir", default="saved_models/benchmark-textgen")
    args = parser.parse_args()
    app = TextGen()
    config = train_config(app, ["--output-dir", args.output_dir, *shlex.split(args.ours_flags)],
                          args.data, args.data_dir)
    splits = app.read_data(config).splits
    result = {"data": args.data or args.data_dir}
    if not args.skip_ours:
        start = time.perf_counter()
        ours = train(app, config, quiet=True)
        result["ours"] = {"bits_per_char": ours["bits_per_char"],
                          "best_epoch": ours["best_epoch"], "epochs": ours["epochs_done"],
                          "seconds": round(time.perf_counter() - start, 1)}
    result["peer"] = peer(splits["train"] + splits["valid"], splits["test"], args.peer_epochs)
    if "ours" in result:
        result["ratio"] = round(result["ours"]["bits_per_char"]
                                / result["peer"]["bits_per_char"], 4)
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
