"""ResumableFit: resume state, best epoch, early stopping and NaN handling, without an app."""

import json

import keras
import numpy as np
import pytest

from kerasrnn.training import TrainingDivergedError, resumable_fit


def _model(lr=0.05):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="mse")
    return model


def _data(rng, n=64):
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, x @ np.array([[1.0], [-2.0], [0.5]], "float32")


def _batches(x, y):
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((x, y)).batch(16)


def test_resume_continues_the_epoch_count_and_optimizer(tmp_path, rng, capsys):
    x, y = _data(rng)
    first = _model()
    resumable_fit(first, _batches(x, y), _batches(x, y), epochs=3, folder=tmp_path, verbose=2)
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["epochs_done"] == 3 and len(state["history"]["loss"]) == 3
    iterations = int(keras.ops.convert_to_numpy(first.optimizer.iterations))
    first_seconds = state["train_seconds"]
    assert first_seconds > 0
    second = _model()  # a new process would start from a fresh model like this
    batches = _batches(x, y)
    tracker = resumable_fit(second, batches, batches, epochs=5, folder=tmp_path, verbose=2)
    out = capsys.readouterr().out
    assert "3 of 5 epochs done" in out and "Epoch 4/5" in out and "Epoch 1/5" not in out.split(
        "3 of 5 epochs done")[1]
    assert tracker.state["epochs_done"] == 5 and len(tracker.state["history"]["loss"]) == 5
    assert tracker.state["train_seconds"] > first_seconds  # both processes' epochs count
    assert int(keras.ops.convert_to_numpy(second.optimizer.iterations)) > iterations
    # Asked for fewer epochs than are done: says so, trains nothing.
    third = _model()
    tracker = resumable_fit(third, batches, batches, epochs=2, folder=tmp_path, verbose=2)
    out = capsys.readouterr().out
    assert "5 epochs done, more than the 2 asked for" in out and "Epoch" not in out
    assert tracker.state["epochs_done"] == 5


def test_early_stopping_state_and_best_weights(tmp_path, rng):
    x, y = _data(rng)
    model = _model(lr=0.0)  # never improves after epoch 1
    batches = _batches(x, y)
    tracker = resumable_fit(model, batches, batches, epochs=10, folder=tmp_path, patience=2,
                            verbose=0)
    assert tracker.state["stopped_early"] and tracker.state["epochs_done"] == 3
    assert tracker.state["best_epoch"] == 1


def test_time_budget_stops_before_an_epoch_that_would_overrun_it(tmp_path, rng, monkeypatch):
    import importlib

    module = importlib.import_module("kerasrnn.training.resumable_fit")
    ticks = iter(range(0, 10_000, 10))  # every epoch takes exactly 10 "seconds"
    monkeypatch.setattr(module.time, "perf_counter", lambda: next(ticks))
    x, y = _data(rng)
    batches = _batches(x, y)
    tracker = resumable_fit(_model(), batches, batches, epochs=10, folder=tmp_path,
                            time_budget=25, verbose=0)
    # after 2 epochs (20 s) a third would end at 30 s > 25 s
    assert tracker.state["epochs_done"] == 2 and tracker.state["out_of_time"]
    again = resumable_fit(_model(), batches, batches, epochs=10, folder=tmp_path,
                          time_budget=25, verbose=0)  # a rerun does not train further
    assert again.state["epochs_done"] == 2


def test_nan_loss_stops_with_a_clear_message_and_keeps_the_checkpoint(tmp_path, rng):
    x, y = _data(rng)
    model = _model()
    resumable_fit(model, _batches(x, y), _batches(x, y), epochs=2, folder=tmp_path, verbose=0)
    bad_y = y.copy()
    bad_y[10] = np.nan
    with pytest.raises(TrainingDivergedError, match="loss nan at epoch 3.*epoch 2"):
        resumable_fit(model, _batches(x, bad_y), _batches(x, y), epochs=4, folder=tmp_path,
                      verbose=0)
    assert json.loads((tmp_path / "state.json").read_text())["epochs_done"] == 2


def _ema_model(momentum=0.9, loss_scaled=False, use_ema=True):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.Adam(0.05, use_ema=use_ema, ema_momentum=momentum)
    if loss_scaled:  # what compile() does under the mixed_float16 policy
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _weights(model):
    return [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]


