"""Text normalisation shared by training pipelines and exported models.

One implementation, in ``tf.strings`` ops, so the same code runs inside
``tf.data`` during training and inside a SavedModel at export: an exported
model given "I want to fly from Boston, tomorrow?" sees the tokens the
training data had. (String ops cannot be XLA-compiled, which is why this runs
in ``tf.data`` and not in the compiled training step.)

White space is Python's: `WHITESPACE` holds every character ``c`` with
``c.isspace()`` (computed from Python at import, so it cannot drift), which is
what ``str.split()`` splits on when the readers load a training file: ASCII
white space, the separators U+001C-001F and U+0085, no-break and other
Unicode spaces (U+00A0, U+2009, U+202F, U+3000, ...) and U+2028/U+2029.
TensorFlow's own string ops (``tf.strings.split()`` without ``sep``,
``tf.strings.strip``, RE2's ``\\s``) know only ASCII white space, so they are
never applied to raw text here: every white-space test goes through
`WHITESPACE_CLASS`, an RE2 character class of the same characters. After
`normalize_text`, every white-space run is one ASCII space, so a plain
``tf.strings.split`` of its output is exact.

Steps, in order: lower-case (Unicode-aware); punctuation handling; each digit
replaced by ``digit_token`` (ATIS-style ``DIGIT``); white space collapsed to
single spaces and stripped.

Punctuation (``,;:!?"()[]{}``, and a sentence-final ``.``) is

* ``"split"``: set apart as tokens of its own ("boston ," "tomorrow ?");
* ``"drop"``: removed; use it for data without punctuation such as ATIS;
* ``"keep"``: left untouched;
* ``"strip"``: removed word by word (`normalize_words`): from both ends of
  every white-space separated word, plus a final ``.`` of the last word of
  the text; a word made only of punctuation (",", "?", "...") is kept as it
  is, and punctuation inside a word ("o'clock", "a.m.", "boston,denver")
  stays. No word is ever removed, added or split.

Why ``"strip"``: tagged training data (``seq.in``/``seq.out``, CoNLL) fix
their tokens in the file and align one tag to each, so a model can only be
served consistently if raw text is split exactly where ``str.split()`` split
the training line (on white space and nowhere else) and each word is then
normalised exactly as the training words were. `normalize_words` is that one
definition: build the vocabulary with it on the file's tokens
(``normalize_token_lists(..., punctuation="strip")``) and serve with
`tokenize_words` / ``tokenize(text, punctuation="strip")``, which apply it to
`split_words` of the raw text.

Apostrophes inside words (``i'd``, ``o'clock``) and a ``.`` inside the text
(``st. louis``) are kept, as ATIS writes them.
"""

from __future__ import annotations

import sys

import keras
import tensorflow as tf

PUNCTUATION_MODES = ("split", "drop", "keep", "strip")
WORD_PUNCTUATION_MODES = ("keep", "strip")
_PUNCTUATION = r'[,;:!?"()\[\]{}]'

#: Every character Python's ``str.split()`` / ``str.strip()`` treat as white space.
WHITESPACE = "".join(filter(str.isspace, map(chr, range(sys.maxunicode + 1))))
#: An RE2 character class matching exactly one `WHITESPACE` character.
WHITESPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"

_WHITESPACE_RUN = WHITESPACE_CLASS + "+"
_ONLY_PUNCTUATION = r'[,;:!?"()\[\]{}.]+'
_LEADING_PUNCTUATION = "^" + _PUNCTUATION + "+"
_TRAILING_PUNCTUATION = _PUNCTUATION + "+$"
# On the last word: trailing punctuation with at most one "." among it ("boston.)", "boston?").
_FINAL_PUNCTUATION = f"(?:{_PUNCTUATION}*\\.)?{_PUNCTUATION}*$"


def _squeeze_whitespace(text: tf.Tensor) -> tf.Tensor:
    """Every white-space run -> one ASCII space; leading and trailing white space removed."""
    text = tf.strings.regex_replace(text, _WHITESPACE_RUN, " ")
    return tf.strings.regex_replace(text, "^ | $", "")


