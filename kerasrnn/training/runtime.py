"""Process-wide settings a run needs before any model exists: seeds, threads, precision, devices."""

import json
import os

from kerasrnn.training.errors import UserInputError

STRATEGIES = ("default", "mirrored", "multi_worker")


def configure_threads(inter_op, intra_op):
    """Sets TensorFlow's thread pools (0 keeps TensorFlow's default); call before any op.

    On the 2-core machines this project is measured on, 2 inter-op / 1 intra-op
    threads train recurrent models fastest and avoid TensorFlow's occasional 2×
    slow runs (see benchmarks/README.md); the apps default to that on CPU.
    """
    import tensorflow as tf

    try:
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
        tf.config.threading.set_intra_op_parallelism_threads(intra_op)
    except RuntimeError:  # TensorFlow already started: settings can no longer change
        pass


def make_reproducible(seed, deterministic_ops=True):
    """Seeds Python, NumPy, TensorFlow and Keras; makes TensorFlow ops deterministic.

    `deterministic_ops=False` turns TensorFlow's op determinism off instead (it is
    process-wide, so an earlier run's setting would otherwise stay). Training with
    `jit_compile=True` needs that: Keras compiles no XLA while op determinism is on
    (`keras.src.trainers.trainer.model_supports_jit`) and falls back to plain graphs
    with only a Python warning.
    """
    import keras
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config

    os.environ["PYTHONHASHSEED"] = str(seed)
    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        tf.config.experimental.enable_op_determinism()
    else:
        tf_config.disable_op_determinism()  # no public counterpart of enable_op_determinism


def set_precision(mixed):
    """`mixed_float16` (float16 compute, float32 weights) when `mixed`, else float32."""
    import keras

    keras.config.set_dtype_policy("mixed_float16" if mixed else "float32")


def make_strategy(name):
    """Returns the `tf.distribute` strategy named by `--strategy`.

    `mirrored` replicates the model on every local GPU (or the logical devices a
    test configures); `multi_worker` reads the cluster from `TF_CONFIG`. Both need
    the Keras version `distributed_fit`'s fixes were tested with (`UserInputError`
    otherwise).
    """
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name in ("mirrored", "multi_worker"):
        # Imported here rather than at the top on purpose: distributed_fit overrides
        # private Keras methods, so setting up single-device training must not depend
        # on it. (Not to dodge an import cycle: there is none.)
        from kerasrnn.training.distributed_fit import check_keras_version

        check_keras_version()
    if name == "mirrored":
        # Every local GPU; without GPUs, every logical CPU device (one, unless a
        # program split the CPU into several, as the tests do).
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices])
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise UserInputError("--strategy multi_worker needs the cluster in TF_CONFIG")
        try:
            cluster = json.loads(os.environ["TF_CONFIG"])
        except ValueError as error:
            raise UserInputError(f"TF_CONFIG is not valid JSON ({error})") from None
        if not isinstance(cluster, dict) or "cluster" not in cluster:
            raise UserInputError("TF_CONFIG must be a JSON object with a 'cluster' (and 'task')")
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise UserInputError(f"--strategy must be one of {', '.join(STRATEGIES)}, got {name!r}")
