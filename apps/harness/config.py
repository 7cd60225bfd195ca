"""Config dataclasses ↔ command-line flags, and the checks of the harness's own settings.

An app's `Config` is a dataclass that extends `TrainConfig` with its model's knobs;
each field becomes one kebab-case flag (`embedding_dim` → `--embedding-dim`) with
its default shown in `--help`, and the whole config is saved in `config.json`.
An app checks its own fields in `App.check_config`; `check_training` here knows
only the fields of `TrainConfig`.
"""

import argparse
import dataclasses
import math
import types
import typing

from apps.console import OneLineParser, one_line  # noqa: F401 (OneLineParser: re-exported)
from kerasrnn.data.registry import DATASETS
from kerasrnn.training.errors import UserInputError
from kerasrnn.training.runtime import STRATEGIES

# Batches of 2**30 examples and more crash TensorFlow's process (segmentation fault,
# measured with apps.classify and apps.ner; 10**9 still ran).
MAX_BATCH_SIZE = 10_000_000


def flag(default, help, **extra):  # noqa: A002 - argparse's own word
    """A config field with its CLI help (and optional `choices`)."""
    return dataclasses.field(default=default, metadata={"help": help, **extra})


def new_default(config_class, name, default):
    """The field `name` of `config_class` (its help, its choices) with another default."""
    return dataclasses.field(default=default,
                             metadata=config_class.__dataclass_fields__[name].metadata)


def by_data(help, auto, base=None):  # noqa: A002 - argparse's own word
    """A config field the app sets from the data when the user leaves it out.

    Its default is None until the app's `read_data` fills it in (config.json holds
    the value used); `auto` says in `--help` how it is chosen. `base` (a TrainConfig
    field name) takes that field's help and choices.
    """
    metadata = {"help": help}
    if base is not None:  # its help and its choices
        metadata = dict(TrainConfig.__dataclass_fields__[base].metadata)
    return dataclasses.field(default=None, metadata={**metadata, "auto": auto})


def data_flag(*formats):
    """The `--data` field of an app that reads the registry's datasets of `formats`."""
    names = sorted(n for n, entry in DATASETS.items() if entry.format in formats)
    return flag(None, f"dataset name from the registry: {', '.join(names)}", formats=formats)


def registry_problems(config, reader="this app"):
    """A one-line problem when `--data` names no dataset, or one of another format."""
    field = type(config).__dataclass_fields__.get("data")
    formats = field.metadata.get("formats") if field else None
    if not config.data or not formats:
        return []
    usable = ", ".join(sorted(n for n, e in DATASETS.items() if e.format in formats))
    if config.data not in DATASETS:
        return [f"unknown dataset {config.data!r}: --data takes {usable}"]
    kind = DATASETS[config.data].format
    if kind not in formats:
        return [f"--data {config.data} is a {kind} dataset; {reader} reads {usable} "
                "or a --data-dir"]
    return []


@dataclasses.dataclass
class TrainConfig:
    """Training settings every application shares; an app's Config adds its model's."""

    data: str | None = flag(None, "dataset name from kerasrnn.data's registry")
    data_dir: str | None = flag(None, "the dataset itself: its folder (or its file, for "
                                "apps that read one)")
    epochs: int = flag(20, "maximum epochs")
    batch_size: int = flag(32, "examples per batch")
    learning_rate: float = flag(1e-3, "Adam learning rate")
    lr_schedule: str = flag("constant", "learning rate: constant, or cosine decay to 0 over "
                            "--epochs", choices=("constant", "cosine"))
    clipnorm: float = flag(1.0, "clip each gradient to this norm (0 turns clipping off)")
    weight_decay: float = flag(0.0, "decoupled weight decay (AdamW, Loshchilov & Hutter "
                               "2019): after each step every weight w -= learning rate · "
                               "weight_decay · w (0: none)")
    ema: float = flag(0.0, "validate and keep an exponential moving average of the weights "
                      "with this momentum per step, e.g. 0.999 (0: the raw weights)")
    patience: int = flag(5, "stop after this many epochs without validation gain (0: never)")
    time_budget: float = flag(0, "seconds of training not to exceed: no epoch starts that "
                              "would end past it (0: no limit)")
    seed: int = flag(0, "random seed (same seed, same metrics on CPU without --jit-compile, "
                     "for a run that was not interrupted: a resumed one draws a new data "
                     "order)")
    output_dir: str | None = flag(None, "where the run goes (default saved_models/<app>-<data>)")
    strategy: str = flag("default", "tf.distribute strategy", choices=STRATEGIES)
    mixed_precision: bool = flag(False, "mixed_float16 policy (for GPUs)")
    jit_compile: bool = flag(False, "XLA-compile the training step (turns TensorFlow's op "
                             "determinism off, under which Keras compiles no XLA; refused "
                             "with a CRF head; a model with letter-trigram hashing, which "
                             "XLA can't compile, trains without it and says so)")
    inter_op_threads: int = flag(2, "TensorFlow inter-op threads on CPU (0: TF default)")
    intra_op_threads: int = flag(1, "TensorFlow intra-op threads on CPU (0: TF default)")


