"""Slot filling + intent detection (ATIS and any folder in its seq.in/seq.out/label layout).

    python -m apps.slot_filling train --data atis
    python -m apps.slot_filling train --data-dir my_slots/ --cell jordan --no-bidirectional
    python -m apps.slot_filling predict --model saved_models/slot_filling-atis \\
        "i want to fly from boston to denver tomorrow"
    python -m apps.slot_filling evaluate --model saved_models/slot_filling-atis --split test
    python -m apps.slot_filling export --model saved_models/slot_filling-atis --out /tmp/sm

Data: `--data atis`, `--data flights` (built-in generated utterances), or
`--data-dir` a folder with {train,valid,test}/{seq.in,seq.out,label}: one
utterance a line, one BIO tag per token, one intent per line ("a#b" for several).

Model: each word is embedded (an out-of-vocabulary bucket, [UNK], catches unseen
words) together with the mean of its hashed letter trigrams, optionally with a ±d
context window, read by the chosen recurrent layer, and tagged per token; the
intent comes from the mean- and max-pooled words and states. `--slot-head crf`
(the default) puts a linear-chain CRF over the tags. `--intent-head multilabel`
predicts the "#"-joined intents atom by atom; `--intent-head composed` keeps the
softmax over whole labels but adds to each label's score those of its atoms.
Training keeps an exponential moving average of the weights (`--ema 0.999`,
validated and kept), the epoch with the lowest slot validation loss, and a
label-smoothed intent target (`--intent-label-smoothing 0.05`: the true label gets
1 - eps + eps/K, every other label eps/K, so printed intent probabilities are less
extreme than a one-hot-trained model's). Options measured on ATIS without a gain,
kept for other data: `--intent-encoder separate`, `--word-dropout P`,
`--intent-to-slots`.

Results: metrics.json holds slot_f1, slot_precision, slot_recall (conlleval's, by
seqeval), intent_accuracy and sentence_accuracy on the test split;
slot_report.json the per-slot scores. `predict --format json` prints one object a
line with text, tokens, tags, slots, intent and intent_probability. Measured
figures, seeds and caveats: benchmarks/README.md.

Text is split only at white space (every character Python's str.split() splits
at) and each word is normalised the same way in training files, `predict` and the
SavedModel: lower-cased, each digit made --digit-token, and the punctuation
,;:!?"()[]{} (and a text's final ".") stripped from a word's ends unless nothing
else is left. A served tag or intent is always one training could teach, never
padding or [UNK].
"""

import dataclasses

import numpy as np
import tensorflow as tf
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

from apps.harness import App, AppData, Endpoints, TrainConfig, at_least_one, flag, in_unit_interval
from apps.harness.config import crf_without_xla, data_flag
from apps.slot_filling.encoding import MAX_TRIGRAMS, PUNCTUATION, Decoder, Encoder
from apps.slot_filling.intents import IntentLabels, intent_vocabulary
from kerasrnn.data import load_dataset, normalize_token_lists
from kerasrnn.data.normalization import split_words
from kerasrnn.data.pipelines import tagging_string_batches
from kerasrnn.data.tagging_schemes import spans
from kerasrnn.data.vocabulary import PAD, build_vocabulary
from kerasrnn.layers import CRFLoss
from kerasrnn.models import TAGGER_KINDS, build_joint_tagger
from kerasrnn.training import UserInputError


@dataclasses.dataclass
class Config(TrainConfig):
    data: str | None = data_flag("slot_filling", "builtin_flights")
    # Defaults: the best configuration measured on ATIS so far (benchmarks/README.md).
    cell: str = flag("gru", "recurrent layer kind (feedforward: the memoryless baseline)",
                     choices=TAGGER_KINDS)
    bidirectional: bool = flag(True, "read the sequence both ways (Bidirectional)")
    layers: int = flag(1, "stacked recurrent layers")
    units: int = flag(128, "units per recurrent layer (per direction)")
    epochs: int = flag(60, "maximum epochs")
    dropout: float = flag(0.4, "dropout on embeddings and recurrent inputs")
    ema: float = flag(0.999, "validate and keep an exponential moving average of the "
                      "weights with this momentum per step (0: the raw weights)")
    word_dropout: float = flag(0.0, "while training, each word becomes [UNK] with this "
                               "probability, so unseen words are met in training")
    patience: int = flag(10, "stop after this many epochs without validation gain (0: never)")
    embedding_dim: int = flag(128, "word embedding size")
    trigram_dim: int = flag(64, "letter-trigram embedding size (0: no trigram features)")
    trigram_bins: int = flag(4096, "hash buckets for letter trigrams")
    context_window: int = flag(1, "each word also sees d neighbours on either side")
    min_count: int = flag(1, "words seen fewer times in training are trained as [UNK]")
    digit_token: str = flag("DIGIT", "every digit becomes this token ('' keeps digits)")
    slot_head: str = flag("crf", "per-token softmax, or a linear-chain CRF over the tags",
                          choices=("softmax", "crf"))
    intent_head: str = flag("softmax", "one softmax over intent labels; composed: the same, "
                            "but 'flight#airfare' also adds the scores of 'flight' and "
                            "'airfare'; multilabel: a sigmoid per atomic intent (measured "
                            "worse on ATIS, see benchmarks/README.md)",
                            choices=("softmax", "composed", "multilabel"))
    intent_label_smoothing: float = flag(0.05, "the intent's training target spreads "
                                         "this much probability evenly over all labels "
                                         "(0: one-hot; the multilabel head ignores it)")
    intent_encoder: str = flag("shared", "the intent pools the slot tagger's recurrent "
                               "states, or its own recurrent layers",
                               choices=("shared", "separate"))
    intent_to_slots: bool = flag(False, "each token's slot scores also read the predicted "
                                 "intent distribution")


