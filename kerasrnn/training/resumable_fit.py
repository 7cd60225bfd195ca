"""`model.fit` that survives a crash, keeps the best epoch and stops on NaN.

Keras' own `BackupAndRestore` restores weights and the epoch counter but not the
best-epoch and early-stopping state; this callback keeps all of it in one folder:

    state.json           epochs done, best value and epoch, early-stopping wait, history,
                         seconds spent in completed epochs (over all processes)
    last.weights.h5      weights after the last completed epoch
    last.optimizer.npz   the optimizer's variables (Adam moments, iteration count)
    best.weights.h5      weights of the best epoch by the monitored metric

With an optimizer that keeps an exponential moving average of the weights
(`use_ema=True`, Polyak averaging), validation and `best.weights.h5` use the
averaged weights, while training goes on from the raw ones (`last.weights.h5`; the
averages are optimizer variables, so a resumed run continues them exactly). The
averages are put in place with the optimizer's public `finalize_variable_values`,
which Keras itself calls at the end of `fit`, and the raw values are put back after.

Every file is written to a temporary name and renamed (`atomic.atomic_write`), so a
SIGKILL at any moment leaves either the previous epoch's state or the new one.
"""

import json
import math
import pathlib
import sys
import time

import keras
import numpy as np

from kerasrnn.training.atomic import atomic_write, write_json
from kerasrnn.training.errors import TrainingDivergedError


def _savez(path, arrays):
    with open(path, "wb") as file:  # a file object: np.savez would append ".npz" to a name
        np.savez(file, **arrays)


class ResumableFit(keras.callbacks.Callback):
    """Checkpoints each epoch to `folder` and restores from it; see the module docstring.

    Args:
        folder: the resume folder (created if missing).
        monitor: the logged value that picks the best epoch, e.g. `"val_loss"`;
            an epoch that ties the best value (an entity F1 still 0 on a small
            corpus) counts as better when its `val_loss` is lower.
        mode: `"min"` or `"max"` for `monitor`.
        patience: stop after this many epochs without improvement (`None`: never).
        time_budget: seconds of training (summed over resumed processes) not to
            exceed: no epoch starts that would end past it at the last epoch's
            pace; the first epoch always runs (`None`: no limit).
        validate: optional `model -> {name: number}`, called after each epoch's
            validation with the weights validation used (the moving averages under
            EMA); its values join the epoch's logs as `val_<name>`, so one can be
            the `monitor` (e.g. an F1 that no per-batch Keras metric computes).
    """

    def __init__(self, folder, monitor="val_loss", mode="min", patience=None,
                 time_budget=None, validate=None):
        super().__init__()
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.folder = pathlib.Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.monitor, self.mode, self.patience = monitor, mode, patience
        self.time_budget = time_budget
        self.validate = validate
        self._validated = {}
        self.state = {"epochs_done": 0, "best": None, "best_epoch": None, "wait": 0,
                      "history": {}, "stopped_early": False, "train_seconds": 0.0}
        self._epoch_started = None
        self._raw = []  # the raw weights while validation runs on the averages
        self.diverged = None

    @property
    def state_path(self):
        return self.folder / "state.json"

    def restore(self, model):
        """Loads the saved state into `model` (compiled); returns the epoch to start from."""
        if not self.state_path.exists():
            return 0
        self.state = json.loads(self.state_path.read_text(encoding="utf-8"))
        model.load_weights(self.folder / "last.weights.h5")
        optimizer = model.optimizer
        optimizer.build(model.trainable_variables)
        saved = np.load(self.folder / "last.optimizer.npz")
        values = [saved[f"v{i}"] for i in range(len(saved.files))]
        if len(values) != len(optimizer.variables):
            raise TrainingDivergedError(
                f"{self.folder}: resume state does not match this model "
                f"({len(values)} optimizer variables saved, {len(optimizer.variables)} now); "
                "delete the folder to start over"
            )
        for variable, value in zip(optimizer.variables, values):
            variable.assign(value)
        return self.state["epochs_done"]

    def _ema_optimizer(self):
        """The model's optimizer when it keeps a moving average of the weights, else None."""
        optimizer = self.model.optimizer
        # Mixed precision wraps the optimizer in a LossScaleOptimizer, whose
        # finalize_variable_values hands on to the inner optimizer that keeps the EMA.
        inner = getattr(optimizer, "inner_optimizer", optimizer)
        if optimizer is None or not getattr(inner, "use_ema", False) or not inner.built:
            return None  # no EMA, or no averages yet
        return optimizer

    def _use_averages(self):
        """Puts the moving averages into the model, keeping the raw values in `_raw`."""
        optimizer = self._ema_optimizer()
        if optimizer is None:
            return
        variables = self.model.trainable_variables  # what fit built the optimizer with
        self._raw = [(variable, keras.ops.convert_to_numpy(variable)) for variable in variables]
        optimizer.finalize_variable_values(variables)

    def _use_raw(self):
        """Puts back the raw values `_use_averages` kept."""
        for variable, value in self._raw:
            variable.assign(value)
        self._raw = []

    def on_test_begin(self, logs=None):
        self._use_averages()

    def on_test_end(self, logs=None):
        try:
            if self.validate is not None:
                scores = self.validate(self.model)
                self._validated = {f"val_{k}": float(v) for k, v in scores.items()}
        finally:
            self._use_raw()

    def _save_best(self):
        self._use_averages()
        try:
            atomic_write(self.folder / "best.weights.h5", self.model.save_weights)
        finally:
            self._use_raw()

    def _improved(self, value, loss=None):
        """Better than the best epoch; on a tie (an F1 still 0), a lower `val_loss` is."""
        best = self.state["best"]
        if best is None:
            return True
        if value == best and loss is not None and self.state.get("best_loss") is not None:
            return loss < self.state["best_loss"]
        return value < best if self.mode == "min" else value > best

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged = {"epoch": self.state["epochs_done"] + 1, "batch": batch + 1,
                             "loss": float(loss)}
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged:
            return  # keep the last good checkpoint untouched
        # Summed over every process of a resumed run, so throughput stays right.
        epoch_seconds = time.perf_counter() - self._epoch_started
        self.state["train_seconds"] = self.state.get("train_seconds", 0.0) + epoch_seconds
        if logs is not None:  # in place: the callbacks after this one see them too
            logs.update(self._validated)
        logs = {k: float(v) for k, v in (logs or {}).items()}
        if not all(math.isfinite(v) for v in logs.values()):
            self.diverged = {"epoch": epoch + 1, "batch": None, "loss": logs.get("loss")}
            self.model.stop_training = True
            return
        for key, value in logs.items():
            self.state["history"].setdefault(key, []).append(value)
        value = logs.get(self.monitor)
        if value is None:
            raise KeyError(f"monitored value {self.monitor!r} not in logs {sorted(logs)}")
        loss = logs.get("val_loss")
        if self._improved(value, loss):
            self.state.update(best=value, best_epoch=epoch + 1, wait=0, best_loss=loss)
            self._save_best()
        else:
            self.state["wait"] += 1
        atomic_write(self.folder / "last.weights.h5", self.model.save_weights)
        variables = {f"v{i}": keras.ops.convert_to_numpy(v)
                     for i, v in enumerate(self.model.optimizer.variables)}
        atomic_write(self.folder / "last.optimizer.npz", lambda p: _savez(p, variables))
        self.state["epochs_done"] = epoch + 1
        if self.patience is not None and self.state["wait"] >= self.patience:
            self.state["stopped_early"] = True
            self.model.stop_training = True
        if (self.time_budget is not None
                and self.state["train_seconds"] + epoch_seconds > self.time_budget):
            self.state["stopped_early"] = self.state["out_of_time"] = True
            self.model.stop_training = True
        write_json(self.state_path, self.state)

    def restore_best(self):
        """Loads the best epoch's weights into the model."""
        self.model.load_weights(self.folder / "best.weights.h5")


