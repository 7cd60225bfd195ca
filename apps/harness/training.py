"""`train`: read and check the data, fit (resuming if possible), evaluate, publish the run."""

import contextlib
import dataclasses
import json
import os
import pathlib
import shutil
import sys
import warnings

import keras
import tensorflow as tf

import kerasrnn
from apps.harness.config import check_training, not_numbers, registry_problems
from apps.harness.contract import App, Trained
from apps.harness.serving import export, load_trained
from kerasrnn.data.download import sha256_of
from kerasrnn.training import RunDirectory, UserInputError, resumable_fit
from kerasrnn.training.atomic import write_json
from kerasrnn.training.history_files import plot_history, write_history_csv
from kerasrnn.training.run_directory import FORMAT_VERSION, remove_ours
from kerasrnn.training.runtime import (
    configure_threads,
    make_reproducible,
    make_strategy,
    set_precision,
)
from kerasrnn.training.schedules import learning_rate


def check(app, config):
    """Raises `UserInputError` listing every unusable setting, before anything is read."""
    problems = (check_training(config) + registry_problems(config, app.name)
                + list(app.check_config(config)))
    # A NaN also fails the app's range checks: say "must be a finite number" once per flag.
    not_a_number = {p.split()[0] for p in not_numbers(config)}
    problems = [p for p in problems
                if p.split()[0] not in not_a_number or "must be a finite number" in p]
    if problems:
        raise UserInputError("; ".join(problems))


def output_dir(app, config):
    if config.output_dir:
        return config.output_dir
    source = config.data or os.path.basename(os.path.normpath(config.data_dir or "builtin"))
    return os.path.join("saved_models", f"{app.name}-{source}")


def count_batches(dataset):
    """(batches, examples) in one pass over `dataset`; examples from the first input's rows."""
    def add(total, batch):
        first = tf.nest.flatten(batch)[0]
        return total + tf.stack([1, tf.cast(tf.shape(first)[0], tf.int64)])

    batches, examples = dataset.reduce(tf.zeros([2], tf.int64), add).numpy()
    return int(batches), int(examples)


def averaging_momentum(ema, total_steps):
    """`--ema`, lowered so that the average spans at most a quarter of the run's steps.

    An average over more steps than the run has keeps mostly the initial weights
    (--ema 0.999 spans ~1000 steps; a small corpus may train 40): the kept model
    would be untrained.
    """
    if not ema:
        return 0.0
    span = total_steps / 4
    return ema if 1 / (1 - ema) <= span else max(0.0, 1 - 1 / max(span, 1))


def make_optimizer(config, steps_per_epoch):
    """Adam with the run's learning-rate schedule, gradient clipping, decoupled weight
    decay (Keras applies `weight_decay` as AdamW does, Loshchilov & Hutter 2019, to
    every trainable weight) and weight averaging."""
    total = config.epochs * steps_per_epoch
    rate = learning_rate(config.learning_rate, config.lr_schedule, total)
    momentum = averaging_momentum(config.ema, total)
    return keras.optimizers.Adam(rate, clipnorm=config.clipnorm or None,
                                 weight_decay=config.weight_decay or None,
                                 use_ema=bool(momentum), ema_momentum=momentum or 0.99)


def split_evaluation(results):
    """`App.evaluate`'s dict → (metrics.json's numbers and strings, {file name: nested dict})."""
    metrics = {k: v for k, v in results.items() if not isinstance(v, dict)}
    reports = {f"{k}.json": v for k, v in results.items() if isinstance(v, dict)}
    return metrics, reports


def _distribution_fixes(model, strategy):
    """The tf.distribute fixes for `fit`, only where more than one replica trains.

    Imported here, not at the top, so that a Keras upgrade that moves a private name
    they use cannot break single-device training.
    """
    multi_worker = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
    if strategy.num_replicas_in_sync == 1 and not multi_worker:
        return contextlib.nullcontext()
    from kerasrnn.training.distributed_fit import distributed_training

    return distributed_training(model, strategy)