class SlotFilling(App):
    name = "slot_filling"
    Config = Config
    description = __doc__
    # Early stopping and the kept epoch follow the slots' validation loss alone: the
    # intent's starts rising epochs before the slots' stops falling, and their sum
    # stopped runs while slot F1 still grew (ATIS: 0.9531 -> 0.9580 for seed 0,
    # benchmarks/README.md).
    monitor, monitor_mode = "val_slots_loss", "min"
    # Runs written before the multilabel head had softmax intents; before label
    # smoothing, one-hot intent targets.
    defaults_of_old_runs = {"intent_head": "softmax", "intent_label_smoothing": 0.0}

    def check_config(self, config):
        problems = at_least_one(config, "layers", "units", "embedding_dim", "min_count")
        problems += in_unit_interval(config, "dropout", "word_dropout",
                                     "intent_label_smoothing")
        problems += crf_without_xla(config, "slot_head")
        for name in ("context_window", "trigram_dim"):
            if getattr(config, name) < 0:
                problems.append(f"--{name.replace('_', '-')} can't be negative, "
                                f"got {getattr(config, name)}")
        if config.trigram_dim and config.trigram_bins < 2:
            problems.append(f"--trigram-bins must be at least 2, got {config.trigram_bins}")
        return problems

    # -- data ----------------------------------------------------------------------------
    def read_data(self, config):
        # `--data` names a dataset of this app's formats: the harness checked it
        # (apps.harness.config.registry_problems) before train or evaluate reads.
        data = load_dataset(config.data, config.data_dir, data_format="slot_filling")
        missing = {"train", "valid", "test"} - set(getattr(data, "splits", {}))
        if missing:
            raise UserInputError(f"slot filling needs train, valid and test splits; "
                                 f"{sorted(missing)} missing")
        return AppData({s: data.splits[s] for s in ("train", "valid", "test")},
                       summary=data.summary(), source=data.report.source)

    def build_vocabulary(self, config, train):
        words = normalize_token_lists([e.tokens for e in train], punctuation=PUNCTUATION,
                                      digit_token=config.digit_token or None)
        return {"words": build_vocabulary(words, min_count=config.min_count),
                "tags": sorted({t for e in train for t in e.tags}),
                **intent_vocabulary([e.intent for e in train], config.intent_head)}

    def make_dataset(self, config, vocabulary, items, training, drop_remainder=False):
        """Batches `(features, {slots, intent}, {slots: token weights, intent: ones})`.

        Training batches are shuffled (seeded) and grouped by length to cut padding;
        evaluation batches keep the file order.
        """
        encode = Encoder(config, vocabulary)
        batches = tagging_string_batches(items, config.batch_size, shuffle=training,
                                         seed=config.seed, with_intent=True,
                                         bucket_boundaries="auto" if training else None,
                                         drop_remainder=drop_remainder)
        return batches.map(encode.training_batch, num_parallel_calls=tf.data.AUTOTUNE
                           ).prefetch(2)

    # -- model ---------------------------------------------------------------------------
    def build_model(self, config, vocabulary, compile_options):
        intents = IntentLabels(config.intent_head, vocabulary, config.intent_label_smoothing)
        model = build_joint_tagger(
            len(vocabulary["words"]) + 2, len(vocabulary["tags"]) + 2, intents.size,
            cell=config.cell, units=config.units, layers=config.layers,
            bidirectional=config.bidirectional, embedding_dim=config.embedding_dim,
            trigram_bins=config.trigram_bins, trigram_dim=config.trigram_dim,
            max_trigrams=MAX_TRIGRAMS, context_window=config.context_window,
            dropout=config.dropout, word_dropout=config.word_dropout,
            slot_head=config.slot_head, intent_head=config.intent_head,
            intent_composition=(intents.composition() if config.intent_head == "composed"
                                else None),
            intent_encoder=config.intent_encoder, intent_to_slots=config.intent_to_slots,
            name="slot_filling")
        slot_loss = "sparse_categorical_crossentropy"
        if config.slot_head == "crf":
            slot_loss = CRFLoss(model.get_layer("crf"))
        model.compile(**compile_options, loss={"slots": slot_loss, "intent": intents.loss()},
                      weighted_metrics={"slots": ["sparse_categorical_accuracy"],
                                        "intent": [intents.metric()]})
        return model

    # -- results -------------------------------------------------------------------------
    def predict_items(self, trained, items):
        """(predicted tag lists, predicted intent strings) for examples with tokens."""
        decode = Decoder(trained)
        tags, intents = [], []
        batches = self.make_dataset(trained.config, trained.vocabulary, items, training=False)
        for features, _, _ in batches:
            slot_ids, names, _ = decode(trained.model(features, training=False), features)
            tags.extend(slot_ids.numpy())
            intents.extend(name.decode() for name in names.numpy())
        tag_names = decode.tag_names
        return ([[tag_names[i] for i in ids[: len(e.tokens)]] for ids, e in zip(tags, items)],
                intents)

    def evaluate(self, trained, items):
        tags, intents = self.predict_items(trained, items)
        gold = [list(e.tags) for e in items]
        intent_right = [p == e.intent for p, e in zip(intents, items)]
        metrics = {
            "slot_f1": f1_score(gold, tags), "slot_precision": precision_score(gold, tags),
            "slot_recall": recall_score(gold, tags),
            "intent_accuracy": float(np.mean(intent_right)),
            "sentence_accuracy": float(np.mean([g == p and ok for g, p, ok in
                                                zip(gold, tags, intent_right)])),
            "examples": len(items),
        }
        focus = [(e.tags[i], t[i]) for e, t in zip(items, tags) for i in e.focus]
        if focus:  # the arrive/leave cities of the built-in data
            metrics["focus_accuracy"] = float(np.mean([g == p for g, p in focus]))
        metrics = {k: (round(float(v), 6) if isinstance(v, float) else v)
                   for k, v in metrics.items()}
        report = classification_report(gold, tags, output_dict=True, zero_division=0)
        metrics["slot_report"] = {k: {m: float(v) for m, v in row.items()}
                                  for k, row in report.items()}
        return metrics

    # -- serving -------------------------------------------------------------------------
    def serving(self, trained):
        """`serve`: raw text `[batch]` -> tokens, tags, intent, intent_probability."""
        encode = Encoder(trained.config, trained.vocabulary)
        decode = Decoder(trained)
        tag_names = tf.constant(decode.tag_names)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(text):
            words = split_words(text)
            shown = encode.normalize(words, digits=False)
            tokens = encode.normalize(words)
            features = encode.features(tokens)
            slot_ids, intent, probability = decode(
                trained.model(features, training=False), features)
            real = tf.not_equal(shown, PAD)
            return {"tokens": shown, "tags": tf.where(real, tf.gather(tag_names, slot_ids), PAD),
                    "intent": intent, "intent_probability": probability}

        tables = [encode.words, *decode.intents.serving_layers()]
        if trained.config.trigram_dim:
            tables.append(encode.trigrams)
        return Endpoints({"serve": serve}, tables)

    def present(self, texts, outputs):
        results = []
        for i, text in enumerate(texts):
            tokens = [t.decode() for t in outputs["tokens"][i].numpy() if t]
            tags = [t.decode() for t in outputs["tags"][i].numpy()[: len(tokens)]]
            results.append({"text": text, "tokens": tokens, "tags": tags,
                            "slots": filled_slots(tokens, tags),
                            "intent": outputs["intent"][i].numpy().decode(),
                            "intent_probability": round(float(outputs["intent_probability"][i]),
                                                        4)})
        return results

    def show(self, result):
        width = max([len(t) for t in result["tokens"]] + [5])
        lines = [f"  {token:<{width}}  {tag}" for token, tag in zip(result["tokens"],
                                                                    result["tags"])]
        lines += [f"  {slot}: {value}" for slot, value in result["slots"].items()]
        return [*lines, f"  intent: {result['intent']} ({result['intent_probability']:.3f})\n"]


def filled_slots(tokens, tags):
    """BIO tags -> {slot: "words"} (a slot filled twice lists both, joined by " | ")."""
    slots = {}
    for kind, first, last in spans(tags):
        text = " ".join(tokens[first:last + 1])
        slots[kind] = f"{slots[kind]} | {text}" if kind in slots else text
    return slots
