"""Run directories that appear atomically, and never at the cost of someone else's files.

A `train` run works in two places derived from `--output-dir OUT`:

- `OUT.resume/`: the state of an unfinished run (last completed epoch's weights and
  optimizer state, best weights, early-stopping counters, history, TensorBoard
  logs). Running the same command again continues from it.
- `OUT.staging/`: where the finished run's files are written before
  `publish()` renames it to `OUT` in one step, so `OUT` is either the previous
  complete run or the new complete run, never half of one.

Every folder kerasrnn creates holds a marker file, `.kerasrnn`. A command replaces
or deletes a folder only when it is its own earlier output (the marker, or for
runs older than the marker a `config.json` naming a kerasrnn app); anything else
in its way — a user's folder, a plain file — stops it with one line, before it
has written anything (`OutputInTheWayError`).
"""

import json
import os
import pathlib
import shutil

from kerasrnn.training.atomic import write_json
from kerasrnn.training.errors import ModelDirectoryError, UserInputError

REQUIRED_FILES = ("config.json", "model.keras", "metrics.json")
FORMAT_VERSION = 1  # bump when a model directory changes incompatibly
MARKER = ".kerasrnn"

__all__ = ["FORMAT_VERSION", "MARKER", "OutputInTheWayError", "RunDirectory", "claim",
           "make_ours", "publish_folder", "read_run", "write_json"]


class OutputInTheWayError(UserInputError):
    """The place a command would write holds something kerasrnn did not write."""


def is_ours(path):
    """True for a folder kerasrnn wrote: the marker, or an older run's config.json."""
    path = pathlib.Path(path)
    if not path.is_dir():
        return False
    if (path / MARKER).is_file() or (path / "state.json").is_file():  # state: ResumableFit's
        return True
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and {"app", "format_version"} <= set(config)


def claim(path, what):
    """Checks that `path` is free or kerasrnn's own earlier output; raises otherwise.

    Raises:
        OutputInTheWayError: `path` is a file, or a folder kerasrnn did not write.
    """
    path = pathlib.Path(path)
    if path.is_symlink() or (path.exists() and not is_ours(path)):
        kind = "folder" if path.is_dir() and not path.is_symlink() else "file"
        raise OutputInTheWayError(
            f"{path}: a {kind} that kerasrnn did not write is in the way of the {what}; "
            "nothing was changed: choose another path or move it away")
    return path


def make_ours(path):
    """Creates the folder `path` (it must not exist) with kerasrnn's marker in it."""
    path = pathlib.Path(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("written by kerasrnn; a later run may replace this folder\n")
    return path


def remove_ours(path):
    """Deletes `path` if it is kerasrnn's own folder (see `claim`); no-op if absent."""
    if os.path.lexists(path):
        claim(path, "removal")
        shutil.rmtree(path)


def publish_folder(finished, target):
    """Renames the folder `finished` to `target`, replacing kerasrnn's own earlier output.

    `target` is either the old complete folder or the new one at every moment.
    """
    target = pathlib.Path(target)
    claim(target, "result")
    previous = target.with_name(target.name + ".previous")
    remove_ours(previous)
    if target.exists():
        os.replace(target, previous)
    os.replace(finished, target)
    remove_ours(previous)


class RunDirectory:
    """Paths of one training run; see the module docstring."""

    def __init__(self, output_dir):
        self.output = pathlib.Path(output_dir).resolve()
        self.resume = self.output.with_name(self.output.name + ".resume")
        self.staging = self.output.with_name(self.output.name + ".staging")
        self.previous = self.output.with_name(self.output.name + ".previous")

    def check(self):
        """Checks every path the run will write; writes nothing.

        Raises:
            OutputInTheWayError: one of them holds something kerasrnn did not write.
        """
        for path, what in ((self.output, "run directory"), (self.resume, "resume state"),
                           (self.staging, "unfinished run"), (self.previous, "run directory")):
            claim(path, what)
        return self

    def start(self):
        """`check`, then prepares the resume folder (kept if there) and an empty staging one."""
        self.check()
        if not self.resume.exists():
            make_ours(self.resume)
        remove_ours(self.staging)
        make_ours(self.staging)
        return self

    def publish(self):
        """Moves the finished staging folder to `output` and drops the resume state."""
        publish_folder(self.staging, self.output)
        remove_ours(self.resume)


def read_run(model_dir, app):
    """Checks a model directory written by `app`'s `train` and returns its config.

    Raises:
        ModelDirectoryError: the folder is missing, incomplete, damaged, written by
            another app, or by an incompatible version of kerasrnn.
    """
    folder = pathlib.Path(model_dir)
    if not folder.is_dir():
        raise ModelDirectoryError(f"{folder}: no such model directory")
    missing = [name for name in REQUIRED_FILES if not (folder / name).exists()]
    if missing:
        raise ModelDirectoryError(
            f"{folder}: incomplete model directory (missing {', '.join(missing)}); "
            "was its training interrupted? Run `train` again to resume it."
        )
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise ModelDirectoryError(f"{folder / 'config.json'}: not valid JSON ({error})") from None
    if not isinstance(config, dict) or not isinstance(config.get("config"), dict):
        raise ModelDirectoryError(f"{folder / 'config.json'}: not a kerasrnn run config")
    if config.get("app") != app:
        raise ModelDirectoryError(
            f"{folder}: a model of app {config.get('app')!r}, not {app!r}; "
            f"use `python -m apps.{config.get('app')}` for it"
        )
    if config.get("format_version") != FORMAT_VERSION:
        raise ModelDirectoryError(
            f"{folder}: written by kerasrnn {config.get('versions', {}).get('kerasrnn')} in "
            f"model-directory format {config.get('format_version')}; this kerasrnn reads "
            f"format {FORMAT_VERSION}"
        )
    return config
