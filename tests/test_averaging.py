"""The harness shortens a weight average that would span more of the run than it has."""

import types

from apps.harness.training import _note_short_averaging, averaging_momentum


def test_a_long_run_keeps_the_asked_momentum():
    assert averaging_momentum(0.999, 50 * 444) == 0.999
    assert averaging_momentum(0.0, 10) == 0.0


def test_a_short_run_averages_over_a_quarter_of_its_steps():
    assert abs(averaging_momentum(0.999, 40) - 0.9) < 1e-12  # 10 steps
    assert averaging_momentum(0.999, 3) == 0.0  # under one step: no average


def test_the_note_says_what_the_run_averages_instead():
    said = []
    _note_short_averaging(types.SimpleNamespace(epochs=4, ema=0.999), 10, said.append)
    _note_short_averaging(types.SimpleNamespace(epochs=1, ema=0.999), 3, said.append)
    _note_short_averaging(types.SimpleNamespace(epochs=50, ema=0.999), 444, said.append)
    assert said == [
        "note: --ema 0.999 averages over about 1000 steps, more than a quarter of this run's "
        "40; averaging with momentum 0.9 instead",
        "note: --ema 0.999 averages over about 1000 steps, more than a quarter of this run's "
        "3; keeping the weights unaveraged"]
