"""distributed_training: gradients are clipped after the replicas' sum, as on one device."""

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).parent.parent

SCRIPT = textwrap.dedent("""
    import json
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import numpy as np
    from kerasrnn.training.distributed_fit import distributed_training

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 1)) * 10).astype("float32")  # large gradients

    def train(strategy, fixed):
        keras.utils.set_random_seed(1)
        with strategy.scope():
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
            model.compile(keras.optimizers.Adam(0.1, clipnorm=0.05), "mse")
            data = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
            if fixed:
                with distributed_training(model, strategy):
                    model.fit(data, epochs=3, verbose=0)
            else:
                model.fit(data, epochs=3, verbose=0)
        classes = [type(model).__name__, type(model.optimizer).__name__]
        return np.concatenate([w.ravel() for w in model.get_weights()]), classes

    one, _ = train(tf.distribute.get_strategy(), False)
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    fixed, classes = train(mirrored, True)
    stock, _ = train(mirrored, False)
    print(json.dumps({"fixed": float(abs(fixed - one).max()),
                      "stock": float(abs(stock - one).max()), "classes": classes}))
""")


def test_two_replicas_with_clipping_train_like_one_device():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["fixed"] < 1e-5, result
    assert result["stock"] > 1e-3, result  # Keras alone clips each replica's half
    assert result["classes"] == ["Sequential", "Adam"]  # classes restored after the fit


def test_an_untested_keras_is_refused_in_one_line():
    from kerasrnn.training import UserInputError
    from kerasrnn.training.distributed_fit import TESTED_KERAS, check_keras_version

    for tested in TESTED_KERAS:
        check_keras_version(f"{tested}.0")
        check_keras_version(f"{tested}.7rc1")
    for untested in ("3.16.0", "3.1.0", "4.15.0", "13.15.0", "nightly"):
        with pytest.raises(UserInputError) as raised:
            check_keras_version(untested)
        message = str(raised.value)
        assert "\n" not in message and f"this is Keras {untested}" in message
        assert "--strategy mirrored/multi_worker is tested with Keras 3.15 only" in message


def test_make_strategy_checks_the_keras_version_only_for_several_replicas(monkeypatch):
    from kerasrnn.training import UserInputError, distributed_fit, runtime

    monkeypatch.setattr(distributed_fit, "TESTED_KERAS", ("0.1",))
    assert runtime.make_strategy("default") is not None  # single-device: any Keras
    for name in ("mirrored", "multi_worker"):
        with pytest.raises(UserInputError, match="tested with Keras 0.1 only"):
            runtime.make_strategy(name)


def test_runtime_does_not_import_distributed_fit():
    code = ("import sys, kerasrnn.training, kerasrnn.training.runtime as r; "
            "r.make_strategy('default'); "
            "print('kerasrnn.training.distributed_fit' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "False"
