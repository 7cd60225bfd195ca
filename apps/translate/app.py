"""Sentence translation with an attentional encoder-decoder (Spanish→English, any sentence pairs).

    python -m apps.translate train --data spa-eng
    python -m apps.translate train --data-dir fra-eng.txt --cell lstm --attention multiplicative
    python -m apps.translate predict --model saved_models/translate-spa-eng \\
        "¿Dónde está la biblioteca?" --beam-size 4 --format json
    python -m apps.translate predict --model saved_models/translate-spa-eng \\
        "Tengo hambre." --plot-attention attention.png
    python -m apps.translate evaluate --model saved_models/translate-spa-eng --split valid
    python -m apps.translate export --model saved_models/translate-spa-eng --out /tmp/translate

Data: `--data spa-eng` (the Tatoeba/Anki pairs) or `--data-dir` one pairs file in
that layout: English<TAB>other language[<TAB>attribution] per line. The second
column is translated into the first (Spanish→English); `--reverse` translates the
first into the second. The split is kerasrnn.data.parallel's: pairs sharing a
sentence of either language stay in one split (about 80/10/10%), and it does not
depend on the direction.

Text: word tokens of the package's tokenizer (kerasrnn.data.word_tokenizer; every
Unicode white space separates words, punctuation is a token of its own); the source
is lower-cased, the target keeps its case and punctuation, and the output is
detokenised ("Where is the library?"). With `--subwords none`, the vocabularies are
the tokens of the training split seen at least `--min-count` times, at most
`--source-vocabulary` / `--target-vocabulary`; others read as [UNK] (id 1). With
`--subwords wordpiece` (the default) each word is split into WordPiece pieces
("desafortunadas" → "desafortun" "##adas"; kerasrnn.data.wordpiece), learned from
the training split's words up to those sizes (every character of the training split
is a piece, even beyond them), so a word never seen whole is spelled with pieces,
unless it holds a character training never saw (then it is one [UNK], as in BERT);
the output's pieces are joined back into words. Padding (0), [UNK] and [START] are
never output; [END] ends a sentence.

Model: encoder of `--layers` `--cell` layers (`--bidirectional`), a `--decoder-cell`
decoder with `--attention` additive (Bahdanau), multiplicative (Luong) or none
(Sutskever et al. 2014); trained with teacher forcing (apps/translate/model.py),
in batches of pairs of similar length. `--tie-embeddings` makes the output layer
the target embedding's transpose (Press & Wolf 2017; one matrix for both, no
output bias), after a linear map from `--units` to `--embedding-dim` where they differ.

Decoding: kerasrnn.generation's batched greedy search (`--beam-size 1`) or beam
search with GNMT's length penalty (`--length-alpha`), one compiled loop per batch;
each output has at most 2 × its source's units + 5 units (words, or with
`--subwords wordpiece` pieces: a source word read as [UNK] counts as one).

Training log: `loss` is the objective, Keras' mean over every target position of a
batch with padding counted as 0 (so it shifts with a batch's padding, and the
unbucketed validation batches have more); `cross_entropy` is the mean over real
tokens, in nats (perplexity per token: e ** cross_entropy). The kept epoch is the
best `val_loss` (over the same validation batches each epoch, so the same order).

Results: metrics.json holds `bleu` and `chrf` (sacreBLEU corpus scores, its
default cased settings, 0-100) and `bleu_lowercase` of the test split translated
with `--beam-size` (also in metrics.json as `beam_size`), and `signature`, the
BLEU score's sacreBLEU signature string; sacrebleu.json every score's signature
and the first translations. `evaluate --beam-size N --length-alpha A`
scores the same model with another decoder (`--beam-size 1`: greedy).

`predict` translates its arguments (or stdin lines), one line each; `--format
json` adds the log-probability; `--beam-size` overrides the trained setting;
`--plot-attention FILE.png` draws the attention of the first sentence with words. The
SavedModel's `translate` (also `serving_default`) maps a batch of source strings
to translations with the trained `--beam-size`; `translate_with` takes the beam
size too (1: greedy).

The defaults: WordPiece pieces, a bidirectional GRU-256 encoder, a GRU-256
decoder, additive attention, beam 4, Adam 1e-3, dropout 0.2, a 27.5-minute training
budget (4 epochs of spa-eng here; the whole `train` took 28.4 minutes). Compared on
the validation split (benchmarks/README.md, "Translation"): in the same budget the
256-unit model (4 epochs) reached valid BLEU 42.15 with words, a 128-unit one (7
epochs) 40.69; Adam 2e-3 with cosine decay and dropout 0.1 was far behind after 2
epochs (valid loss 1.71 against 0.96) and was stopped. After 2 epochs
(benchmarks/translate_ablation.py) additive attention and the GRU lead on valid BLEU
(27.07) over the peephole LSTM (24.02), multiplicative attention (19.00), no
attention (3.04) and the LSTM (2.03), and WordPiece pieces lead words (28.42 vs
26.14); after 4 epochs the pieces reach valid BLEU 43.75 (words: 42.15). On that
model, beam widths 1, 2, 4, 8 give valid BLEU 40.30, 42.60, 43.75, 44.11: beam 4
stays, since 8 doubles the decoding time for 0.36. Dropout 0.1 / 0.2 / 0.3 after 2
epochs: valid BLEU 31.51 / 28.42 / 28.19, but after 4 epochs 0.1 leads 0.2 by only
0.38 (44.13), so 0.2 stays. Batch 32 reaches valid BLEU 46.51 after 4 epochs, but
a step costs 1.14× as much per sentence, so the budget fits 3 of its epochs
where it fits 4 of batch 64's, and 3 gave 41.55: batch 64 stays.
"""

