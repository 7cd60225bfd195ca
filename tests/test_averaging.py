"""The harness shortens a weight average that would span more of the run than it has."""

from apps.harness.training import averaging_momentum


def test_a_long_run_keeps_the_asked_momentum():
    assert averaging_momentum(0.999, 50 * 444) == 0.999
    assert averaging_momentum(0.0, 10) == 0.0


def test_a_short_run_averages_over_a_quarter_of_its_steps():
    assert abs(averaging_momentum(0.999, 40) - 0.9) < 1e-12  # 10 steps
    assert averaging_momentum(0.999, 3) == 0.0  # under one step: no average
