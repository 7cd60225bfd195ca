"""A finished run directory back in memory, and its SavedModel export."""

import json
import os
import pathlib

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
    try:
        model = keras.saving.load_model(folder / "model.keras")
    except Exception as error:  # a damaged zip, JSON or HDF5 file raises any kind of error
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ModelDirectoryError(
            f"{folder / 'model.keras'}: damaged or not a Keras model file "
            f"({type(error).__name__}: {reason})") from error
    return Trained(config, vocabulary, model)


def endpoints(app, trained):
    """The app's serving functions, their lookups built (a loaded model builds them lazily)."""
    found = app.serving(trained)
    if not found.functions:
        raise ValueError(f"{app.name}: serving() returned no function")
    return found


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
    make_ours(path)
    archive.write_out(str(path), verbose=False)


def _warm_up(function, signature):
    """Calls `function` once on one empty string per input (builds lazy lookup tables)."""
    function(*[tf.constant([""] * 1, dtype=s.dtype) if s.dtype == tf.string
               else tf.zeros([1 if d is None else d for d in s.shape], s.dtype)
               for s in signature])


def export_to(app, trained, out):
    """`export` to a folder chosen by a user: never deletes what kerasrnn did not write.

    Raises:
        OutputInTheWayError: `out` (or `out.partial`) is a file or a folder not
            written by kerasrnn.
    """
    out = pathlib.Path(os.path.abspath(out))
    claim(out, "SavedModel")
    partial = out.with_name(out.name + ".partial")
    remove_ours(partial)
    export(app, trained, partial)
    publish_folder(partial, out)
    return out
