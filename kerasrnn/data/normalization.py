"""Text normalisation shared by training pipelines and exported models.

One implementation, in ``tf.strings`` ops, so the same code runs inside
``tf.data`` during training and inside a SavedModel at export: an exported
model given "I want to fly from Boston, tomorrow?" sees the tokens the
training data had. (String ops cannot be XLA-compiled, which is why this runs
in ``tf.data`` and not in the compiled training step.)

Steps, in order: lower-case (Unicode-aware); punctuation handling; each digit
replaced by ``digit_token`` (ATIS-style ``DIGIT``); whitespace collapsed.

Punctuation (``,;:!?"()[]{}``, and a sentence-final ``.``) is

* ``"split"``: set apart as tokens of its own ("boston ," "tomorrow ?");
* ``"drop"``: removed; use it for data without punctuation such as ATIS;
* ``"keep"``: left untouched.

Apostrophes inside words (``i'd``, ``o'clock``) and a ``.`` inside the text
(``st. louis``) are kept, as ATIS writes them.
"""

from __future__ import annotations

import keras
import tensorflow as tf

PUNCTUATION_MODES = ("split", "drop", "keep")
_PUNCTUATION = r'[,;:!?"()\[\]{}]'


def normalize_text(text, lowercase: bool = True, punctuation: str = "split",
                   digit_token: str | None = None) -> tf.Tensor:
    """Normalises a string tensor (any shape) element-wise; see the module docstring.

    Example:
        >>> normalize_text("I want to fly from Boston, tomorrow?").numpy()
        b'i want to fly from boston , tomorrow ?'
    """
    if punctuation not in PUNCTUATION_MODES:
        raise ValueError(
            f"punctuation must be one of {PUNCTUATION_MODES}, received {punctuation!r}")
    text = tf.convert_to_tensor(text, dtype=tf.string)
    if lowercase:
        text = tf.strings.lower(text, encoding="utf-8")
    if punctuation != "keep":
        replacement = r" \0 " if punctuation == "split" else " "
        text = tf.strings.regex_replace(text, _PUNCTUATION, replacement)
        text = tf.strings.regex_replace(text, r"\.\s*$", replacement.replace(r"\0", "."))
    if digit_token:
        # One token per digit, in place: "1230" -> "DIGITDIGITDIGITDIGIT", as in ATIS.
        text = tf.strings.regex_replace(text, "[0-9]", digit_token)
    text = tf.strings.regex_replace(text, r"\s+", " ")
    return tf.strings.strip(text)


def tokenize(text, max_length: int | None = None, **normalize_options) -> tf.Tensor:
    """Normalises and splits strings of shape ``(batch,)`` into right-padded tokens.

    Returns:
        A dense string tensor ``(batch, length)`` padded with ``""`` on the
        right (``""`` is the mask token of our lookups, so it maps to id 0).
    """
    words = tf.strings.split(normalize_text(text, **normalize_options))
    shape = None if max_length is None else [None, max_length]
    return words.to_tensor(default_value="", shape=shape)


@keras.saving.register_keras_serializable(package="kerasrnn")
class TextNormalization(keras.layers.Layer):
    """Normalises raw strings inside a model, exactly as the training pipeline did.

    Args:
        lowercase, punctuation, digit_token: see `normalize_text`.
        output_mode: ``"tokens"`` returns right-padded tokens ``(batch, length)``
            for a ``StringLookup``; ``"text"`` returns normalised strings.
        max_length: fixed token length for ``output_mode="tokens"`` (``None``: the
            longest in the batch).

    Call arguments:
        inputs: string tensor ``(batch,)`` of raw sentences.

    Example:
        >>> TextNormalization()(tf.constant(["Fly to Boston, please."])).numpy()
        array([[b'fly', b'to', b'boston', b',', b'please', b'.']], dtype=object)
    """

    def __init__(self, lowercase=True, punctuation="split", digit_token=None,
                 output_mode="tokens", max_length=None, **kwargs):
        super().__init__(**kwargs)
        if output_mode not in ("tokens", "text"):
            raise ValueError(f"output_mode must be 'tokens' or 'text', received {output_mode!r}")
        if punctuation not in PUNCTUATION_MODES:
            raise ValueError(
                f"punctuation must be one of {PUNCTUATION_MODES}, received {punctuation!r}")
        self.lowercase = lowercase
        self.punctuation = punctuation
        self.digit_token = digit_token
        self.output_mode = output_mode
        self.max_length = max_length

    def normalize_options(self) -> dict:
        """The options as keyword arguments of `normalize_text` / `tokenize`."""
        return {"lowercase": self.lowercase, "punctuation": self.punctuation,
                "digit_token": self.digit_token}

    def call(self, inputs):
        # String processing has no keras.ops equivalent; tf.strings is what runs in a SavedModel.
        if self.output_mode == "text":
            return normalize_text(inputs, **self.normalize_options())
        return tokenize(inputs, max_length=self.max_length, **self.normalize_options())

    def compute_output_shape(self, input_shape):
        if self.output_mode == "text":
            return input_shape
        return (*input_shape, self.max_length)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor(self.compute_output_shape(inputs.shape), dtype="string")

    def get_config(self):
        return {**super().get_config(), **self.normalize_options(),
                "output_mode": self.output_mode, "max_length": self.max_length}
