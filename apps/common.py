"""What every application shares: config dataclass → CLI flags, and train/evaluate/predict/export.

An application module defines a `Config` dataclass (a `TrainConfig` with its own
fields and defaults) and an `Application` subclass with the task-specific steps
(read data, build the model, make datasets, evaluate, predict, export); `main()`
turns the dataclass into `argparse` flags and runs the command. User errors end
with one line on stderr and exit status 2 (`--debug` shows the traceback).
"""

import argparse
import dataclasses
import json
import math
import os
import shutil
import sys
import types
import typing

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter out

CELLS = ("elman", "jordan", "hybrid", "lstm", "peephole_lstm", "gru", "feedforward")


def flag(default, help, **extra):  # noqa: A002 - argparse's own word
    """A config field with its CLI help (and optional `choices`)."""
    return dataclasses.field(default=default, metadata={"help": help, **extra})


@dataclasses.dataclass
class TrainConfig:
    """Settings every application shares; apps subclass it with their own fields."""

    data: str | None = flag(None, "dataset name from the registry (e.g. atis)")
    data_dir: str | None = flag(None, "the dataset itself: its folder (or file)")
    cell: str = flag("lstm", "recurrent layer kind (feedforward: the memoryless baseline)",
                     choices=CELLS)
    bidirectional: bool = flag(True, "read the sequence both ways (Bidirectional)")
    layers: int = flag(1, "stacked recurrent layers")
    units: int = flag(128, "units per recurrent layer (per direction)")
    epochs: int = flag(20, "maximum epochs")
    batch_size: int = flag(32, "examples per batch")
    learning_rate: float = flag(1e-3, "Adam learning rate")
    lr_schedule: str = flag("constant", "learning rate: constant, or cosine decay to 0 over "
                            "--epochs", choices=("constant", "cosine"))
    clipnorm: float = flag(1.0, "clip each gradient to this norm (0 turns clipping off)")
    ema: float = flag(0.0, "validate and keep an exponential moving average of the weights "
                      "with this momentum per step, e.g. 0.999 (0: the raw weights)")
    dropout: float = flag(0.2, "dropout on embeddings and recurrent inputs")
    patience: int = flag(5, "stop after this many epochs without validation gain (0: never)")
    time_budget: float = flag(0, "seconds of training not to exceed: no epoch starts that "
                              "would end past it (0: no limit)")
    seed: int = flag(0, "random seed (same seed, same metrics on CPU)")
    output_dir: str | None = flag(None, "where the run goes (default saved_models/<app>-<data>)")
    strategy: str = flag("default", "tf.distribute strategy",
                         choices=("default", "mirrored", "multi_worker"))
    mixed_precision: bool = flag(False, "mixed_float16 policy (for GPUs)")
    jit_compile: bool = flag(False, "XLA-compile the training step")
    inter_op_threads: int = flag(2, "TensorFlow inter-op threads on CPU (0: TF default)")
    intra_op_threads: int = flag(1, "TensorFlow intra-op threads on CPU (0: TF default)")


def validate(config):
    """Raises `UserInputError` for settings no run can use, before anything is read."""
    from kerasrnn.training import UserInputError

    positive = ("layers", "units", "epochs", "batch_size")
    problems = [f"--{n.replace('_', '-')} must be at least 1, got {getattr(config, n)}"
                for n in positive if getattr(config, n) < 1]
    # word_dropout: apps that embed words; intent_label_smoothing: apps with intents
    for name in ("dropout", "word_dropout", "intent_label_smoothing"):
        value = getattr(config, name, 0)
        if not 0 <= value < 1:
            problems.append(f"--{name.replace('_', '-')} must be in [0, 1), got {value}")
    if config.learning_rate <= 0:
        problems.append(f"--learning-rate must be positive, got {config.learning_rate}")
    if not 0 <= config.ema < 1:
        problems.append(f"--ema must be in [0, 1), got {config.ema}")
    if config.clipnorm < 0 or config.patience < 0 or config.time_budget < 0:
        problems.append("--clipnorm, --patience and --time-budget can't be negative")
    if problems:
        raise UserInputError("; ".join(problems))


