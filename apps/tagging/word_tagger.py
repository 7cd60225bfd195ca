"""`WordTagger`: the application half of a word-level tagger (NER, POS tagging).

The model is `kerasrnn.models.build_sequence_tagger`; its inputs come from
`kerasrnn.data.word_features.WordFeatures`, which runs in `tf.data` while training
and inside the SavedModel while serving. Raw text is split into tokens by
`kerasrnn.data.word_tokenizer.tokenize_with_offsets` (CoNLL/Penn Treebank-style:
"Roosevelt." → "Roosevelt" "."), the same in `predict` and the SavedModel, which
also return each token's character offsets. An app (apps/ner, apps/pos) adds how
its data are read, what it scores, and how a result is shown.
"""

import collections
import dataclasses

import keras
import numpy as np
import tensorflow as tf

from apps.harness import App, AppData, TrainConfig, at_least_one, flag, in_unit_interval
from apps.harness.config import crf_without_xla
from kerasrnn.data import load_dataset
from kerasrnn.data.embeddings import read_embeddings
from kerasrnn.data.pipelines import tagging_string_batches
from kerasrnn.data.vocabulary import OOV, PAD, make_lookup
from kerasrnn.data.word_features import WordFeatures, build_word_vocabularies, word_key
from kerasrnn.data.word_tokenizer import tokenize_with_offsets
from kerasrnn.layers import CRFLoss
from kerasrnn.models import CHAR_ENCODERS, TAGGER_KINDS
from kerasrnn.models.sequence_tagger import HEADS, build_sequence_tagger
from kerasrnn.training import UserInputError

FIRST_TAG = 2  # tag ids 0 and 1 are padding and [UNK]: never predicted
RECURRENT_ONLY = tuple(k for k in TAGGER_KINDS if k != "feedforward")


@dataclasses.dataclass
class TaggerConfig(TrainConfig):
    cell: str = flag("lstm", "recurrent layer kind", choices=RECURRENT_ONLY)
    bidirectional: bool = flag(True, "read the sentence both ways (Bidirectional)")
    layers: int = flag(1, "stacked recurrent layers")
    units: int = flag(200, "units per recurrent layer (per direction)")
    embedding_dim: int = flag(100, "word embedding size (--embeddings: the file's)")
    embeddings: str | None = flag(None, "pretrained word vectors, GloVe or word2vec text "
                                  "format (.gz too), to start the word embedding from")
    lowercase: bool = flag(True, "look words up lower-cased (their case goes to --casing)")
    casing: bool = flag(True, "add a casing-class feature (lower, Upper, UPPER, numeric, ...)")
    char_encoder: str = flag("cnn", "characters of each word: a CNN (Ma & Hovy 2016), a "
                             "BiLSTM (Lample et al. 2016) or none", choices=CHAR_ENCODERS)
    char_dim: int = flag(30, "character embedding size")
    char_units: int = flag(50, "CNN filters, or character-LSTM units per direction")
    trigram_dim: int = flag(0, "letter-trigram embedding size (0: no trigram features)")
    trigram_bins: int = flag(4096, "hash buckets for letter trigrams")
    dropout: float = flag(0.5, "dropout on word vectors, recurrent inputs and outputs")
    word_dropout: float = flag(0.0, "while training, each word becomes [UNK] with this "
                               "probability, so unseen words are met in training")
    min_count: int = flag(1, "words seen fewer times in training are trained as [UNK]")
    head: str = flag("crf", "per-token softmax, or a linear-chain CRF over the tags",
                     choices=HEADS)