def resumable_fit(model, train, valid, epochs, folder, monitor="val_loss", mode="min",
                  patience=None, callbacks=(), verbose=None, time_budget=None, validate=None):
    """Fits `model` from where an earlier, interrupted run stopped; ends on the best epoch.

    `train` and `valid` are datasets that shuffle themselves (fit's `shuffle` is off).

    `patience`, `time_budget` and `validate` are as in `ResumableFit`. Prints Keras' `Epoch N/M`
    lines with N counted over the whole run. Returns the `ResumableFit` callback,
    whose `state` holds the history and best epoch.

    Raises:
        TrainingDivergedError: the loss became NaN/Inf; the folder keeps the last
            good epoch, so a rerun with other settings can't lose finished work.
    """
    if verbose is None:  # a progress bar on a terminal, one line per epoch in logs
        verbose = 1 if sys.stdout.isatty() else 2
    tracker = ResumableFit(folder, monitor, mode, patience, time_budget, validate)
    tracker.set_model(model)
    initial_epoch = tracker.restore(model)
    if initial_epoch:
        best, best_epoch = tracker.state["best"], tracker.state["best_epoch"]
        done = (f"{initial_epoch} of {epochs} epochs done" if initial_epoch <= epochs else
                f"{initial_epoch} epochs done, more than the {epochs} asked for")
        print(f"Resuming from {folder}: {done} (best {monitor} {best:.4f} at epoch "
              f"{best_epoch})")
    if initial_epoch < epochs and not tracker.state["stopped_early"]:
        model.fit(train, validation_data=valid, epochs=epochs, initial_epoch=initial_epoch,
                  callbacks=[tracker, *callbacks], verbose=verbose, shuffle=False)
    if tracker.diverged:
        where = tracker.diverged
        at = f"epoch {where['epoch']}" + (f", batch {where['batch']}" if where["batch"] else "")
        done = tracker.state["epochs_done"]
        kept = (f"The last good checkpoint (epoch {done}) is kept in {folder}" if done
                else "No epoch had finished, so nothing was kept")
        raise TrainingDivergedError(
            f"training diverged: loss {where['loss']} at {at}. {kept}; try a lower "
            "--learning-rate (or --weight-decay, if given), or a smaller --clipnorm"
        )
    if tracker.state["best_epoch"] is None:
        raise TrainingDivergedError("no epoch finished, so there is no model to keep")
    tracker.restore_best()
    return tracker
