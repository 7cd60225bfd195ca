"""A finished run directory back in memory, and its SavedModel export."""

import json
import os
import pathlib
import zipfile

import keras
import tensorflow as tf

from apps.harness.config import config_from_json
from apps.harness.contract import Trained
from kerasrnn.training import ModelDirectoryError, UserInputError
from kerasrnn.training.run_directory import claim, make_ours, publish_folder, remove_ours


def load_trained(app, folder, run_config):
    """The `Trained` of a run directory checked by `read_run`.

    Raises:
        ModelDirectoryError: vocab.json or model.keras is missing, truncated or damaged.
    """
    folder = pathlib.Path(folder)
    try:
        config = config_from_json(app.Config, run_config["config"], app.defaults_of_old_runs)
    except (TypeError, UserInputError) as error:
        raise ModelDirectoryError(f"{folder / 'config.json'}: {error}") from error
    try:
        vocabulary = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelDirectoryError(f"{folder}: incomplete model directory (no vocab.json)") from None
    except (OSError, ValueError) as error:
        raise ModelDirectoryError(f"{folder / 'vocab.json'}: damaged ({error})") from error
    if not isinstance(vocabulary, dict):
        raise ModelDirectoryError(f"{folder / 'vocab.json'}: not a JSON object of vocabularies")
    path = folder / "model.keras"
    if not zipfile.is_zipfile(path):
        raise ModelDirectoryError(f"{path}: not a Keras model file (truncated or damaged: "
                                  "a .keras file is a zip archive)")
    try:
        model = keras.saving.load_model(path)
    except Exception as error:  # a damaged zip, JSON or HDF5 file raises any kind of error
        raise ModelDirectoryError(f"{path}: damaged or not a Keras model file "
                                  f"({type(error).__name__}: {_first_line(error)})") from error
    trained = Trained(config, vocabulary, model)
    try:  # the app's view of the three files: they must belong together
        app.serving(trained)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ModelDirectoryError(
            f"{folder}: config.json, vocab.json and model.keras do not belong together "
            f"({type(error).__name__}: {_first_line(error)})") from error
    return trained


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else ""


def endpoints(app, trained):
    """The app's serving functions, their lookups built (a loaded model builds them lazily)."""
    found = app.serving(trained)
    if not found.functions:
        raise ValueError(f"{app.name}: serving() returned no function")
    return found


def serving_default(app, trained):
    """The app's first serving function: what `predict` calls and `serving_default` is."""
    return next(iter(endpoints(app, trained).functions.values()))


def export(app, trained, path):
    """Writes a SavedModel at `path` (a new folder) with the app's endpoints.

    The first endpoint is `serving_default` too; all take raw strings.
    """
    found = endpoints(app, trained)
    for function in found.functions.values():
        _warm_up(function, function.input_signature)  # builds the lookups it reads
    archive = keras.export.ExportArchive()
    archive.track(trained.model)
    for resource in found.resources:
        archive.track(resource)
    for index, (name, function) in enumerate(found.functions.items()):
        if index == 0:  # Keras exports the "serve" endpoint as serving_default
            archive.add_endpoint("serve", function)
        if name != "serve":
            archive.add_endpoint(name, function)
    make_ours(path, "export")
    archive.write_out(str(path), verbose=False)


def _warm_up(function, signature):
    """Calls `function` once on one empty string per input (builds lazy lookup tables).

    Numeric inputs get ones (a length, a temperature, a beam width: 0 is refused).
    """
    function(*[tf.constant([""] * 1, dtype=s.dtype) if s.dtype == tf.string
               else tf.ones([1 if d is None else d for d in s.shape], s.dtype)
               for s in signature])


def export_to(app, trained, out):
    """`export` to a folder chosen by a user: never deletes what kerasrnn did not write.

    Raises:
        OutputInTheWayError: `out` (or `out.partial`) is a file, a folder not
            written by kerasrnn, or a run directory (an export replaces only an
            earlier export).
    """
    out = pathlib.Path(os.path.abspath(out))
    if not out.parent.is_dir():
        raise UserInputError(f"{out.parent}: no such folder to export into (--out)")
    claim(out, "SavedModel", "export")
    partial = out.with_name(out.name + ".partial")
    remove_ours(partial, "export")
    export(app, trained, partial)
    publish_folder(partial, out, "export")
    return out
