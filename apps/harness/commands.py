"""The command line every app shares: train, evaluate, export, and the commands that use a model.

`python -m apps.<app> train|evaluate|export|<use commands>`; `predict` is the use
command of every app unless it lists its own (`App.use_commands`). User errors (and
OSErrors: paths that can't be read or written) end with one line on stderr and
exit status 2 (`--debug` adds the traceback, and TensorFlow's and Keras' own log
lines and warnings); Ctrl-C ends with one line and status 130, SIGTERM (`kill`, a
job scheduler's stop) the same way with status 143: a `train` stopped either way
leaves no half-written run directory and resumes when run again.
"""

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import sys
import threading
import traceback

import tensorflow as tf

from apps.console import batches_of_lines, debug_requested, decode_arguments, json_line, one_line
from apps.harness.config import (
    OneLineParser,
    add_config_flags,
    add_override_flags,
    config_from_args,
    not_numbers,
    registry_problems,
)
from apps.harness.contract import UseCommand
from apps.harness.serving import export_to, load_trained, serving_default
from apps.harness.training import checksums, data_changes, split_evaluation, train
from kerasrnn.data import DataFormatError, DatasetNotFoundError
from kerasrnn.training import TrainingDivergedError, UserInputError, read_run

# What corpora call their validation split (UD's *-dev.conllu, GLUE's dev.tsv).
SPLIT_ALIASES = {"dev": "valid", "validation": "valid"}


def loaded(app, args):
    """The `Trained` of `--model`, checked."""
    return load_trained(app, args.model, read_run(args.model, app.name))


def evaluate(app, args):
    run_config = read_run(args.model, app.name)
    trained = load_trained(app, args.model, run_config)
    config = trained.config
    if args.data or args.data_dir:  # the data moved since training
        config = dataclasses.replace(config, data=args.data, data_dir=args.data_dir)
        problems = registry_problems(config, app.name)
        if problems:
            raise UserInputError(problems[0])
    overrides = {name: getattr(args, name) for name in app.evaluation_flags
                 if getattr(args, name) is not None}
    if overrides:  # e.g. another beam width: the model is the same
        config = dataclasses.replace(config, **overrides)
        problems = not_numbers(config) or app.check_config(config)
        if problems:
            raise UserInputError(problems[0])
    data = app.read_data(config)
    aliases = {**SPLIT_ALIASES, **data.aliases}
    split = aliases.get(args.split, args.split)
    if split not in data.splits:
        names = sorted(data.splits) + [a for a, s in aliases.items() if s in data.splits]
        raise UserInputError(f"--split must be one of {', '.join(names)}, got {args.split!r}")
    saved = run_config.get("data", {}).get("sha256")
    if saved is not None:
        _note_changed_data(app, args.model, saved, checksums(data))
    metrics, _ = split_evaluation(app.evaluate(dataclasses.replace(trained, config=config),
                                               data.splits[split]))
    print(json.dumps(metrics, indent=2))


def _note_changed_data(app, model, saved, current):
    """Says on stderr which data files differ from those of training ({file: sha256} each)."""
    changed, added, removed = data_changes(saved, current)
    # The same bytes under another file name (a renamed copy) are the same data.
    if not changed and sorted(saved.values()) == sorted(current.values()):
        return
    parts = [f"{label} {_some(files)}" for label, files in
             (("changed:", changed), ("not in training:", added),
              ("trained on, not read now:", removed)) if files]
    which = "; ".join(parts) or "the same contents in another number of files"
    print(f"{app.name}: note: the data differ from those the model was trained on "
          f"(sha256 in {os.path.join(model, 'config.json')}): {which}", file=sys.stderr)


