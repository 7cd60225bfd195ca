"""The training loss of a `CRF` layer (`CRFLoss`): its negative log-likelihood."""

import keras

from kerasrnn.layers.crf import CRF


@keras.saving.register_keras_serializable(package="kerasrnn")
class CRFLoss(keras.losses.Loss):
    """Negative log-likelihood of the gold tags under a `CRF` layer.

    `y_pred` is the CRF layer's output in training mode (the emissions, with the
    Keras mask of the padded steps); `y_true` holds the gold tag ids `(batch,
    timesteps)` (or `(batch, timesteps, 1)`). The loss reads the layer's
    transitions, which therefore train with the rest of the model under plain
    `model.fit` on every backend: Keras computes the loss inside the same traced
    (TensorFlow), stateless (JAX) or autograd (PyTorch) step as the forward pass.

    Per step it returns `CRF.step_losses`, whose sum over a sequence's real steps
    is the sequence's NLL −log p(y | e), and Keras' masked reduction does the rest:

        loss = Σ_sequences NLL / number of real steps       ("sum_over_batch_size")
        loss = Σ_sequences NLL                              (reduction="sum")

    Padding must be at the right end of each sequence and marked by the Keras
    mask (e.g. `Embedding(mask_zero=True)` or `Masking`); label values at padded
    steps are ignored (0 or -1 both work). A `sample_weight` of shape
    `(batch, timesteps)` weighs steps, `(batch,)` whole sequences.

    Saving: the loss refers to its layer, which a config cannot hold. A model
    compiled with it saves and loads normally; the loaded loss remembers the
    layer's name but is unbound, and raises if used: compile the loaded model
    again with `CRFLoss(model.get_layer(name))` to go on training.

    Args:
        crf: The `CRF` layer whose output is `y_pred`.
        reduction: As for any Keras loss. Default `"sum_over_batch_size"`.
        name: Default `"crf_loss"`.
        crf_name: Name of the layer when `crf` is None (set when loading).
        dtype: dtype of the loss computation (default: `keras.config.floatx()`).

    Example:
        >>> crf = CRF(5, name="crf")
        >>> model.compile("adam", loss=CRFLoss(crf))
        >>> loaded = keras.saving.load_model("tagger.keras")
        >>> loaded.compile("adam", loss=CRFLoss(loaded.get_layer("crf")))

    Reference:
        Lafferty, McCallum & Pereira, ICML 2001 (see `CRF`).
    """

    def __init__(self, crf=None, reduction="sum_over_batch_size", name="crf_loss",
                 crf_name=None, dtype=None):
        if crf is not None and not isinstance(crf, CRF):
            raise TypeError(f"CRFLoss needs a kerasrnn CRF layer, got {type(crf).__name__}.")
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.crf = crf
        self.crf_name = crf.name if crf is not None else crf_name

    def call(self, y_true, y_pred):
        if self.crf is None:
            raise RuntimeError(
                f"This CRFLoss was loaded from a file without its CRF layer "
                f"({self.crf_name!r}); compile the model again with "
                f"loss=CRFLoss(model.get_layer({self.crf_name!r}))."
            )
        if len(y_true.shape) == 3:  # sparse labels as (batch, timesteps, 1)
            y_true = keras.ops.squeeze(y_true, axis=-1)
        return self.crf.step_losses(y_pred, y_true)

    def get_config(self):
        return {**super().get_config(), "crf_name": self.crf_name}
