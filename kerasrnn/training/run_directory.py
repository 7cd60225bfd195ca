"""Run directories that appear atomically, and the resume state that survives a crash.

A `train` run works in two places derived from `--output-dir OUT`:

- `OUT.resume/`: the state of an unfinished run (last completed epoch's weights and
  optimizer state, best weights, early-stopping counters, history, TensorBoard
  logs). Running the same command again continues from it.
- `OUT.staging/`: where the finished run's files are written before
  `publish()` renames it to `OUT` in one step, so `OUT` is either the previous
  complete run or the new complete run, never half of one.
"""

import json
import os
import pathlib
import shutil

from kerasrnn.training.errors import ModelDirectoryError

REQUIRED_FILES = ("config.json", "model.keras", "metrics.json")
FORMAT_VERSION = 1  # bump when a model directory changes incompatibly


class RunDirectory:
    """Paths of one training run; see the module docstring."""

    def __init__(self, output_dir):
        self.output = pathlib.Path(output_dir).resolve()
        self.resume = self.output.with_name(self.output.name + ".resume")
        self.staging = self.output.with_name(self.output.name + ".staging")

    def start(self):
        """Creates the resume folder (keeping an existing one) and an empty staging folder."""
        self.resume.mkdir(parents=True, exist_ok=True)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def publish(self):
        """Moves the finished staging folder to `output` and drops the resume state."""
        previous = self.output.with_name(self.output.name + ".previous")
        if previous.exists():
            shutil.rmtree(previous)
        if self.output.exists():
            os.replace(self.output, previous)
        os.replace(self.staging, self.output)
        if previous.exists():
            shutil.rmtree(previous)
        shutil.rmtree(self.resume, ignore_errors=True)


def write_json(path, data):
    """Writes JSON atomically (temp file + rename), so a crash never leaves half a file."""
    path = pathlib.Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


def read_run(model_dir, app):
    """Checks a model directory written by `app`'s `train` and returns its config.

    Raises:
        ModelDirectoryError: the folder is missing, incomplete, written by another
            app, or by an incompatible version of kerasrnn.
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
        config = json.loads((folder / "config.json").read_text())
    except json.JSONDecodeError as error:
        raise ModelDirectoryError(f"{folder / 'config.json'}: not valid JSON ({error})") from None
    if config.get("app") != app:
        raise ModelDirectoryError(
            f"{folder}: a model of app {config.get('app')!r}, not {app!r}; "
            f"use `python -m apps.{config.get('app')}` for it"
        )
    if config.get("format_version") != FORMAT_VERSION:
        raise ModelDirectoryError(
            f"{folder}: written by kerasrnn {config.get('kerasrnn_version')} in model-directory "
            f"format {config.get('format_version')}; this kerasrnn reads format {FORMAT_VERSION}"
        )
    return config