def _some(names, shown=5):
    """"a, b, c" or "a, b, c, d, e and 7 more"."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def export(app, args):
    print(f"wrote {export_to(app, loaded(app, args), args.out)}")


def _predict_arguments(parser):
    parser.add_argument("texts", nargs="*", help="texts (default: the lines of stdin; "
                        "undecodable UTF-8 bytes read as U+FFFD)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="json: one JSON object per text, one line each")


def _predict(app, trained, args):
    serve = serving_default(app, trained)
    # Arguments in one batch; stdin in batches of the lines already there, so a
    # line written to an open pipe is answered at once.
    for texts in ([decode_arguments(args.texts)] if args.texts else batches_of_lines()):
        for result in app.present(texts, serve(tf.constant(texts))):
            print(json_line(result) if args.format == "json" else "\n".join(app.show(result)))
        sys.stdout.flush()


PREDICT = UseCommand("predict", "run the model on raw texts (arguments or stdin lines)",
                     _predict_arguments, _predict)


def use_commands(app):
    return tuple(app.use_commands) or (PREDICT,)


def build_parser(app):
    parser = OneLineParser(prog=f"python -m apps.{app.name}", description=app.description,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true",
                        help="show tracebacks and TensorFlow's log lines and warnings")
    commands = parser.add_subparsers(dest="command", required=True)
    add_config_flags(commands.add_parser("train", help="train, evaluate on test, export"),
                     app.Config)
    sub = commands.add_parser("evaluate", help="metrics of a trained model on a split")
    sub.add_argument("--split", default="test",
                     help="train, valid (or dev) or test (default: test); where the "
                     "data's dev file is the test split (SST-2, GLUE folders), dev is test")
    data = sub.add_mutually_exclusive_group()
    data.add_argument("--data", help="read this dataset instead of the one trained on")
    data.add_argument("--data-dir", help="read this folder instead of the one trained on "
                      "(e.g. the same data, moved)")
    add_override_flags(sub, app.Config, app.evaluation_flags)
    for command in use_commands(app):
        command.add_arguments(commands.add_parser(command.name, help=command.help))
    sub = commands.add_parser("export", help="write the serving SavedModel elsewhere")
    sub.add_argument("--out", required=True,
                     help="a new folder (or one an earlier export wrote, which is replaced)")
    parser.error_prefix = app.name
    for name, sub in commands.choices.items():
        sub.error_prefix = app.name
        if name != "train":
            sub.add_argument("--model", required=True, help="a directory written by train")
        # SUPPRESS: don't undo a --debug given before the command
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show tracebacks and TensorFlow's log lines and warnings")
    return parser


def train_config(app, flags, data=None, data_dir=None):
    """The `app.Config` of `train --data DATA | --data-dir DATA_DIR FLAGS...`, as the CLI
    parses it (a benchmark configures an app the way a user would)."""
    source = ["--data", data] if data else ["--data-dir", data_dir] if data_dir else []
    args = build_parser(app).parse_args(["train", *source, *map(str, flags)])
    return config_from_args(app.Config, args)


def run(app, args):
    if args.command == "train":
        train(app, config_from_args(app.Config, args))
    elif args.command == "evaluate":
        evaluate(app, args)
    elif args.command == "export":
        export(app, args)
    else:
        command = {c.name: c for c in use_commands(app)}[args.command]
        command.run(app, loaded(app, args), args)
    return 0


# Errors a user can act on: one line, exit status 2. OSError: a path the user gave
# can't be read or written (no such folder, permissions, a full disk), which the
# message names; ResourceExhaustedError: the model does not fit in memory.
USER_ERRORS = (UserInputError, DataFormatError, DatasetNotFoundError, TrainingDivergedError,
               OSError, tf.errors.ResourceExhaustedError)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it stops as Ctrl-C stops it."""


def _raise_terminated(signum, frame):
    raise Terminated


@contextlib.contextmanager
def sigterm_as_interrupt():
    """Within: SIGTERM raises `Terminated` (main thread only; restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:  # None: the handler was not set from Python; the default is the best guess
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def main(app, argv=None):
    """Runs one command; returns the exit status (2 for a user's error, 130 if interrupted,
    143 if terminated)."""
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    args = build_parser(app).parse_args(argv)
    debug = args.debug or debug_requested(argv)
    try:
        with sigterm_as_interrupt():
            return run(app, args)
    except BrokenPipeError:  # e.g. `predict ... | head -1`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt as stop:
        if debug:
            traceback.print_exc()
        hint = "; run the same command again to resume" if args.command == "train" else ""
        how = "terminated (SIGTERM)" if isinstance(stop, Terminated) else "interrupted"
        print(f"{app.name}: {how}{hint}", file=sys.stderr)
        return 143 if isinstance(stop, Terminated) else 130
    except USER_ERRORS as error:
        if debug:
            traceback.print_exc()
        message = one_line(getattr(error, "message", None) or error)
        if isinstance(error, tf.errors.ResourceExhaustedError):
            message = "out of memory: try a smaller --units, --batch-size or model"
        print(f"{app.name}: error: {message}", file=sys.stderr)
        return 2


def run_script(app):
    """`python -m apps.<app>`: exits with `main`'s status.

    Once `main` has returned, the outcome is decided (a run published, an error
    said), so SIGINT is ignored from then on: a Ctrl-C during the interpreter's
    teardown (TensorFlow's takes a moment) cannot turn a finished run into status 130.
    """
    status = main(app)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(status)