# Flags that may change when an interrupted run is resumed: everything else must
# match, or the saved weights and optimizer state would not fit (or would mislead).
RESUMABLE_CHANGES = ("epochs", "patience", "time_budget", "inter_op_threads",
                     "intra_op_threads", "output_dir")


def train(app, config, quiet=False):
    """Trains `app` with `config` and publishes the run directory; returns the test metrics.

    `quiet` prints nothing but Keras' epoch lines.

    Raises:
        UserInputError: unusable settings, something in the way of the output, or
            an unfinished run in the same place with other settings.
        DataFormatError, DatasetNotFoundError: the data can't be read.
        TrainingDivergedError: the loss became NaN or infinite.
    """
    check(app, config)
    configure_threads(config.inter_op_threads, config.intra_op_threads)
    make_reproducible(config.seed, deterministic_ops=not config.jit_compile)
    set_precision(config.mixed_precision)
    strategy = make_strategy(config.strategy)
    run = RunDirectory(_worker_output_dir(app, config, strategy), app.name)
    run.check()  # refuses before reading data if a user's file is in the way
    data = app.read_data(config)
    say = (lambda *a: None) if quiet else print
    say(data.summary)
    if config.strategy != "default":
        say(f"strategy {config.strategy}: {strategy.num_replicas_in_sync} replicas")
    vocabulary = app.build_vocabulary(config, data.splits["train"])
    _check_vocabulary(config, vocabulary)
    # Uneven last batches split unevenly across replicas, which tf.distribute's
    # gradient sum rejects; with several replicas, training drops them.
    several = strategy.num_replicas_in_sync > 1

    def batches(split, training):
        return app.make_dataset(config, vocabulary, data.splits[split], training=training,
                                drop_remainder=several and training)

    batches.valid_items = data.splits["valid"]

    steps, examples = _count_and_check(batches, config)
    sha256 = checksums(data)
    _check_resume(run, config, sha256)
    run.start()
    try:
        write_json(run.resume / "settings.json", _resume_settings(config, sha256))
        _note_short_averaging(config, steps, say)
        tracker = _fit(app, config, vocabulary, strategy, run, batches, steps, quiet, say)
        _say_why_it_stopped(app, config, tracker.state, say)
        metrics = _publish(app, config, run, data, vocabulary, tracker, examples, steps, sha256)
    except BaseException:
        _clean_up_failed(run)
        raise
    say(json.dumps(metrics, indent=2))
    say(f"wrote {run.output}")
    return metrics


def _worker_output_dir(app, config, strategy):
    out = output_dir(app, config)
    worker = _worker_index(strategy)
    # multi-worker: only the chief (worker 0) writes the real directory
    return f"{out}.worker-{worker}" if worker else out


def _count_and_check(batches, config):
    """(training batches, training examples) an epoch; refuses a split that gives none."""
    steps, examples = count_batches(batches("train", True))
    valid_steps, _ = count_batches(batches("valid", False))
    for split, count in (("training", steps), ("validation", valid_steps)):
        if not count:
            raise UserInputError(f"the {split} split gives no batch: too little data "
                                 f"for --batch-size {config.batch_size}")
    return steps, examples


def _resume_settings(config, sha256):
    settings = {k: v for k, v in dataclasses.asdict(config).items()
                if k not in RESUMABLE_CHANGES}
    return {"config": settings, "data_sha256": sha256}


def _check_resume(run, config, sha256):
    """Refuses to resume an unfinished run whose settings or data were different."""
    record = run.resume / "settings.json"
    if not (run.resume / "state.json").exists() or not record.exists():
        return  # nothing trained yet, or a run from before settings were recorded
    saved = json.loads(record.read_text(encoding="utf-8"))
    wanted = _resume_settings(config, sha256)
    changed = [f"--{k.replace('_', '-')} {saved['config'].get(k)!r}, not {v!r}"
               for k, v in wanted["config"].items() if saved["config"].get(k) != v]
    if saved.get("data_sha256") != sha256:
        changed.append("other data files")
    if changed:
        raise UserInputError(
            f"{run.resume} holds an unfinished run with other settings ({'; '.join(changed)}); "
            "run it again as it was to resume it, or delete that folder to start over")