def normalize_text(text, lowercase: bool = True, punctuation: str = "split",
                   digit_token: str | None = None) -> tf.Tensor:
    """Normalises a string tensor (any shape) element-wise; see the module docstring.

    With ``punctuation="strip"`` each element is split into words
    (`split_words`), normalised by `normalize_words` and joined with single
    spaces.

    Example:
        >>> normalize_text("I want to fly from Boston, tomorrow?").numpy()
        b'i want to fly from boston , tomorrow ?'
    """
    if punctuation not in PUNCTUATION_MODES:
        raise ValueError(
            f"punctuation must be one of {PUNCTUATION_MODES}, received {punctuation!r}")
    text = tf.convert_to_tensor(text, dtype=tf.string)
    if punctuation == "strip":
        words = tokenize_words(tf.reshape(text, [-1]), lowercase=lowercase,
                               punctuation="strip", digit_token=digit_token)
        joined = tf.strings.reduce_join(words, axis=-1, separator=" ")
        return tf.reshape(joined, tf.shape(text))
    if lowercase:
        text = tf.strings.lower(text, encoding="utf-8")
    if punctuation != "keep":
        replacement = r" \0 " if punctuation == "split" else " "
        text = tf.strings.regex_replace(text, _PUNCTUATION, replacement)
        text = tf.strings.regex_replace(text, r"\." + WHITESPACE_CLASS + "*$",
                                        replacement.replace(r"\0", "."))
    if digit_token:
        # One token per digit, in place: "1230" -> "DIGITDIGITDIGITDIGIT", as in ATIS.
        text = tf.strings.regex_replace(text, "[0-9]", digit_token)
    return _squeeze_whitespace(text)


def split_words(text) -> tf.RaggedTensor:
    """Splits raw strings ``(batch,)`` on white space into words ``(batch, None)``.

    Splits exactly where Python's ``str.split()`` does (on every `WHITESPACE`
    character, runs counting as one, no empty words), so
    ``split_words([line]).to_list()[0]`` is ``line.split()`` (as UTF-8 bytes).
    Nothing else is changed.
    """
    text = tf.convert_to_tensor(text, dtype=tf.string)
    # Once all white space is ASCII " ", TensorFlow's ASCII-only split is exact.
    return tf.strings.split(tf.strings.regex_replace(text, WHITESPACE_CLASS, " "))


def normalize_words(words, lowercase: bool = True, punctuation: str = "strip",
                    digit_token: str | None = None):
    """Normalises words already split, one row per text, keeping every word.

    The single definition of word normalisation: the training path applies it
    to the tokens of a tagged file (`normalize_token_lists`), the serving path
    to `split_words` of raw text (`tokenize_words`), so both give the same
    tokens for the same line.

    Per word, in order: lower-case (Unicode-aware); white space squeezed
    (a no-op for words from ``str.split()`` or `split_words`); punctuation
    (``"keep"``: untouched; ``"strip"``: ``,;:!?"()[]{}`` removed from both
    ends, and on the last word of each row also a final ``.``, so "st. louis"
    keeps "st." and "to boston." gives "boston"; a word made only of these
    characters and ``.`` is kept as it is); each digit replaced by
    ``digit_token``.

    Args:
        words: a ``tf.RaggedTensor`` of strings ``(batch, None)``, or a dense
            ``(batch, length)`` string tensor right-padded with ``""`` (as a
            padded ``tf.data`` batch is), which is returned dense, same shape.
        lowercase, digit_token: as in `normalize_text`.
        punctuation: ``"strip"`` or ``"keep"`` (the modes that keep the word
            count; ``"keep"`` equals `normalize_text` with ``"keep"`` applied
            to each word).

    Returns:
        The normalised words, same row lengths as ``words``.

    Example:
        >>> normalize_words(tf.ragged.constant([["St.", "Louis,", "?"]])).to_list()
        [[b'st.', b'louis', b'?']]
    """
    if punctuation not in WORD_PUNCTUATION_MODES:
        raise ValueError(f"punctuation must be one of {WORD_PUNCTUATION_MODES} for words, "
                         f"received {punctuation!r}")
    if not isinstance(words, tf.RaggedTensor):
        dense = tf.convert_to_tensor(words, dtype=tf.string)
        if dense.shape.rank != 2:
            raise ValueError(f"words must be (batch, length); received shape {dense.shape}")
        ragged = tf.RaggedTensor.from_tensor(dense, padding="")
        normalised = normalize_words(ragged, lowercase=lowercase, punctuation=punctuation,
                                     digit_token=digit_token)
        return normalised.to_tensor(default_value="", shape=tf.shape(dense))
    if words.ragged_rank != 1:
        raise ValueError(f"words must be (batch, None); received ragged rank {words.ragged_rank}")
    values = words.values
    if lowercase:
        values = tf.strings.lower(values, encoding="utf-8")
    values = _squeeze_whitespace(values)
    if punctuation == "strip":
        values = _strip_punctuation(values, words.row_limits(), words.value_rowids())
    if digit_token:
        values = tf.strings.regex_replace(values, "[0-9]", digit_token)
        if any(c.isspace() for c in digit_token):
            values = _squeeze_whitespace(values)  # as normalize_text would
    return words.with_values(values)