import dataclasses
import time

import keras
import sacrebleu

from apps.harness import App, AppData, TrainConfig, at_least_one, flag, new_default
from apps.harness.config import data_flag, in_unit_interval
from apps.translate import model as translator
from apps.translate import text, use
from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.examples import SentencePair
from kerasrnn.data.loading import load_dataset
from kerasrnn.data.vocabulary import build_vocabulary
from kerasrnn.data.wordpiece import learn_wordpiece
from kerasrnn.layers.recurrent import RECURRENT_KINDS

START, END = "[START]", "[END]"


@dataclasses.dataclass
class Config(TrainConfig):
    data: str | None = data_flag("parallel_pairs")
    reverse: bool = flag(False, "translate the first column into the second (default: the "
                         "second into the first)")
    cell: str = flag("gru", "encoder recurrent layer kind", choices=tuple(RECURRENT_KINDS))
    decoder_cell: str | None = flag(None, "decoder recurrent layer kind (default: --cell)",
                                    choices=tuple(RECURRENT_KINDS))
    bidirectional: bool = flag(True, "bidirectional encoder layers")
    layers: int = flag(1, "encoder recurrent layers, stacked")
    units: int = flag(256, "units of each recurrent layer (per direction)")
    embedding_dim: int = flag(256, "word embedding size")
    tie_embeddings: bool = flag(False, "the output layer is the target embedding's transpose "
                                "(Press & Wolf 2017), after a linear map from --units to "
                                "--embedding-dim where they differ")
    dropout: float = flag(0.2, "dropout after embeddings, encoder layers and the decoder")
    attention: str = flag("additive", "additive (Bahdanau), multiplicative (Luong) or none",
                          choices=("additive", "multiplicative", "none"))
    source_vocabulary: int = flag(16000, "most source words kept (wordpiece: pieces, and at "
                                  "least every character of the training split)")
    target_vocabulary: int = flag(10000, "most target words kept (wordpiece: pieces, and at "
                                  "least every character of the training split)")
    min_count: int = flag(2, "words seen fewer times in training read as [UNK] (wordpiece: "
                          "pairs of pieces seen fewer times are not merged)")
    subwords: str = flag("wordpiece", "wordpiece: split words into WordPiece pieces learned from "
                         "the training split (the vocabulary sizes then count pieces); none: "
                         "whole words", choices=("none", "wordpiece"))
    lowercase_target: bool = flag(False, "lower-case the target (the TF tutorial's recipe)")
    beam_size: int = flag(4, "beam width of evaluation and the SavedModel (1: greedy)")
    length_alpha: float = flag(0.6, "GNMT length-penalty alpha of beam search (0: none)")
    batch_size: int = new_default(TrainConfig, "batch_size", 64)
    epochs: int = new_default(TrainConfig, "epochs", 30)
    time_budget: float = new_default(TrainConfig, "time_budget", 1650)


