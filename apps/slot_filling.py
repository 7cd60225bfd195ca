"""Slot filling + intent detection (ATIS and any folder in its seq.in/seq.out/label layout).

    python -m apps.slot_filling train --data atis
    python -m apps.slot_filling train --data-dir my_slots/ --cell jordan --no-bidirectional
    python -m apps.slot_filling predict --model saved_models/slot_filling-atis \\
        "i want to fly from boston to denver tomorrow"
    python -m apps.slot_filling evaluate --model saved_models/slot_filling-atis --split test
    python -m apps.slot_filling export --model saved_models/slot_filling-atis --out /tmp/sm

Each word is embedded (plus its letter trigrams, so unseen words still get a vector),
read by a (bi)directional recurrent layer of the chosen kind, and tagged per token
with a BIO slot tag; the intent comes from the pooled sequence. Slot F1 is
conlleval's (seqeval); metrics.json holds slot_f1, slot_precision, slot_recall,
intent_accuracy and sentence_accuracy on the test split, slot_report.json the
per-slot-type scores.
"""

import dataclasses
import json
import sys

from apps.common import CELLS, Application, TrainConfig, flag, main


@dataclasses.dataclass
class Config(TrainConfig):
    # Defaults: the best configuration measured on ATIS so far (benchmarks/README.md).
    cell: str = flag("gru", "recurrent layer kind (feedforward: the memoryless baseline)",
                     choices=CELLS)
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


class SlotFilling(Application):
    name = "slot_filling"
    Config = Config
    description = __doc__
    # Early stopping and the kept epoch follow the slots' validation loss alone: the
    # intent's starts rising epochs before the slots' stops falling, and their sum
    # stopped runs while slot F1 still grew (ATIS: 0.9531 -> 0.9580 for seed 0,
    # benchmarks/README.md).
    monitor, monitor_mode = "val_slots_loss", "min"
    has_builtin_data = False

    def load_data(self, config):
        from kerasrnn.data import load_dataset

        data = load_dataset(config.data, config.data_dir, data_format="slot_filling")
        if not getattr(data, "splits", None) or "valid" not in data.splits:
            from kerasrnn.training import UserInputError

            raise UserInputError("slot filling needs train, valid and test splits")
        return data

    def build(self, config, data):
        from apps.slot_filling_task import SlotFillingTask

        return SlotFillingTask.create(config, data)

    def load(self, model_dir, run_config):
        from apps.slot_filling_task import SlotFillingTask

        return SlotFillingTask.from_directory(model_dir, run_config)

    def predict_command(self, task, texts, output_format):
        for result in task.predict(texts):
            if output_format == "json":
                print(json.dumps(result, ensure_ascii=False))
                continue
            width = max([len(t) for t in result["tokens"]] + [5])
            for token, tag in zip(result["tokens"], result["tags"]):
                print(f"  {token:<{width}}  {tag}")
            for slot, value in result["slots"].items():
                print(f"  {slot}: {value}")
            print(f"  intent: {result['intent']} ({result['intent_probability']:.3f})\n")


if __name__ == "__main__":
    sys.exit(main(SlotFilling()))
