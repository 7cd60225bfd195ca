"""The harness's optimizer: Adam with clipping, decoupled weight decay and averaging."""

import numpy as np
import pytest

from apps.harness import TrainConfig
from apps.harness.config import check_training
from apps.harness.training import make_optimizer


def config(**settings):
    return TrainConfig(data="x", learning_rate=0.1, epochs=1, **settings)


@pytest.mark.parametrize("weight_decay,expected", [(0.0, 1.0), (0.5, 0.95)])
def test_weight_decay_shrinks_each_weight_by_rate_times_decay_apart_from_the_gradient(
        weight_decay, expected):
    import keras

    variable = keras.Variable(np.ones(3, "float32"))
    optimizer = make_optimizer(config(weight_decay=weight_decay), steps_per_epoch=10)
    optimizer.apply_gradients([(keras.ops.zeros(3), variable)])  # Adam's step is 0 here
    np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-6)


def test_a_negative_weight_decay_is_refused():
    assert check_training(config(weight_decay=-0.1)) == [
        "--weight-decay can't be negative, got -0.1"]


def test_a_decay_that_would_zero_the_weights_in_one_step_is_refused():
    assert check_training(config(weight_decay=10.0)) == [
        "--weight-decay 10 × learning rate 0.1 is at least 1: each step would shrink every "
        "weight to 0 or past it"]
    assert check_training(config(weight_decay=9.0)) == []