class Translate(App):
    name = "translate"
    Config = Config
    description = __doc__
    use_commands = use.COMMANDS
    # runs saved before --subwords existed were word-level
    defaults_of_old_runs = {"subwords": "none"}
    # `evaluate --beam-size 1` scores greedy decoding of a model trained with beam 4.
    evaluation_flags = ("beam_size", "length_alpha")

    def check_config(self, config):
        problems = (at_least_one(config, "layers", "units", "embedding_dim", "source_vocabulary",
                                 "target_vocabulary", "min_count", "beam_size")
                    + in_unit_interval(config, "dropout"))
        if config.beam_size > use.MAX_BEAM_SIZE:
            problems.append(f"--beam-size must be at most {use.MAX_BEAM_SIZE}, got "
                            f"{config.beam_size}")
        if config.length_alpha < 0:
            problems.append(f"--length-alpha can't be negative, got {config.length_alpha}")
        return problems

    def read_data(self, config):
        # Read in file order, so the split is the same in both directions.
        options = {"source_column": 0, "target_column": 1}
        if config.data:
            pairs = load_dataset(config.data, **options)
        else:
            pairs = load_dataset(data_dir=config.data_dir, data_format="parallel_pairs",
                                 **options)
        splits = {name: [p if config.reverse else SentencePair(p.target, p.source)
                         for p in items] for name, items in pairs.splits.items()}
        empty = [name for name, items in splits.items() if not items]
        if empty:
            counts = ", ".join(f"{name} {len(items)}" for name, items in splits.items())
            raise DataFormatError(pairs.report.source, f"too few pairs to split: {counts} "
                                  f"(no {' or '.join(empty)} pairs)")
        direction = "column 1 → column 2" if config.reverse else "column 2 → column 1"
        return AppData(splits, summary=f"{pairs.summary()}; translating {direction}",
                       source=pairs.report.source,
                       notes={"splits": "kerasrnn.data.parallel: groups of pairs sharing a "
                              "sentence kept within one split, by a hash (10% valid, 10% test)",
                              "direction": direction})

    def build_vocabulary(self, config, train):
        sources = text.token_lists([p.source for p in train], lowercase=True)
        targets = text.token_lists([p.target for p in train], config.lowercase_target)
        if config.subwords == "wordpiece":
            return {"source": learn_wordpiece(sources, config.source_vocabulary, config.min_count),
                    "target": [START, END] + learn_wordpiece(targets, config.target_vocabulary,
                                                             config.min_count)}
        return {"source": build_vocabulary(sources, config.min_count, config.source_vocabulary),
                "target": build_vocabulary(targets, config.min_count, config.target_vocabulary,
                                           reserved=(START, END))}

    def make_dataset(self, config, vocabulary, items, training, drop_remainder=False):
        return use.training_batches(config, vocabulary, items, training, drop_remainder)

    def build_model(self, config, vocabulary, compile_options):
        model = translator.build(config, len(vocabulary["source"]) + 2,
                                 len(vocabulary["target"]) + 2)
        # Keras' `loss` averages over every target position of a batch, padding
        # counted as 0, so it depends on the batch's padding; `cross_entropy` is the
        # mean over real tokens (nats per token; perplexity = e ** cross_entropy).
        model.compile(**compile_options,
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      weighted_metrics=[keras.metrics.SparseCategoricalCrossentropy(
                          from_logits=True, name="cross_entropy")])
        return model

    def evaluate(self, trained, items):
        translate = use.endpoints(trained).functions["translate"]
        started = time.perf_counter()
        hypotheses = use.translate_all(translate, [p.source for p in items])
        seconds = time.perf_counter() - started
        references = [[p.target for p in items]]
        bleu, chrf = sacrebleu.BLEU(), sacrebleu.CHRF()
        lower = sacrebleu.BLEU(lowercase=True)
        scores = {"bleu": bleu.corpus_score(hypotheses, references),
                  "chrf": chrf.corpus_score(hypotheses, references),
                  "bleu_lowercase": lower.corpus_score(hypotheses, references)}
        report = {"signatures": {"bleu": bleu.get_signature().format(),
                                 "chrf": chrf.get_signature().format(),
                                 "bleu_lowercase": lower.get_signature().format()},
                  "beam_size": trained.config.beam_size,
                  "decoding_seconds": round(seconds, 2),
                  "examples": [{"source": p.source, "reference": p.target, "translation": h}
                               for p, h in zip(items[:50], hypotheses[:50])]}
        return {**{k: round(s.score, 2) for k, s in scores.items()},
                "signature": report["signatures"]["bleu"],
                "beam_size": trained.config.beam_size, "sentences": len(items),
                "sacrebleu": report}

    def serving(self, trained):
        return use.endpoints(trained)