@pytest.mark.parametrize("loss_scaled", [False, True])
def test_with_an_ema_optimizer_validation_and_best_weights_are_the_averages(tmp_path, rng,
                                                                            loss_scaled):
    x, y = _data(rng)
    batches = _batches(x, y)
    keras.utils.set_random_seed(1)
    model = _ema_model(loss_scaled=loss_scaled)
    tracker = resumable_fit(model, batches, batches, epochs=3, folder=tmp_path, verbose=0)
    # References from the same start, trained by Keras alone: with the EMA, a plain
    # fit ends on the averages (fit finalizes them); without it, on the raw weights,
    # which the EMA does not change.
    references = {}
    for use_ema in (True, False):
        keras.utils.set_random_seed(1)
        reference = _ema_model(loss_scaled=loss_scaled, use_ema=use_ema)
        reference.fit(batches, epochs=3, verbose=0, shuffle=False)
        references[use_ema] = _weights(reference)
    averages, raw = references[True], references[False]
    assert not np.allclose(averages[0], raw[0])
    assert tracker.state["best_epoch"] == 3  # still improving: the best is the last epoch
    for kept, average in zip(_weights(model), averages):
        np.testing.assert_allclose(kept, average, rtol=1e-6)
    best = _ema_model()
    best.load_weights(tmp_path / "best.weights.h5")
    for kept, average in zip(_weights(best), averages):
        np.testing.assert_allclose(kept, average, rtol=1e-6)
    # The logged validation loss is the averaged weights' loss ...
    assert model.evaluate(batches, verbose=0) == pytest.approx(
        tracker.state["history"]["val_loss"][-1], rel=1e-6)
    # ... while training goes on from the raw weights (validation put them back).
    last = _ema_model()
    last.load_weights(tmp_path / "last.weights.h5")
    for kept, value in zip(_weights(last), raw):
        np.testing.assert_allclose(kept, value, rtol=1e-6)


def test_an_ema_run_resumed_midway_ends_exactly_like_an_uninterrupted_one(tmp_path, rng):
    x, y = _data(rng)
    batches = _batches(x, y)
    runs = {}
    for name, stops in (("whole", [4]), ("resumed", [2, 4])):
        keras.utils.set_random_seed(1)
        for epochs in stops:  # a new process (fresh model) for each part of the run
            model = _ema_model()
            tracker = resumable_fit(model, batches, batches, epochs=epochs,
                                    folder=tmp_path / name, verbose=0)
        runs[name] = (_weights(model), tracker.state["history"]["val_loss"])
    np.testing.assert_allclose(runs["resumed"][1], runs["whole"][1], rtol=1e-6)
    for resumed, whole in zip(runs["resumed"][0], runs["whole"][0]):
        np.testing.assert_allclose(resumed, whole, rtol=1e-6)


def test_validate_adds_scores_that_can_be_the_monitor(tmp_path, rng):
    x, y = _data(rng)
    model = _model()
    batches = _batches(x, y)
    scores = iter([0.5, 0.9, 0.7, 0.6])
    seen = []

    def validate(validated):
        assert validated is model
        seen.append(True)
        return {"f1": next(scores)}

    tracker = resumable_fit(model, batches, batches, epochs=4, folder=tmp_path, verbose=0,
                            monitor="val_f1", mode="max", validate=validate)
    assert len(seen) == 4
    assert tracker.state["history"]["val_f1"] == [0.5, 0.9, 0.7, 0.6]
    assert tracker.state["best_epoch"] == 2 and tracker.state["best"] == 0.9


def test_a_tied_monitor_is_broken_by_the_validation_loss(tmp_path, rng):
    x, y = _data(rng)
    model = _model()  # learns: val_loss falls every epoch while the score stays 0
    batches = _batches(x, y)
    tracker = resumable_fit(model, batches, batches, epochs=4, folder=tmp_path, verbose=0,
                            monitor="val_f1", mode="max", patience=2,
                            validate=lambda _: {"f1": 0.0})
    assert not tracker.state["stopped_early"] and tracker.state["best_epoch"] == 4