def at_least_one(config, *names):
    """Problems for fields of `config` that must be ≥ 1."""
    return [f"{flag_name(n)} must be at least 1, got {getattr(config, n)}"
            for n in names if getattr(config, n) is not None and getattr(config, n) < 1]


def in_unit_interval(config, *names):
    """Problems for fields of `config` that must be in [0, 1)."""
    return [f"{flag_name(n)} must be in [0, 1), got {getattr(config, n)}"
            for n in names if getattr(config, n) is not None and not 0 <= getattr(config, n) < 1]


def crf_without_xla(config, head):
    """A problem when --jit-compile meets a CRF head (field `head` of `config`).

    The CRF's forward algorithm runs a while loop over each batch's length, which
    varies from batch to batch; TensorFlow's XLA cannot compile that loop's gradient
    (kerasrnn.layers.crf, `_scan`).
    """
    if config.jit_compile and getattr(config, head) == "crf":
        also = (" and --trigram-dim 0 (letter-trigram hashing has no XLA kernel)"
                if getattr(config, "trigram_dim", 0) else "")
        return [f"--jit-compile needs {flag_name(head)} softmax{also}: XLA cannot compile "
                "the gradient of the CRF over batches of varying length"]
    return []


def flag_name(field_name):
    return "--" + field_name.replace("_", "-")


def not_numbers(config):
    """Problems for float fields of `config` that are NaN or infinite."""
    return [f"{flag_name(name)} must be a finite number, got {value}"
            for name, value in dataclasses.asdict(config).items()
            if isinstance(value, float) and not math.isfinite(value)]


def check_training(config):
    """Problems with `TrainConfig`'s own fields (a list of one-line strings)."""
    problems = not_numbers(config)
    if problems:  # NaN compares false with everything: no other check would catch it
        return problems
    problems = at_least_one(config, "epochs", "batch_size")
    if (config.batch_size or 0) > MAX_BATCH_SIZE:  # None: chosen from the data (textgen)
        problems.append(f"--batch-size must be at most {MAX_BATCH_SIZE:,}, got "
                        f"{config.batch_size:,}")
    if bool(config.data) == bool(config.data_dir):
        problems.append("give exactly one of --data NAME and --data-dir PATH")
    if config.output_dir == "":
        problems.append("--output-dir can't be empty (leave it out for the default)")
    if not 0 <= config.seed < 2**32:
        problems.append(f"--seed must be in [0, 2**32), got {config.seed}")
    if config.learning_rate is not None and config.learning_rate <= 0:  # None: set by data
        problems.append(f"--learning-rate must be positive, got {config.learning_rate}")
    problems += in_unit_interval(config, "ema")
    rate = config.learning_rate or 1e-2  # None: set by data, 1e-2 at most (textgen)
    if config.weight_decay and config.weight_decay * rate >= 1:
        problems.append(f"--weight-decay {config.weight_decay:g} × learning rate {rate:g} is "
                        "at least 1: each step would shrink every weight to 0 or past it")
    for name in ("clipnorm", "weight_decay", "patience", "time_budget", "inter_op_threads",
                 "intra_op_threads"):
        if getattr(config, name) < 0:
            problems.append(f"{flag_name(name)} can't be negative, got {getattr(config, name)}")
    return problems


def _flag_type(annotation):
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def add_config_flags(parser, config_class):
    """One kebab-case flag per dataclass field, with its default shown in --help."""
    hints = typing.get_type_hints(config_class)
    for field in dataclasses.fields(config_class):
        kind = _flag_type(hints[field.name])
        default = field.metadata.get("auto", field.default)
        help_text = field.metadata.get("help", "")
        if "(default" not in help_text:  # a help that says its default itself keeps it
            help_text += f" (default: {default})"
        if kind is bool:
            parser.add_argument(flag_name(field.name), action=argparse.BooleanOptionalAction,
                                default=field.default, help=help_text)
        else:
            parser.add_argument(flag_name(field.name), type=kind, default=field.default,
                                help=help_text, choices=field.metadata.get("choices"))


def add_override_flags(parser, config_class, names):
    """Flags for the config fields `names`, default None: "keep the value trained with"."""
    hints = typing.get_type_hints(config_class)
    fields = {f.name: f for f in dataclasses.fields(config_class)}
    for name in names:
        field = fields[name]
        parser.add_argument(flag_name(name), type=_flag_type(hints[name]), default=None,
                            choices=field.metadata.get("choices"),
                            help=field.metadata.get("help", "") + " (default: the model's)")


def config_from_args(config_class, args):
    return config_class(**{f.name: getattr(args, f.name) for f in dataclasses.fields(config_class)})


def config_from_json(config_class, saved, defaults_of_old_runs=None):
    """The config a run directory saved, with `defaults_of_old_runs` for fields it predates.

    Fields the saved config has that this version lacks are refused (the run needs a
    newer kerasrnn), so a model is never rebuilt with settings silently dropped.
    """
    known = {f.name for f in dataclasses.fields(config_class)}
    unknown = sorted(set(saved) - known)
    if unknown:
        raise UserInputError(f"the run has settings this kerasrnn does not know: {unknown}")
    return config_class(**{**(defaults_of_old_runs or {}), **saved})