def _strip_punctuation(values, row_limits, value_rowids):
    """The ``"strip"`` rule on flat words; ``row_limits`` mark each row's last word."""
    position = tf.range(tf.size(values, out_type=row_limits.dtype), dtype=row_limits.dtype)
    is_last = tf.equal(position, tf.gather(row_limits, value_rowids) - 1)
    leading = tf.strings.regex_replace(values, _LEADING_PUNCTUATION, "")
    inner = tf.strings.regex_replace(leading, _TRAILING_PUNCTUATION, "")
    last = tf.strings.regex_replace(leading, _FINAL_PUNCTUATION, "")
    stripped = tf.where(is_last, last, inner)
    return tf.where(tf.strings.regex_full_match(values, _ONLY_PUNCTUATION), values, stripped)


def tokenize_words(text, lowercase: bool = True, punctuation: str = "strip",
                   digit_token: str | None = None) -> tf.RaggedTensor:
    """Raw strings ``(batch,)`` -> normalised words ``(batch, None)``.

    ``normalize_words(split_words(text), ...)``: the serving side of tagged
    data. Every text keeps exactly ``len(text.split())`` words.
    """
    return normalize_words(split_words(text), lowercase=lowercase, punctuation=punctuation,
                           digit_token=digit_token)


def tokenize(text, max_length: int | None = None, **normalize_options) -> tf.Tensor:
    """Normalises and splits strings of shape ``(batch,)`` into right-padded tokens.

    With ``punctuation="strip"`` the tokens are `tokenize_words`; otherwise
    the white-space split of `normalize_text`.

    Returns:
        A dense string tensor ``(batch, length)`` padded with ``""`` on the
        right (``""`` is the mask token of our lookups, so it maps to id 0).
    """
    if normalize_options.get("punctuation") == "strip":
        words = tokenize_words(text, **normalize_options)
    else:
        # normalize_text leaves single ASCII spaces only, so the ASCII split is exact.
        words = tf.strings.split(normalize_text(text, **normalize_options))
    shape = None if max_length is None else [None, max_length]
    return words.to_tensor(default_value="", shape=shape)


@keras.saving.register_keras_serializable(package="kerasrnn")
class TextNormalization(keras.layers.Layer):
    """Normalises raw strings inside a model, exactly as the training pipeline did.

    Args:
        lowercase, punctuation, digit_token: see `normalize_text`; for a model
            trained on tagged files use ``punctuation="strip"`` (tokens of
            `tokenize_words`, as ``normalize_token_lists(..., punctuation="strip")``
            built the vocabulary).
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
