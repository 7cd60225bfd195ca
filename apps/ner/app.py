"""Named-entity recognition (CoNLL-2003, and any CoNLL column folder): a BiLSTM-CNN-CRF.

    python -m apps.ner train --data conll2003
    python -m apps.ner train --data-dir my_corpus/ --char-encoder lstm
    python -m apps.ner predict --model saved_models/ner-conll2003 \\
        "He said, Teddy Roosevelt was a great President."
    python -m apps.ner evaluate --model saved_models/ner-conll2003 --split valid
    python -m apps.ner export --model saved_models/ner-conll2003 --out /tmp/ner

Data: `--data conll2003` (or `conll2002`, Spanish), or `--data-dir` a folder with
train.txt, valid.txt and test.txt: one token a line, columns separated by spaces
or tabs (the token first, the tag last), a blank (or white-space-only) line after
each sentence, optional -DOCSTART- lines; IOB1 or IOB2 tags, detected; any entity
type name. Types in valid/test that training never saw are counted in the data
summary (they can only be missed).

Model (kerasrnn.models.build_sequence_tagger): each word is its lower-cased word
embedding (digits as 0; an out-of-vocabulary bucket for unseen words, practised
by turning half of the training words into it), a casing class (Upper,
UPPER, lower, numeric, ...: what lower-casing forgot) and a character CNN over
the word as written (`--char-encoder lstm`: a character BiLSTM); then a
bidirectional LSTM and a linear-chain CRF over the IOB2 tags. The kept weights
are a moving average (`--ema`), and the kept epoch the one with the best entity
F1 on valid. No pretrained vectors are used unless `--embeddings FILE`
(GloVe/word2vec text) is given.

Results: metrics.json holds precision, recall and f1 (entity-level, micro,
conlleval's chunks, by seqeval) on the test split, the split's out-of-vocabulary
token rate and the F1 on entities that contain an unseen word; entity_report.json
the scores per type. `predict` marks entities in the text ("[Teddy Roosevelt](PER)");
`--format json` prints text, tokens, tags and entities with character offsets
(text[start:end] is the entity). Raw text is split into tokens the way CoNLL
files are ("Roosevelt." → "Roosevelt" "."), the same way in `predict` and in the
SavedModel. Measured figures: benchmarks/README.md.
"""

import dataclasses

import tensorflow as tf
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

from apps.harness import Endpoints, new_default
from apps.harness.config import data_flag
from apps.ner.entities import entity_spans
from apps.tagging import TaggerConfig, WordTagger
from apps.tagging.word_tagger import read_tagged_data, round_floats
from kerasrnn.data.tagging_schemes import spans
from kerasrnn.training import UserInputError


@dataclasses.dataclass
class Config(TaggerConfig):
    data: str | None = data_flag("conll")
    # Chosen on CoNLL-2003 valid (benchmarks/README.md): word dropout and the weight
    # average took valid F1 from 88.2 to 90.6 (0.1) and 90.8 (0.25); 0.5 reached 91.2
    # (0.25: 91.05 within the 30 epochs it had).
    word_dropout: float = new_default(TaggerConfig, "word_dropout", 0.5)
    ema: float = new_default(TaggerConfig, "ema", 0.999)
    epochs: int = new_default(TaggerConfig, "epochs", 50)
    patience: int = new_default(TaggerConfig, "patience", 6)
    time_budget: float = new_default(TaggerConfig, "time_budget", 1500)

class NER(WordTagger):
    name = "ner"
    Config = Config
    description = __doc__
    # The kept epoch is the one with the best entity F1 on valid: the validation loss
    # bottoms out epochs earlier (CoNLL-2003: epoch 9, benchmarks/README.md).
    monitor, monitor_mode = "val_f1", "max"

    def validation_scores(self, trained, items):
        predicted = self.predict_items(trained, items)
        return {"f1": f1_score([list(e.tags) for e in items], predicted)}

    def read_data(self, config):
        data = read_tagged_data(config, "conll", "NER", "entity types",
                                lambda e: [kind for kind, _, _ in spans(e.tags)])
        if not any(spans(e.tags) for e in data.splits["train"]):
            raise UserInputError(f"{data.source}: the training split has no entity (every "
                                 "tag is O); NER learns from tagged entities")
        return data

    def evaluate(self, trained, items):
        predicted = self.predict_items(trained, items)
        gold = [list(e.tags) for e in items]
        unknown = self.out_of_vocabulary(trained, items)
        tokens = sum(len(u) for u in unknown)
        metrics = {"precision": precision_score(gold, predicted),
                   "recall": recall_score(gold, predicted), "f1": f1_score(gold, predicted),
                   "oov_rate": sum(map(sum, unknown)) / max(tokens, 1),
                   **_unseen_word_scores(gold, predicted, unknown),
                   "sentences": len(items), "tokens": tokens}
        report = classification_report(gold, predicted, output_dict=True, zero_division=0)
        return {**round_floats(metrics),
                "entity_report": {k: {m: float(v) for m, v in row.items()}
                                  for k, row in report.items()}}

    def serving(self, trained):
        """`serve`: raw text `[batch]` → tokens, offsets, tags and entities (padded)."""
        tag, tables = self.tagging_function(trained)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(text):
            tokens, starts, ends, tags = tag(text)
            return {"tokens": tokens, "token_starts": starts, "token_ends": ends,
                    "tags": tags, **entity_spans(text, tags, starts, ends)}

        return Endpoints({"serve": serve}, tables)

    def present(self, texts, outputs):
        results = []
        for i, text in enumerate(texts):
            tokens = [t.decode() for t in outputs["tokens"][i].numpy() if t]
            tags = [t.decode() for t in outputs["tags"][i].numpy()[: len(tokens)]]
            entities = [{"type": kind.decode(), "text": text[int(start):int(end)],
                         "start": int(start), "end": int(end)}
                        for kind, start, end in zip(outputs["entity_types"][i].numpy(),
                                                    outputs["entity_starts"][i].numpy(),
                                                    outputs["entity_ends"][i].numpy())
                        if kind]
            results.append({"text": text, "tokens": tokens, "tags": tags,
                            "entities": entities})
        return results

    def show(self, result):
        text, marked, at = result["text"], [], 0
        for entity in result["entities"]:
            marked += [text[at:entity["start"]], f"[{entity['text']}]({entity['type']})"]
            at = entity["end"]
        return ["".join(marked) + text[at:]]


def _unseen_word_scores(gold, predicted, unknown):
    """Precision, recall and F1 on entities holding a word the vocabulary lacks.

    The keys are always there; a score with nothing to count (no such entity in the
    split, or none predicted) is 0, as scikit-learn's `zero_division=0` makes it, and
    `oov_entities` says how many such entities the split has.
    """
    def with_unknown(tag_lists):
        return {(i, kind, first, last) for i, tags in enumerate(tag_lists)
                for kind, first, last in spans(tags) if any(unknown[i][first:last + 1])}

    gold_set, predicted_set = with_unknown(gold), with_unknown(predicted)
    right = len(gold_set & predicted_set)
    precision = right / max(len(predicted_set), 1)
    recall = right / max(len(gold_set), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"oov_entity_precision": precision, "oov_entity_recall": recall,
            "oov_entity_f1": f1, "oov_entities": len(gold_set)}