def _note_short_averaging(config, steps, say):
    """Says when the weight average is shortened to fit the run (`averaging_momentum`)."""
    total = config.epochs * steps
    momentum = averaging_momentum(config.ema, total)
    if momentum != config.ema:
        say(f"note: --ema {config.ema} averages over about {1 / (1 - config.ema):.0f} steps, "
            f"more than a quarter of this run's {total}; "
            + (f"averaging with momentum {momentum:.4g} instead" if momentum
               else "keeping the weights unaveraged"))


def _without_xla(config, model, say):
    """Where Keras trains without XLA although --jit-compile asked for it: says so.

    Keras drops `jit_compile=True`, with only a Python warning, for a model holding a
    layer without XLA kernels (a `Hashing` of strings, for one). The run then turns
    TensorFlow's op determinism back on (same seed, same metrics) and sets
    `config.jit_compile` False, so that config.json records what ran.
    """
    if config.jit_compile and not model.jit_compile:
        layers = [f"{layer.name} ({type(layer).__name__})"
                  for layer in model._flatten_layers() if not layer.supports_jit]
        say("note: --jit-compile: training without XLA (and with op determinism): Keras "
            "can't XLA-compile " + (", ".join(layers) if layers else "this model"))
        tf.config.experimental.enable_op_determinism()
        config.jit_compile = False


def _fit(app, config, vocabulary, strategy, run, batches, steps, quiet, say):
    # One scope for building, compiling and fitting: restoring a resumed run's
    # optimizer state creates its variables, which must be distributed too.
    with strategy.scope():
        compile_options = {"optimizer": make_optimizer(config, steps),
                           "jit_compile": config.jit_compile}
        model = app.build_model(config, vocabulary, compile_options)
        _without_xla(config, model, say)
        tensorboard = keras.callbacks.TensorBoard(str(run.resume / "logs"))
        with _distribution_fixes(model, strategy), warnings.catch_warnings():
            # A length-bucketed dataset has no known length, so Keras learns where an
            # epoch ends by reaching its end, and warns that it "ran out of data". That
            # is how our epochs end. (Declaring the counted length instead would change
            # the random stream that dropout draws from, and so every result.)
            warnings.filterwarnings("ignore", message="Your input ran out of data")
            return resumable_fit(model, batches("train", True), batches("valid", False),
                                 config.epochs, run.resume, monitor=app.monitor,
                                 mode=app.monitor_mode, patience=config.patience or None,
                                 callbacks=[tensorboard], verbose=0 if quiet else None,
                                 time_budget=config.time_budget or None,
                                 validate=_validation(app, config, vocabulary, batches))


def _validation(app, config, vocabulary, batches):
    """`model -> scores` on the valid split when the app scores it beyond Keras' metrics."""
    if type(app).validation_scores is App.validation_scores:
        return None
    items = batches.valid_items
    return lambda model: app.validation_scores(Trained(config, vocabulary, model), items)


def _say_why_it_stopped(app, config, state, say):
    done = state["epochs_done"]
    if state.get("out_of_time"):
        say(f"stopped after epoch {done} of {config.epochs}: another epoch would pass "
            f"--time-budget {config.time_budget:g} s")
    elif state.get("stopped_early") and done < config.epochs:
        say(f"stopped after epoch {done} of {config.epochs}: {app.monitor} did not improve "
            f"for --patience {config.patience} epochs")
    say(f"kept epoch {state['best_epoch']} (best {app.monitor})")