class WordTagger(App):
    """An `App` tagging each token of a sentence; subclasses read data and score."""

    def check_config(self, config):
        problems = at_least_one(config, "layers", "units", "embedding_dim", "min_count",
                                "char_dim", "char_units")
        problems += in_unit_interval(config, "dropout", "word_dropout")
        problems += crf_without_xla(config, "head")
        if config.trigram_dim < 0:
            problems.append(f"--trigram-dim can't be negative, got {config.trigram_dim}")
        if config.trigram_dim and config.trigram_bins < 2:
            problems.append(f"--trigram-bins must be at least 2, got {config.trigram_bins}")
        return problems

    # -- data ----------------------------------------------------------------------------
    def build_vocabulary(self, config, train):
        vocabulary = build_word_vocabularies([e.tokens for e in train], config.lowercase,
                                             config.min_count)
        return {**vocabulary, "tags": sorted({t for e in train for t in e.tags})}

    def features(self, config, vocabulary):
        return WordFeatures(vocabulary, lowercase=config.lowercase, casing=config.casing,
                            chars=config.char_encoder != "none",
                            trigram_bins=config.trigram_bins if config.trigram_dim else 0)

    def make_dataset(self, config, vocabulary, items, training, drop_remainder=False):
        """Batches `(features, {"tags": ids}, {"tags": 1 on real tokens})`.

        Training batches are shuffled (seeded) and grouped by length; evaluation
        batches hold the examples shortest first (`by_length`), which pads least.
        """
        if not training:
            items = [items[i] for i in by_length(items)]
        features = self.features(config, vocabulary)
        tags = make_lookup(vocabulary["tags"])

        def encode(tokens, tag_strings):
            weights = tf.cast(tf.not_equal(tokens, PAD), tf.float32)
            return features(tokens), {"tags": tags(tag_strings)}, {"tags": weights}

        batches = tagging_string_batches(items, config.batch_size, shuffle=training,
                                         seed=config.seed,
                                         bucket_boundaries="auto" if training else None,
                                         drop_remainder=drop_remainder)
        return batches.map(encode, num_parallel_calls=tf.data.AUTOTUNE).prefetch(2)

    # -- model ---------------------------------------------------------------------------
    def build_model(self, config, vocabulary, compile_options):
        embeddings = None
        if config.embeddings:
            found = read_embeddings(config.embeddings, vocabulary["words"], seed=config.seed)
            print(f"--embeddings: {found.summary()}")
            embeddings = found.matrix
        model = build_sequence_tagger(
            len(vocabulary["words"]) + 2, len(vocabulary["tags"]) + 2,
            num_chars=len(vocabulary["chars"]) + 2, char_encoder=config.char_encoder,
            char_dim=config.char_dim, char_units=config.char_units, casing=config.casing,
            trigram_bins=config.trigram_bins, trigram_dim=config.trigram_dim,
            embedding_dim=config.embedding_dim, embeddings=embeddings, cell=config.cell,
            units=config.units, layers=config.layers, bidirectional=config.bidirectional,
            dropout=config.dropout, word_dropout=config.word_dropout, head=config.head,
            name=self.name)
        loss = CRFLoss(model.get_layer("crf")) if config.head == "crf" else \
            "sparse_categorical_crossentropy"
        model.compile(**compile_options, loss={"tags": loss})
        return model

    # -- predicting ----------------------------------------------------------------------
    def decode(self, trained, scores, features):
        """Model scores → tag ids `(batch, time)` int32, never padding or [UNK]."""
        real = keras.ops.arange(keras.ops.shape(scores)[-1]) >= FIRST_TAG
        if trained.config.head == "crf":
            ids = trained.model.get_layer("crf").decode(
                keras.ops.where(real, scores, -1e9), mask=features["words"] > 0)
        else:
            ids = keras.ops.argmax(keras.ops.where(real, scores, -1.0), axis=-1)
        return tf.maximum(tf.cast(ids, tf.int32), FIRST_TAG)  # padded steps: any real tag

    def tag_names(self, vocabulary):
        return [PAD, OOV, *vocabulary["tags"]]  # by tag id

    def predict_items(self, trained, items):
        """The predicted tag lists of examples (their own tokens, not re-tokenised)."""
        names = self.tag_names(trained.vocabulary)
        batches = self.make_dataset(trained.config, trained.vocabulary, items, training=False)
        tag_ids = self._tag_ids(trained, batches.element_spec[0])
        predicted = [None] * len(items)
        order = iter(by_length(items))  # the order make_dataset batched them in
        for features, _, _ in batches:
            for ids in tag_ids(features).numpy():
                predicted[next(order)] = ids
        return [[names[i] for i in ids[: len(e.tokens)]] for ids, e in zip(predicted, items)]

    def _tag_ids(self, trained, spec):
        """features → tag ids, one graph for every batch (eager Viterbi is a Python
        loop over the steps), kept while the model is the same: validation calls
        this every epoch."""
        cached = getattr(self, "_tag_ids_cache", None)
        if cached and cached[0] is trained.model and cached[1] == trained.config:
            return cached[2]

        @tf.function(input_signature=[spec])
        def tag_ids(features):
            return self.decode(trained, trained.model(features, training=False)["tags"],
                               features)

        self._tag_ids_cache = (trained.model, trained.config, tag_ids)
        return tag_ids

    def out_of_vocabulary(self, trained, items):
        """Per example, one bool per token: its word key is not in the training vocabulary."""
        known = set(trained.vocabulary["words"])
        flat = [t for e in items for t in e.tokens]
        keys = word_key(tf.constant(flat or [""]), trained.config.lowercase).numpy()
        unknown = [k.decode("utf-8") not in known for k in keys]
        result, start = [], 0
        for e in items:
            result.append(unknown[start:start + len(e.tokens)])
            start += len(e.tokens)
        return result

    # -- serving -------------------------------------------------------------------------
    def tagging_function(self, trained):
        """(text `[batch]` → tokens, starts, ends, tags), and the tables it reads."""
        features = self.features(trained.config, trained.vocabulary)
        names = tf.constant(self.tag_names(trained.vocabulary))

        def tag(text):
            tokens, starts, ends = tokenize_with_offsets(text)
            inputs = features(tokens)
            scores = trained.model(inputs, training=False)["tags"]
            ids = self.decode(trained, scores, inputs)
            real = tf.not_equal(tokens, PAD)
            return tokens, starts, ends, tf.where(real, tf.gather(names, ids), PAD)

        return tag, features.tables


