"""Learning-rate schedules: the cosine curve's values, and the constant one."""

import math

import keras
import pytest

from kerasrnn.training.schedules import learning_rate


def test_cosine_decays_from_the_initial_rate_to_zero_over_the_run():
    schedule = learning_rate(0.01, "cosine", total_steps=100)
    for step, expected in [(0, 0.01), (25, 0.01 * (1 + math.cos(math.pi / 4)) / 2),
                           (50, 0.005), (100, 0.0), (130, 0.0)]:
        value = float(keras.ops.convert_to_numpy(schedule(step)))
        assert value == pytest.approx(expected, abs=1e-7), step


def test_constant_is_the_number_itself_and_unknown_names_fail():
    assert learning_rate(0.01, "constant", 100) == 0.01
    with pytest.raises(ValueError, match="cosine"):
        learning_rate(0.01, "linear", 100)