def _publish(app, config, run, data, vocabulary, tracker, examples, steps, sha256):
    """Evaluates on test, writes every file of the run directory, and publishes it."""
    state, model = tracker.state, tracker.model
    seconds = state["train_seconds"]  # over every process of a resumed run
    metrics, reports = split_evaluation(
        app.evaluate(Trained(config, vocabulary, model), data.splits["test"]))
    metrics.update(train_seconds=round(seconds, 2),
                   examples_per_second=round(examples * state["epochs_done"]
                                             / max(seconds, 1e-9), 1),
                   best_epoch=state["best_epoch"], epochs_done=state["epochs_done"])
    staging = run.staging
    run_config = {
        "app": app.name, "format_version": FORMAT_VERSION, "config": dataclasses.asdict(config),
        "versions": _versions(), "data": _provenance(data, examples, steps, sha256),
        "best_epoch": state["best_epoch"], "monitor": app.monitor,
        # the weight average's momentum as used (shortened for short runs; 0: none)
        "ema_momentum_used": averaging_momentum(config.ema, config.epochs * steps),
    }
    write_json(staging / "config.json", run_config)
    model.save(staging / "model.keras")
    write_json(staging / "vocab.json", vocabulary)
    write_json(staging / "metrics.json", metrics)
    for name, report in reports.items():
        write_json(staging / name, report)
    app.write_figures(reports, staging)
    write_history_csv(state["history"], staging / "history.csv")
    title = f"{app.name}: {getattr(config, 'cell', '')}".rstrip(": ")
    plot_history(state["history"], staging / "training.png", title, state["best_epoch"])
    if (run.resume / "logs").exists():
        shutil.copytree(run.resume / "logs", staging / "logs")
    # Export from the saved files, outside any tf.distribute scope (distributed
    # variables can't be saved in a SavedModel); this also proves the directory
    # is self-sufficient.
    export(app, load_trained(app, staging, run_config), staging / "saved_model")
    run.publish()
    return metrics


def _check_vocabulary(config, vocabulary):
    """Refuses, in one line, a vocabulary left empty (e.g. by a high `--min-count`)."""
    for name, entries in vocabulary.items():
        if isinstance(entries, list) and not entries:
            hint = (f" seen at least --min-count {config.min_count} times"
                    if getattr(config, "min_count", 1) > 1 else "")
            raise UserInputError(f"the {name} vocabulary is empty: no {name} token of the "
                                 f"training split{hint}")


def _clean_up_failed(run):
    """After a failure: no staging folder, and no resume folder without a finished epoch."""
    remove_ours(run.staging, "run")
    if not (run.resume / "state.json").exists():
        remove_ours(run.resume, "resume")


def checksums(data):
    """{file: sha256} of every file of the data's source (empty for built-in data)."""
    files = []
    source = pathlib.Path(data.source) if data.source else None
    if source is not None and source.is_file():
        files = [source]
    elif source is not None and source.is_dir():
        files = sorted(p for p in source.rglob("*") if p.is_file())
    return {str(p.relative_to(source) if p != source else p.name): sha256_of(p) for p in files}


def data_changes(saved, current):
    """How `current` ({file: sha256}) differs from `saved` (the same, at training time).

    Returns (changed, added, removed), each sorted: files of both whose bytes
    differ (two swapped files are both changed); files read now whose name and
    bytes are both new; files trained on whose name and bytes are both gone. A
    renamed copy is no change.
    """
    old_bytes, new_bytes = set(saved.values()), set(current.values())
    changed = sorted(f for f in current.keys() & saved.keys() if current[f] != saved[f])
    added = sorted(f for f, digest in current.items()
                   if f not in saved and digest not in old_bytes)
    removed = sorted(f for f, digest in saved.items()
                     if f not in current and digest not in new_bytes)
    return changed, added, removed


def _provenance(data, examples, steps, sha256):
    """Where the data came from, how its splits were made, the sha256 of every file read."""
    return {"source": data.source, "summary": data.summary, "notes": data.notes,
            "train_examples_per_epoch": examples, "train_steps_per_epoch": steps,
            "sha256": sha256}


def _worker_index(strategy):
    """This process's index among MultiWorkerMirroredStrategy workers (0 otherwise)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or resolver.task_type in (None, "chief"):
        return 0
    return int(resolver.task_id or 0)


def _versions():
    return {"kerasrnn": kerasrnn.__version__, "keras": keras.__version__,
            "tensorflow": tf.__version__, "python": sys.version.split()[0]}