def by_length(items):
    """Positions of `items`, shortest first (ties in file order)."""
    return sorted(range(len(items)), key=lambda i: len(items[i].tokens))


def read_tagged_data(config, data_format, task, labels, labels_of, **reader_options):
    """`AppData` of a tagged dataset; labels of valid/test that train lacks are counted.

    `labels_of(example)` gives an example's labels (its tags, or its entity types),
    named `labels` in the summary's note.
    """
    data = load_tagged_data(config, data_format, task, **reader_options)
    splits = {s: data.splits[s] for s in ("train", "valid", "test")}
    summary = data.summary()
    known = {label for e in splits["train"] for label in labels_of(e)}
    for split in ("valid", "test"):
        unseen = collections.Counter(label for e in splits[split] for label in labels_of(e)
                                     if label not in known)
        if unseen:
            listed = ", ".join(f"{k} ({n})" for k, n in sorted(unseen.items()))
            summary += (f"\n  note: {split} has {labels} training never saw, which can only "
                        f"be missed: {listed}")
    return AppData(splits, summary=summary, source=data.report.source)


def load_tagged_data(config, data_format, task, **reader_options):
    """The dataset of --data (checked by the harness: a registry entry of this app's
    format) or --data-dir, refusing one without its three splits."""
    data = load_dataset(config.data, config.data_dir, data_format=data_format,
                        **reader_options)
    missing = {"train", "valid", "test"} - set(data.splits)
    if missing:
        files = {"conllu": "*-ud-train.conllu, *-ud-dev.conllu and *-ud-test.conllu",
                 "conll": "train.txt, valid.txt and test.txt"}.get(data_format, "")
        raise UserInputError(f"{data.report.source}: {task} needs train, valid and test "
                             f"splits ({files}); missing: {', '.join(sorted(missing))}")
    return data


def round_floats(metrics):
    return {k: (round(float(v), 6) if isinstance(v, (float, np.floating)) else v)
            for k, v in metrics.items()}
