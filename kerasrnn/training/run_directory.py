"""Run directories that appear atomically, and never at the cost of someone else's files.

A `train` run works in two places derived from `--output-dir OUT`:

- `OUT.resume/`: the state of an unfinished run (last completed epoch's weights and
  optimizer state, best weights, early-stopping counters, history, TensorBoard
  logs). Running the same command again continues from it.
- `OUT.staging/`: where the finished run's files are written before
  `publish()` renames it to `OUT` in one step, so `OUT` is either the previous
  complete run or the new complete run, never half of one.

Every folder kerasrnn creates holds a marker file, `.kerasrnn`, saying what it is:
a run directory, a resume state or an export. A command replaces or deletes a
folder only when it is its own earlier output of the same kind (`train` an earlier
run of the same app, `export` an earlier export); anything else in its way — a user's folder, a
plain file, a run where an export would go — stops it with one line, before it
has written anything (`OutputInTheWayError`). Folders older than the marker are
told by their content.
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
           "kind_of", "make_ours", "mark_ours", "publish_folder", "read_run", "remove_ours",
           "write_json"]


class OutputInTheWayError(UserInputError):
    """The place a command would write holds something it may not replace."""


KINDS = ("run", "resume", "export", "lessons")  # what a marker can say a folder is


def kind_of(path):
    """What kerasrnn wrote at `path`: "run", "resume", "export", "lessons", or None.

    Read from the marker; folders from before the marker are told by their content
    (a run's config.json naming a kerasrnn app, ResumableFit's state.json).
    """
    path = pathlib.Path(path)
    if path.is_symlink() or not path.is_dir():
        return None
    try:
        marker = json.loads((path / MARKER).read_text(encoding="utf-8"))
        if isinstance(marker, dict) and marker.get("kind") in KINDS:
            return marker["kind"]
    except (OSError, ValueError):
        pass
    if (path / "state.json").is_file():
        return "resume"
    if {"app", "format_version"} <= set(_config_of(path)):
        return "run"
    return None


def _config_of(folder):
    """A folder's config.json as a dict ({} if absent, unreadable or not an object)."""
    try:
        config = json.loads((pathlib.Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return config if isinstance(config, dict) else {}


_NAMES = {"run": "a kerasrnn run directory", "resume": "an unfinished run's resume state",
          "export": "a SavedModel written by export",
          "lessons": "a folder of the lessons' pictures", None: "kerasrnn did not write"}


def claim(path, what, kind):
    """Checks that `path` is free, or kerasrnn's own earlier output of the same `kind`.

    Raises:
        OutputInTheWayError: `path` is a file, a folder kerasrnn did not write, or
            kerasrnn's output of another kind (an export never replaces a run).
    """
    path = pathlib.Path(path)
    if not os.path.lexists(path):
        return path
    found = kind_of(path)
    if found != kind:
        if found is None:
            thing = "a folder" if path.is_dir() and not path.is_symlink() else "a file"
            thing = f"{thing} that kerasrnn did not write"
        else:
            thing = _NAMES[found]
        raise OutputInTheWayError(
            f"{path}: {thing} is in the way of the {what}; nothing was changed: "
            "choose another path or move it away")
    return path


def make_ours(path, kind):
    """Creates the folder `path` (it must not exist) with a marker saying it is a `kind`."""
    path = pathlib.Path(path)
    path.mkdir(parents=True)
    return mark_ours(path, kind)


def mark_ours(path, kind):
    """Writes the marker saying the existing folder `path` is a `kind`; returns the path."""
    path = pathlib.Path(path)
    (path / MARKER).write_text(json.dumps({"written_by": "kerasrnn", "kind": kind}) + "\n")
    return path


def remove_ours(path, kind):
    """Deletes `path` if it is kerasrnn's own `kind` of folder (see `claim`); no-op if absent."""
    if os.path.lexists(path):
        claim(path, "removal", kind)
        shutil.rmtree(path)


def publish_folder(finished, target, kind):
    """Renames the folder `finished` to `target`, replacing an earlier output of `kind`.

    `target` is either the old complete folder or the new one at every moment.
    """
    target = pathlib.Path(target)
    claim(target, "result", kind)
    previous = target.with_name(target.name + ".previous")
    remove_ours(previous, kind)
    if target.exists():
        os.replace(target, previous)
    os.replace(finished, target)
    remove_ours(previous, kind)


class RunDirectory:
    """Paths of one training run; see the module docstring."""

    def __init__(self, output_dir, app=None):
        """`app`: the app training; a run of another app at `output_dir` is refused."""
        self.output = pathlib.Path(output_dir).resolve()
        self.app = app
        self.resume = self.output.with_name(self.output.name + ".resume")
        self.staging = self.output.with_name(self.output.name + ".staging")
        self.previous = self.output.with_name(self.output.name + ".previous")

    def check(self):
        """Checks every path the run will write; writes nothing.

        Raises:
            OutputInTheWayError: one of them holds something kerasrnn did not write.
        """
        for path, what, kind in ((self.output, "run directory", "run"),
                                 (self.resume, "resume state", "resume"),
                                 (self.staging, "unfinished run", "run"),
                                 (self.previous, "run directory", "run")):
            claim(path, what, kind)
        other = _config_of(self.output).get("app")
        if self.app is not None and other not in (None, self.app):
            raise OutputInTheWayError(
                f"{self.output}: a run of app {other!r} is in the way of this {self.app!r} "
                "run; nothing was changed: choose another path or move it away")
        return self

    def start(self):
        """`check`, then prepares the resume folder (kept if there) and an empty staging one."""
        self.check()
        if not self.resume.exists():
            make_ours(self.resume, "resume")
        remove_ours(self.staging, "run")
        make_ours(self.staging, "run")
        return self

    def publish(self):
        """Moves the finished staging folder to `output` and drops the resume state."""
        publish_folder(self.staging, self.output, "run")
        remove_ours(self.resume, "resume")


def read_run(model_dir, app):
    """Checks a model directory written by `app`'s `train` and returns its config.

    Raises:
        ModelDirectoryError: the folder is missing, incomplete, damaged, written by
            another app, or by an incompatible version of kerasrnn.
    """
    folder = pathlib.Path(model_dir)
    if folder.is_file():
        raise ModelDirectoryError(f"{folder}: a file; --model takes the run directory that "
                                  "`train` wrote (the folder holding model.keras)")
    if not folder.is_dir():
        raise ModelDirectoryError(f"{folder}: no such model directory")
    kind = kind_of(folder)
    if kind == "export":
        raise ModelDirectoryError(f"{folder}: a SavedModel written by export; --model takes "
                                  "the run directory that `train` wrote")
    if kind == "resume":
        raise ModelDirectoryError(f"{folder}: an unfinished run's state; run `train` again "
                                  "with the same settings to finish it")
    if not (folder / "config.json").exists():
        raise ModelDirectoryError(f"{folder}: not a run directory written by `train` "
                                  "(no config.json)")
    missing = [name for name in REQUIRED_FILES if not (folder / name).exists()]
    if missing:
        raise ModelDirectoryError(
            f"{folder}: incomplete model directory (missing {', '.join(missing)})")
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
