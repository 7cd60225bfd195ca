"""An LSTM's gates at work: i, f, o and the cell state over one sentence, as heatmaps.

    python -m apps.lessons gates --output-dir lessons-output

A one-layer unidirectional slot-filling tagger (word embedding, 16-unit LSTM or
PeepholeLSTM, softmax over the tags) is trained on ATIS (without the data: the
built-in flights data, and the lesson says so) for 6 epochs. The trained layer's
weights are then run through the NumPy LSTM of kerasrnn.reference.lstm, which
keeps every gate, over "i would like to arrive denver on november second" and the
same sentence with "leave"; gates.png draws the input, forget and output gates
and the cell state of both models, unit by unit and word by word. (The issue's
example, "... arrive taipei on november 2nd", has two words no ATIS split holds,
so a tagger sees an unknown-word id where the city is; its tags are printed but
not judged. "denver" follows "leave" 12 times in ATIS train and "arrive in" 7.)

Checked: that the NumPy recomputation gives the layer's own outputs (max
difference below 1e-5, so the pictures are the layer's gates) and whether each
model tags "denver" as the destination (B-toloc.city_name) after "arrive" and the
departure (B-fromloc.city_name) after "leave" — the distinction only memory of
the verb can make. Which gate does what
is for the reader to see in the picture; the table prints each word's mean gates.
"""

import keras
import numpy as np

from apps.lessons.data import slot_filling_data
from apps.lessons.lesson import Table, pyplot, save, verdict
from kerasrnn.layers import PeepholeLSTM
from kerasrnn.reference import lstm

# The example sentence has "taipei" and "2nd", which no ATIS split holds (the
# tagger would see an unknown-word id where the city is); the judged sentence puts an
# ATIS city and date in the same frame ("leave denver" is in ATIS train 12 times,
# "arriving denver" twice, "arrive in denver" 7 times).
SENTENCE = "i would like to arrive denver on november second".split()
CITY = SENTENCE.index("denver")
EXAMPLE = "i would like to arrive taipei on november 2nd".split()  # shown, not judged
EXAMPLE_CITY = EXAMPLE.index("taipei")
PAD, OOV = 0, 1


def vocabularies(examples):
    words = sorted({w for e in examples for w in e.tokens})
    tags = sorted({t for e in examples for t in e.tags})
    return {w: i + 2 for i, w in enumerate(words)}, {t: i for i, t in enumerate(tags)}


def encode(examples, word_ids, tag_ids):
    length = max(len(e.tokens) for e in examples)
    x = np.zeros((len(examples), length), "int32")
    y = np.zeros((len(examples), length), "int32")
    for row, example in enumerate(examples):
        x[row, :len(example.tokens)] = [word_ids.get(w, OOV) for w in example.tokens]
        y[row, :len(example.tags)] = [tag_ids[t] for t in example.tags]
    return x, y


def with_leave(words):
    """`words` with "arrive" replaced by "leave"."""
    return [w if w != "arrive" else "leave" for w in words]


def tag(model, words, word_ids, tag_names):
    """The tags `model` gives `words` (unknown words get the OOV id)."""
    ids = np.array([[word_ids.get(w, OOV) for w in words]], "int32")
    return [tag_names[i] for i in keras.ops.convert_to_numpy(model(ids)).argmax(-1)[0]]


def tagger(kind, words, tags, units, run_eagerly=False):
    layer = (PeepholeLSTM if kind == "peephole_lstm" else keras.layers.LSTM)(
        units, return_sequences=True, name="recurrent")
    model = keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(words, 32, mask_zero=True, name="embedding"),
        layer,
        keras.layers.Dense(tags, activation="softmax", name="tags"),
    ], name=f"{kind}_tagger")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  run_eagerly=run_eagerly)
    return model


def gates_of(model, ids):
    """NumPy forward of the trained layer over `ids`; returns (cache, max |NumPy − Keras|)."""
    embedded = keras.ops.convert_to_numpy(model.get_layer("embedding")(ids)).astype("float64")
    w = {v.name: keras.ops.convert_to_numpy(v).astype("float64")
         for v in model.get_layer("recurrent").weights}
    dense = model.get_layer("tags")
    w["output_kernel"] = keras.ops.convert_to_numpy(dense.kernel).astype("float64")
    w["output_bias"] = keras.ops.convert_to_numpy(dense.bias).astype("float64")
    cache = lstm.forward(embedded, w)
    layer_outputs = keras.ops.convert_to_numpy(
        model.get_layer("recurrent")(model.get_layer("embedding")(ids)))
    return cache, float(np.abs(cache["h"] - layer_outputs).max())


