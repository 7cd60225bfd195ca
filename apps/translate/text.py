"""Sentences → word tokens and back, in `tf.strings` ops: the same in training and serving.

Both sides are split by the package's word tokenizer
(`kerasrnn.data.word_tokenizer.tokenize_with_offsets`: every Unicode white space
separates tokens; punctuation and clitics such as "n't" are tokens of their own),
after the Spanish opening marks "¿" and "¡", which it keeps on their word, are set
apart. The source side is lower-cased; the target side keeps its case, so the
model writes "Where is the library?".

With `--subwords wordpiece` each token is then split into WordPiece pieces
(kerasrnn.data.wordpiece: "desafortunadas" -> "desafortun" "##adas"), the same
way in training, `predict` and the SavedModel; `units` gives the model's units
either way.

`detokenize` undoes the split on output: pieces are joined into their words
("##" pieces onto the one before), tokens by spaces, then the space before
closing punctuation and clitics ("library ?" → "library?", "do n't" → "don't")
and after opening marks ("¿ dónde" → "¿dónde") is removed.
Invalid UTF-8 in a served string is replaced (U+FFFD) first, so no input fails.
"""

import tensorflow as tf

from kerasrnn.data import wordpiece
from kerasrnn.data.word_tokenizer import tokenize_with_offsets

_OPENING_MARKS = "[¿¡]"
_CLOSING = r"[.,!?;:%)\]}»…]|\.\.+"
_OPENING = r"[¿¡(\[{«$]"
_CLITICS = "(?i:n't|n’t|'s|’s|'re|’re|'ve|’ve|'ll|’ll|'d|’d|'m|’m)"


def tokens(texts, lowercase):
    """Raw strings `[batch]` → tokens `[batch, n]` right-padded with "" (n ≥ 1)."""
    texts = tf.strings.unicode_transcode(tf.convert_to_tensor(texts, tf.string), "UTF-8",
                                         "UTF-8", errors="replace")
    if lowercase:
        texts = tf.strings.lower(texts, encoding="utf-8")
    texts = tf.strings.regex_replace(texts, _OPENING_MARKS, r" \0 ")
    return tokenize_with_offsets(texts)[0]


def units(texts, lowercase, lookup=None, max_piece_chars=None):
    """Raw strings `[batch]` → the model's units `[batch, n]`, right-padded with "".

    Word tokens; or, given `max_piece_chars` (`wordpiece.max_piece_chars` of the
    vocabulary) and `lookup` (the vocabulary's StringLookup, id 1 = [UNK]), their
    WordPiece pieces.
    """
    words = tokens(texts, lowercase)
    if not max_piece_chars:
        return words
    return wordpiece.split_words(words, lambda s: lookup(s) != 1, max_piece_chars)


def detokenize(words, pieces=False):
    """Units `[batch, None]` (ragged) → sentences `[batch]`; see the module docstring.

    `pieces`: the units are WordPiece pieces, joined into words first.
    """
    text = tf.strings.reduce_join(words, axis=-1, separator=" ")
    if pieces:
        text = wordpiece.join_pieces(text)
    # Clitics first: in "you 're ." the clitic is still followed by a space.
    text = tf.strings.regex_replace(text, f" ({_CLITICS})( |$)", r"\1\2")
    text = tf.strings.regex_replace(text, f" ({_CLOSING})", r"\1")
    return tf.strings.regex_replace(text, f"({_OPENING}) ", r"\1")


def token_lists(texts, lowercase, batch_size=4096):
    """Python lists of tokens of `texts` (for vocabularies and counts)."""
    out = []
    for start in range(0, len(texts), batch_size):
        batch = tokens(tf.constant(texts[start:start + batch_size]), lowercase).numpy()
        out += [[t.decode("utf-8") for t in row if t] for row in batch]
    return out
