"""The learning rate a run's optimizer gets: constant, or cosine decay over the run.

Cosine decay (Loshchilov & Hutter's SGDR without restarts) lowers the rate from
η₀ to 0 over the run's T optimizer steps:

    η(t) = η₀ · ½ (1 + cos(π · min(t, T) / T))

It is a function of the optimizer's step counter, which the resume state saves,
so a resumed run continues on the same curve.
"""

SCHEDULES = ("constant", "cosine")


def learning_rate(initial, schedule, total_steps):
    """`initial` as a float (constant) or a Keras schedule over `total_steps` steps."""
    import keras

    if schedule == "constant":
        return initial
    if schedule == "cosine":
        return keras.optimizers.schedules.CosineDecay(initial, decay_steps=max(total_steps, 1))
    raise ValueError(f"learning-rate schedule must be one of {SCHEDULES}, got {schedule!r}")