def _flag_type(annotation):
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def add_config_flags(parser, config_class):
    """One kebab-case flag per dataclass field, with its default shown in --help."""
    hints = typing.get_type_hints(config_class)
    for field in dataclasses.fields(config_class):
        kind = _flag_type(hints[field.name])
        name = "--" + field.name.replace("_", "-")
        help_text = f"{field.metadata.get('help', '')} (default: {field.default})"
        if kind is bool:
            parser.add_argument(name, action=argparse.BooleanOptionalAction,
                                default=field.default, help=help_text)
        else:
            parser.add_argument(name, type=kind, default=field.default, help=help_text,
                                choices=field.metadata.get("choices"))


def config_from_args(config_class, args):
    return config_class(**{f.name: getattr(args, f.name) for f in dataclasses.fields(config_class)})


class Application:
    """Task-specific steps; see apps/slot_filling.py for a complete one."""

    name = None
    Config = TrainConfig
    description = ""
    monitor, monitor_mode = "val_loss", "min"

    def load_data(self, config):
        raise NotImplementedError

    def build(self, config, data):
        """Returns a task object with `model`, `compile_args(learning_rate)` (a float or
        a Keras schedule), `dataset(split, training)`, `evaluate(split)`, `save(folder)`,
        `export(path)`, `reports(split)`."""
        raise NotImplementedError

    def load(self, model_dir, run_config):
        """Returns the task of a finished run directory."""
        raise NotImplementedError

    def predict_command(self, task, texts, output_format):
        raise NotImplementedError


def _output_dir(app, config):
    if config.output_dir:
        return config.output_dir
    source = config.data or os.path.basename(os.path.normpath(config.data_dir or "builtin"))
    return os.path.join("saved_models", f"{app.name}-{source}")


def train(app, config, quiet=False):
    """Reads and checks all data, trains (resuming if possible) and publishes the run.

    Returns the test metrics. `quiet` prints nothing but Keras' epoch lines.
    """
    import keras

    from kerasrnn.training import RunDirectory, resumable_fit
    from kerasrnn.training.distributed_fit import distributed_training
    from kerasrnn.training.history_files import plot_history, write_history_csv
    from kerasrnn.training.run_directory import FORMAT_VERSION, write_json
    from kerasrnn.training.runtime import (
        configure_threads,
        make_reproducible,
        make_strategy,
        set_precision,
    )
    from kerasrnn.training.schedules import learning_rate

    configure_threads(config.inter_op_threads, config.intra_op_threads)
    make_reproducible(config.seed)
    set_precision(config.mixed_precision)
    data = app.load_data(config)
    if not quiet:
        print(data.summary())
    strategy = make_strategy(config.strategy)
    output_dir = _output_dir(app, config)
    if config.strategy != "default" and not quiet:
        print(f"strategy {config.strategy}: {strategy.num_replicas_in_sync} replicas")
    worker = _worker_index(strategy)
    if worker:  # multi-worker: only the chief (worker 0) writes the real directory
        output_dir = f"{output_dir}.worker-{worker}"
    run = RunDirectory(output_dir).start()
    tensorboard = keras.callbacks.TensorBoard(str(run.resume / "logs"))
    # One scope for building, compiling and fitting: restoring a resumed run's
    # optimizer state creates its variables, which must be distributed too.
    with strategy.scope():
        task = app.build(config, data)
        # --epochs × full batches: length bucketing adds a few partial batches an
        # epoch, which finish the run at the schedule's end value.
        steps = config.epochs * math.ceil(len(data.splits["train"]) / config.batch_size)
        rate = learning_rate(config.learning_rate, config.lr_schedule, steps)
        task.model.compile(**task.compile_args(rate), jit_compile=config.jit_compile)
        # Uneven last batches split unevenly across replicas, which tf.distribute's
        # gradient sum rejects; with several replicas, training drops them.
        several = strategy.num_replicas_in_sync > 1
        train_batches = task.dataset("train", training=True, drop_remainder=several)
        with distributed_training(task.model, strategy):
            tracker = resumable_fit(task.model, train_batches,
                                    task.dataset("valid"), config.epochs, run.resume,
                                    monitor=app.monitor, mode=app.monitor_mode,
                                    patience=config.patience or None, callbacks=[tensorboard],
                                    verbose=0 if quiet else None,
                                    time_budget=config.time_budget or None)
    state = tracker.state
    seconds = state["train_seconds"]  # over every process of a resumed run
    metrics = task.evaluate("test")
    examples = len(data.splits["train"]) * state["epochs_done"]
    metrics.update(train_seconds=round(seconds, 2),
                   examples_per_second=round(examples / max(seconds, 1e-9), 1),
                   best_epoch=state["best_epoch"], epochs_done=state["epochs_done"])
    out = run.staging
    run_config = {
        "app": app.name, "format_version": FORMAT_VERSION, "config": dataclasses.asdict(config),
        "versions": _versions(), "data": _data_provenance(data),
        "best_epoch": state["best_epoch"], "monitor": app.monitor,
    }
    write_json(out / "config.json", run_config)
    task.save(out)
    write_json(out / "metrics.json", metrics)
    for name, report in task.reports("test").items():
        write_json(out / name, report)
    write_history_csv(state["history"], out / "history.csv")
    plot_history(state["history"], out / "training.png", f"{app.name}: {config.cell}",
                 state["best_epoch"])
    if (run.resume / "logs").exists():
        shutil.copytree(run.resume / "logs", out / "logs")
    # Export from the saved files, outside any tf.distribute scope (distributed
    # variables can't be saved in a SavedModel); this also proves the directory
    # is self-sufficient.
    app.load(out, run_config).export(out / "saved_model")
    run.publish()
    if not quiet:
        print(json.dumps(metrics, indent=2))
        print(f"wrote {run.output}")
    return metrics


