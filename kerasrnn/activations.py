"""Activations that saved models refer to by name (registered as `kerasrnn>NAME`)."""

import keras


@keras.saving.register_keras_serializable(package="kerasrnn")
def clipped_log(probabilities):
    """log p, with p clipped to 1e-7 so that a zero probability stays finite.

    Shape: any; float32 out (also under mixed precision: log of float16 values
    near 1e-7 loses most digits).
    """
    return keras.ops.log(keras.ops.maximum(keras.ops.cast(probabilities, "float32"), 1e-7))
