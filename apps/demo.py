"""`make demo`: slot filling on built-in flight-booking data, with and without memory.

    python -m apps.demo

Trains four taggers on generated utterances (no download): a feed-forward tagger
that sees one word at a time, and Elman, Jordan and LSTM networks that remember
what came before. In "i would like to arrive taipei" the city is a destination and
in "... leave taipei" a departure: only the word a few steps back tells which, so
the memoryless tagger cannot get those cities right and the recurrent ones can.
Prints their scores and tags, and keeps the best model in
saved_models/slot_filling-flights/ for `python -m apps.slot_filling predict`.

This is a script over the slot-filling app (it trains through the harness and
serves through the app's own SavedModel function), not an app of its own.
"""

import os
import shutil
import sys
import time

import tensorflow as tf

from apps.console import debug_requested, send_native_stderr_away
from apps.harness import train
from apps.harness.serving import load_trained, serving_default
from apps.slot_filling.app import Config, SlotFilling
from kerasrnn.training import UserInputError, read_run
from kerasrnn.training.run_directory import claim, remove_ours

SENTENCES = ("i would like to arrive taipei on november 2nd",
             "i would like to leave taipei on november 2nd")
KINDS = (("feedforward", "none"), ("elman", "hidden layer"), ("jordan", "previous output"),
         ("lstm", "gated cell"))
BEST = os.path.join("saved_models", "slot_filling-flights")


def demo_config(cell):
    # One direction and no context window: the only way to see "arrive"/"leave"
    # from the city is to remember it.
    return Config(data="flights", cell=cell, bidirectional=False, units=64, embedding_dim=64,
                  trigram_dim=0, context_window=0, epochs=8, patience=0, dropout=0.1,
                  learning_rate=0.005, slot_head="softmax", ema=0.0,
                  output_dir=os.path.join("saved_models", "demo", cell))


def tag_sentences(app, folder):
    trained = load_trained(app, folder, read_run(folder, app.name))
    serve = serving_default(app, trained)
    return app.present(list(SENTENCES), serve(tf.constant(SENTENCES)))


def main():
    app = SlotFilling()
    claim(BEST, "demo's best model", "run")  # before training: never replace a user's folder
    print("Training four slot-filling taggers on built-in flight-booking data "
          "(3000 train / 300 valid / 600 test utterances)...\n")
    results = {}
    for cell, _ in KINDS:
        started = time.perf_counter()
        metrics = train(app, demo_config(cell), quiet=True)
        results[cell] = (metrics, time.perf_counter() - started)
        print(f"  {cell:12s} trained in {results[cell][1]:4.0f} s")
    print("\n  tagger        memory            arrive/leave city   slot F1   intent acc")
    for cell, memory in KINDS:
        m = results[cell][0]
        print(f"  {cell:12s}  {memory:16s}  {m['focus_accuracy']:17.1%}   {m['slot_f1']:7.3f}"
              f"   {m['intent_accuracy']:10.3f}")
    print("  (arrive/leave city: the cities whose tag only an earlier 'arrive'/'leave' decides)")
    print("  Jordan remembers only its previous *output*, and 'from', 'to', 'arrive' and 'leave'\n"
          "  are all tagged O, so without a context window it cannot tell a departure city from\n"
          "  a destination; Elman and LSTM remember the words themselves.\n")
    for cell, _ in KINDS:
        for result in tag_sentences(app, demo_config(cell).output_dir):
            city = result["tags"][result["tokens"].index("taipei")]
            print(f"  {cell:12s} {result['text']!r}: taipei -> {city}")
    best = max(results, key=lambda c: (results[c][0]["focus_accuracy"], results[c][0]["slot_f1"]))
    remove_ours(BEST, "run")
    shutil.copytree(demo_config(best).output_dir, BEST)
    print(f"\nBest: {best}. Its model directory is {BEST}/; try\n"
          f"  .venv/bin/python -m apps.slot_filling predict --model {BEST} "
          f"\"i want to leave boston tomorrow\"")


if __name__ == "__main__":
    send_native_stderr_away(debug_requested())
    try:
        main()
    except UserInputError as error:
        print(f"demo: error: {' '.join(str(error).split())}", file=sys.stderr)
        sys.exit(2)