def plot(pictures, settings, source):
    plt = pyplot()
    rows = len(pictures)
    figure, axes = plt.subplots(rows, 4, figsize=(18, 2.6 * rows + 1), squeeze=False)
    for row, (label, words, cache) in enumerate(pictures):
        for column, (key, name) in enumerate((("i", "input gate i"), ("f", "forget gate f"),
                                              ("o", "output gate o"), ("c", "cell state c"))):
            panel = axes[row, column]
            values = cache[key][0].T
            limit = max(1.0, np.abs(values).max()) if key == "c" else 1.0
            image = panel.imshow(values, aspect="auto", vmin=-limit if key == "c" else 0,
                                 vmax=limit, cmap="RdBu_r" if key == "c" else "viridis")
            panel.set_xticks(range(len(words)), words, rotation=45, ha="right", fontsize=8)
            panel.set_ylabel("unit")
            panel.set_title(f"{label}: {name}", fontsize=9)
            figure.colorbar(image, ax=panel, label="activation (0–1)" if key != "c"
                            else "cell state (dimensionless)")
    figure.suptitle("Gates open and close word by word in a trained slot-filling LSTM "
                    f"(trained on {source.split(' (')[0]})")
    return save(figure, settings, "gates.png")


def run(settings):
    units, epochs, limit = (4, 1, 64) if settings.tiny else (16, 6, None)
    data, source = slot_filling_data(settings)
    print(f"Data: {source}.")
    train = data.splits["train"][:limit]
    word_ids, tag_ids = vocabularies(train)
    tag_names = sorted(tag_ids, key=tag_ids.get)
    x, y = encode(train, word_ids, tag_ids)
    sentences = {"arrive": SENTENCE, "leave": with_leave(SENTENCE)}
    known = [w for w in SENTENCE if w in word_ids]
    print(f"Words of the sentence the tagger never saw in training: "
          f"{', '.join(sorted(set(SENTENCE) - set(known))) or 'none'}\n")
    pictures, checks, results = [], {}, {}
    for kind in ("lstm", "peephole_lstm"):
        model = tagger(kind, len(word_ids) + 2, len(tag_ids), units, settings.tiny)
        model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
        for verb, words in sentences.items():
            ids = np.array([[word_ids.get(w, OOV) for w in words]], "int32")
            cache, difference = gates_of(model, ids)
            results[kind, verb] = cache, [tag_names[i] for i in cache["logits"][0].argmax(-1)]
            expected = "B-toloc.city_name" if verb == "arrive" else "B-fromloc.city_name"
            got = results[kind, verb][1][CITY]
            checks[f"{kind}: {SENTENCE[CITY]!r} after {verb!r} expected {expected}, "
                   f"got {got}"] = got == expected
            checks[f"{kind} gates recomputed exactly"] = difference < 1e-5
            pictures.append((f"{kind}, '{verb}'", words, cache))
        print(f"trained {kind}; max |NumPy − layer| over the outputs h: {difference:.1e}")
        for words in (EXAMPLE, with_leave(EXAMPLE)):  # the sentence, not judged
            tags = tag(model, words, word_ids, tag_names)
            city = words[EXAMPLE_CITY]
            unseen = "" if city in word_ids else ", a word the tagger never saw"
            print(f"  {' '.join(words)!r}: {city} -> {tags[EXAMPLE_CITY]} "
                  f"(not judged{unseen})")
    table = Table("word", "LSTM tag", "mean i / f / o", "peephole LSTM tag", "mean i / f / o",
                  "tags with 'leave' (LSTM, peephole)")
    for t, word in enumerate(SENTENCE):
        cells = []
        for kind in ("lstm", "peephole_lstm"):
            cache, tags = results[kind, "arrive"]
            cells += [tags[t], " / ".join(f"{cache[g][0, t].mean():.2f}" for g in "ifo")]
        table.row(word, *cells, ", ".join(results[k, "leave"][1][t]
                                          for k in ("lstm", "peephole_lstm")))
    plot(pictures, settings, source)
    failed = [name for name, ok in checks.items() if not ok]
    return verdict(not failed, "; ".join(failed) if failed else
                   "both models tell arrive from leave; the heatmaps are the layers' own gates")
