"""The application contract: what an app writes, and what the harness does with it.

An app is a subclass of `App` that sets `name`, `Config` and `description` and
implements six methods, in the order a reader meets them:

- `read_data(config)` -> `AppData`: train / valid / test, always. An app whose
  data lacks a labelled valid split carves a fixed one from train
  (`kerasrnn.data.splits.hash_split`); one whose test split is unlabelled uses
  its labelled dev split as test; either is written in `AppData.notes`, which
  `config.json` keeps.
- `build_vocabulary(config, train)` -> plain JSON (lists of strings), saved as
  `vocab.json`.
- `make_dataset(config, vocabulary, items, training, drop_remainder=False)` -> a
  `tf.data.Dataset` of `(inputs, targets[, sample_weights])` batches;
  `training=True` shuffles (seeded). The harness counts its batches and examples;
  it never calls `len()` on a split (a text corpus is one string).
- `build_model(config, vocabulary, compile_options)` -> a functional Keras model
  with named layers and outputs, compiled with `model.compile(**compile_options,
  loss=..., metrics=...)` (the options hold the optimizer and `jit_compile`).
- `evaluate(trained, items)` -> a dict: numbers (and strings, such as a score's
  signature) go to `metrics.json`, each nested dict to `<key>.json`.
- `serving(trained)` -> `Endpoints`: `tf.function`s on raw strings; the first is
  also the SavedModel's `serving_default`.

and, optionally, `check_config(config)` (its own fields' problems, one line each),
`use_commands` (the commands that use a trained model; `predict` by default, which
calls the first endpoint through `present`/`show`), `evaluation_flags` (Config
fields `evaluate` may change for its run, e.g. translate's beam width),
`monitor`/`monitor_mode` (the validation value that picks the kept epoch),
`validation_scores(trained, items)` (scores of the valid split after each epoch,
logged as `val_<name>`, e.g. the entity F1 a per-batch Keras metric cannot compute,
so `monitor` can be one), `write_figures(reports, folder)` (pictures drawn from the
test reports, e.g. a confusion matrix, written into the run directory) and
`defaults_of_old_runs`.

Everything else belongs to the harness: threads, seeds, precision, strategy,
resuming, provenance, evaluation on test, reloading and exporting, and writing
the run directory atomically. The harness imports no app.
"""

import dataclasses
import typing


@dataclasses.dataclass
class AppData:
    """What `read_data` returns.

    Attributes:
        splits: exactly "train", "valid" and "test", each a list of examples or, for
            a text corpus, one string.
        summary: a human-readable report of what was read (printed by `train`).
        source: the file or folder read (its files' checksums go into config.json),
            or None for built-in data.
        notes: how the splits were made where the data did not provide them, e.g.
            {"valid": "10% of train by a hash of the text"}.
        aliases: what `evaluate --split` also accepts for a split, where the data
            name it otherwise (SST-2's dev file is its test split: {"dev": "test"});
            over the harness's own ("dev" and "validation" for valid).
    """

    splits: dict
    summary: str = ""
    source: str | None = None
    notes: dict = dataclasses.field(default_factory=dict)
    aliases: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if set(self.splits) != {"train", "valid", "test"}:
            raise ValueError(f"splits must be train, valid and test, got {sorted(self.splits)}")


@dataclasses.dataclass
class Trained:
    """A trained model with what made it: what `evaluate` and `serving` receive."""

    config: typing.Any
    vocabulary: dict
    model: typing.Any


@dataclasses.dataclass
class Endpoints:
    """The SavedModel's functions and the lookup layers they read.

    Attributes:
        functions: name → `tf.function` with an input signature of string tensors;
            the first is exported as `serving_default` as well.
        resources: Keras layers holding tables the functions use (e.g. `StringLookup`);
            the export must track them.
    """

    functions: dict
    resources: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class UseCommand:
    """A command that uses a trained model (`predict`, `generate`, `score`, ...).

    `add_arguments(parser)` adds its own options; `run(app, trained, args)` does the
    work and prints; both get the app so one definition serves every app.
    """

    name: str
    help: str
    add_arguments: typing.Callable
    run: typing.Callable


class App:
    """Base class of an application; see the module docstring for the contract."""

    name = None
    Config = None
    description = ""
    monitor, monitor_mode = "val_loss", "min"
    defaults_of_old_runs = {}  # config fields added after runs that lack them were saved
    use_commands = ()  # filled in by apps.harness.commands with `predict`
    evaluation_flags = ()  # Config fields `evaluate` takes as flags (decoding, not the model)

    def check_config(self, config):
        """Problems with this app's own config fields (one-line strings)."""
        return []

    def validation_scores(self, trained, items):
        """{name: number} of the valid split after each epoch (logged as val_<name>)."""
        raise NotImplementedError

    def write_figures(self, reports, folder):
        """Pictures of `evaluate`'s reports ({file name: nested dict}) written into `folder`."""

    def read_data(self, config):
        raise NotImplementedError

    def build_vocabulary(self, config, train):
        raise NotImplementedError

    def make_dataset(self, config, vocabulary, items, training, drop_remainder=False):
        raise NotImplementedError

    def build_model(self, config, vocabulary, compile_options):
        raise NotImplementedError

    def evaluate(self, trained, items):
        raise NotImplementedError

    def serving(self, trained):
        raise NotImplementedError

    # -- predict: the default use command ------------------------------------------------
    def present(self, texts, outputs):
        """`serving_default`'s outputs for `texts` → one JSON-able dict per text."""
        raise NotImplementedError

    def show(self, result):
        """One `present` dict as the lines `predict --format text` prints."""
        return [str(result)]
