"""`model.fit` under `tf.distribute`, correct and working with several workers.

Keras 3.15 (TensorFlow backend) with TensorFlow 2.21 has three problems here,
found in the installed sources (keras/src/...):

1. `backend/tensorflow/trainer.py`, `_maybe_symbolic_build`: to build the
   metrics, fit and evaluate hand the whole first batch (a nest of `PerReplica`
   values) to `strategy.reduce`, which takes no nests. Under
   `MultiWorkerMirroredStrategy` that fails with "Attempt to convert a value
   (PerReplica ...)" (keras-team/keras#20585). Reading that batch also opens an
   extra iterator, which spends one reshuffle of a seeded dataset, so a
   distributed run would see other batch orders than a single-process one.
2. `reduce_per_replica` in the same file reduces the step's scalar metrics
   along axis 0 in multi-worker mode ("Invalid reduction dimension 0").
3. `optimizers/base_optimizer.py` clips gradients (`clipnorm`, `clipvalue`,
   `global_clipnorm`) *before* `backend/tensorflow/optimizer.py` sums them over
   the replicas, so each replica clips its partial gradient: with clipping
   active, N replicas do not train like one device on the same global batch.

`distributed_training(model, strategy)` fixes all three for the duration of a
fit, without changing how the model or its optimizer are saved: it gives both
objects a subclass with the fixes (the classes are swapped back afterwards):

- the model builds its metrics from the dataset's `element_spec` (no batch is
  read) and returns step metrics as shape `[1]`, which the multi-worker
  reduction averages over the replicas;
- the optimizer sums the gradients over the replicas first, then clips, then
  updates: `g = clip(Σ_r g_r)` instead of `Σ_r clip(g_r)`.

These overrides use private Keras methods. `tests/test_distributed_fit.py` checks
the clipping against one device, `tests/test_distributed.py` two worker processes
against one process with two replicas, so a Keras upgrade that changes them fails
there. For users, `check_keras_version` (called by `runtime.make_strategy` for
`mirrored` and `multi_worker`) refuses a Keras minor version not in `TESTED_KERAS`
with one clear line instead of a wrong or crashing run. Importing this module uses
public Keras only, and on one device (the default strategy) `distributed_training`
changes nothing and calls no private method.
"""

import contextlib
import re

import keras
import tensorflow as tf
from keras import tree

from kerasrnn.training.errors import UserInputError

# Keras minor versions whose private methods the overrides below were checked against.
TESTED_KERAS = ("3.15",)


def check_keras_version(version=keras.__version__):
    """Raises `UserInputError` unless `version`'s major.minor is in `TESTED_KERAS`."""
    match = re.match(r"(\d+)\.(\d+)", version)
    if match is None or f"{match[1]}.{match[2]}" not in TESTED_KERAS:
        raise UserInputError(
            f"--strategy mirrored/multi_worker is tested with Keras {', '.join(TESTED_KERAS)} "
            f"only; this is Keras {version} (single-device training works with any Keras 3)"
        )


def _first_local(strategy, value):
    if isinstance(value, tf.distribute.DistributedValues):
        return strategy.experimental_local_results(value)[0]
    return value


def _symbolic_batch(epoch_iterator):
    """KerasTensors shaped like a batch, from the dataset's element_spec (None if ragged)."""
    try:
        spec = epoch_iterator.data_adapter.get_tf_dataset().element_spec
    except (AttributeError, TypeError, ValueError):
        return None
    specs = tree.flatten(spec)
    if not all(isinstance(s, tf.TensorSpec) and s.shape.rank for s in specs):
        return None
    return tree.map_structure(
        lambda s: keras.KerasTensor((None, *s.shape[1:]), dtype=s.dtype.name), spec)


def _as_vector(value):
    return tf.reshape(value, [1]) if tf.is_tensor(value) and value.shape.rank == 0 else value


class MultiWorkerModelFixes:
    """Model mixin: problems 1 and 2 of the module docstring."""

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        if self._distribute_strategy is None:
            return
        strategy = self.distribute_strategy
        if iterator is not None and data_batch is None:
            data_batch = _symbolic_batch(iterator)
        if iterator is not None and data_batch is None:  # ragged or sparse: read a batch
            for _, _, batches in iterator:
                data_batch = next(batches)
                break
        if data_batch is not None:
            data_batch = tree.map_structure(lambda v: _first_local(strategy, v), data_batch)
        with strategy.scope():
            self._symbolic_build(data_batch=data_batch)

    def train_step(self, data):
        return tree.map_structure(_as_vector, super().train_step(data))

    def test_step(self, data):
        return tree.map_structure(_as_vector, super().test_step(data))


class ClipAfterSumming:
    """Optimizer mixin: problem 3; sums gradients over replicas, then clips and updates."""

    _summed = False

    def _backend_apply_gradients(self, grads, trainable_variables):
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return super()._backend_apply_gradients(grads, trainable_variables)
        pairs = super()._all_reduce_sum_gradients(list(zip(grads, trainable_variables)))
        self._summed = True
        try:
            return super()._backend_apply_gradients([g for g, _ in pairs], trainable_variables)
        finally:
            self._summed = False

    def _all_reduce_sum_gradients(self, grads_and_vars):
        if self._summed:  # already summed above: summing again would scale by N
            return list(grads_and_vars)
        return super()._all_reduce_sum_gradients(grads_and_vars)


def _with_mixin(mixin, cls):
    return type(f"{mixin.__name__}{cls.__name__}", (mixin, cls), {})


def _multi_worker(strategy):
    return (isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
            and strategy.extended._in_multi_worker_mode())


@contextlib.contextmanager
def distributed_training(model, strategy):
    """Within the block, `model.fit`/`evaluate` (compiled) are correct under `strategy`."""
    multi_worker = _multi_worker(strategy)
    if strategy.num_replicas_in_sync == 1 and not multi_worker:
        yield model
        return
    # object.__setattr__: Keras' own __setattr__ would try to track a class.
    model_class, optimizer_class = type(model), type(model.optimizer)
    if multi_worker:
        object.__setattr__(model, "__class__", _with_mixin(MultiWorkerModelFixes, model_class))
    object.__setattr__(model.optimizer, "__class__",
                       _with_mixin(ClipAfterSumming, optimizer_class))
    try:
        yield model
    finally:
        object.__setattr__(model, "__class__", model_class)
        object.__setattr__(model.optimizer, "__class__", optimizer_class)