def _data_provenance(data):
    """Where the data came from, its read report, and the sha256 of every file read."""
    import pathlib

    from kerasrnn.data.download import sha256_of

    source = pathlib.Path(data.report.source)
    files = []
    if source.is_file():
        files = [source]
    elif source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.is_file())
    return {"source": data.report.source, "summary": data.summary(),
            "sha256": {str(p.relative_to(source) if p != source else p.name): sha256_of(p)
                       for p in files}}


def _worker_index(strategy):
    """This process's index among MultiWorkerMirroredStrategy workers (0 otherwise)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or resolver.task_type in (None, "chief"):
        return 0
    return int(resolver.task_id or 0)


def _versions():
    import keras
    import tensorflow as tf

    import kerasrnn

    return {"kerasrnn": kerasrnn.__version__, "keras": keras.__version__,
            "tensorflow": tf.__version__, "python": sys.version.split()[0]}


def _load(app, args):
    from kerasrnn.training import read_run

    run_config = read_run(args.model, app.name)
    return app.load(args.model, run_config)


def evaluate(app, args):
    task = _load(app, args)
    metrics = task.evaluate(args.split)
    print(json.dumps(metrics, indent=2))
    return 0


def predict(app, args):
    task = _load(app, args)
    texts = args.texts or [line.rstrip("\n") for line in sys.stdin]
    app.predict_command(task, texts, args.format)
    return 0


def export(app, args):
    task = _load(app, args)
    out = os.path.abspath(args.out)
    partial = out + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    task.export(partial)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.replace(partial, out)
    print(f"wrote {out}")
    return 0


def build_parser(app):
    parser = argparse.ArgumentParser(prog=f"python -m apps.{app.name}", description=app.description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(dest="command", required=True)
    train_parser = commands.add_parser("train", help="train, evaluate on test, export")
    add_config_flags(train_parser, app.Config)
    for name, help_text in (("evaluate", "metrics of a trained model on a split"),
                            ("predict", "tag raw text (arguments or stdin lines)"),
                            ("export", "write the serving SavedModel elsewhere")):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--model", required=True, help="a directory written by train")
    commands.choices["evaluate"].add_argument("--split", default="test")
    commands.choices["predict"].add_argument("texts", nargs="*", help="sentences (default: stdin)")
    commands.choices["predict"].add_argument("--format", choices=("text", "json"), default="text")
    commands.choices["export"].add_argument("--out", required=True, help="SavedModel folder")
    for sub in commands.choices.values():  # SUPPRESS: don't undo a --debug given before
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show tracebacks of errors")
    return parser


def main(app, argv=None):
    from kerasrnn.data import DataFormatError, DatasetNotFoundError
    from kerasrnn.training import UserInputError

    args = build_parser(app).parse_args(argv)
    try:
        if args.command == "train":
            config = config_from_args(app.Config, args)
            if bool(config.data) == bool(config.data_dir) and not app.has_builtin_data:
                raise UserInputError("give exactly one of --data NAME and --data-dir PATH")
            validate(config)
            train(app, config)
            return 0
        return {"evaluate": evaluate, "predict": predict, "export": export}[args.command](app, args)
    except (UserInputError, DataFormatError, DatasetNotFoundError) as error:
        if args.debug:
            raise
        message = " ".join(str(error).split())
        print(f"{app.name}: error: {message}", file=sys.stderr)
        return 2
