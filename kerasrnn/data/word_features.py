"""A tagger's per-word inputs from word strings: word ids, casing classes, character ids.

One implementation in ``tf.strings`` ops, used by ``tf.data`` while training and
inside the exported SavedModel while serving, so both see the same ids:

* ``words``: the word looked up after `word_key` (lower-cased when asked, every
  digit made "0": "1996" and "2001" share a vector, as in Lample et al. 2016);
  id 0 is padding, id 1 the out-of-vocabulary bucket;
* ``casing``: one of `CASING_CLASSES` — the case a lower-cased lookup forgets
  ("Apple" the company vs "apple" the fruit), after Reimers & Gurevych 2017;
* ``chars``: the word's first `MAX_CHARS` characters (case kept), id 0 padding,
  id 1 a character training never saw;
* ``trigrams``: hashed letter trigrams (`LetterTrigramHashing`), when asked.
"""

from __future__ import annotations

import tensorflow as tf

from kerasrnn.data.trigrams import LetterTrigramHashing
from kerasrnn.data.vocabulary import PAD, build_vocabulary, make_lookup

MAX_CHARS = 24
MAX_TRIGRAMS = 16
#: Casing classes by id; id 0 is padding.
CASING_CLASSES = ("[PAD]", "other", "numeric", "mainly_numeric", "lower", "upper",
                  "initial_upper", "mixed", "contains_digit", "punctuation")
# (class, RE2 pattern of the whole word), tested in order; no match: "other".
_CASING_RULES = (
    ("numeric", r"[0-9]+"),
    ("lower", r"\p{Ll}+"),
    ("upper", r"\p{Lu}+"),
    ("initial_upper", r"\p{Lu}\p{Ll}+"),
    ("punctuation", r"[\p{P}\p{S}]+"),
    ("mixed", r"\p{L}+"),
)


def word_key(tokens, lowercase=True):
    """The string a word's embedding is looked up by: lower-cased, each digit "0"."""
    tokens = tf.convert_to_tensor(tokens, tf.string)
    if lowercase:
        tokens = tf.strings.lower(tokens, encoding="utf-8")
    return tf.strings.regex_replace(tokens, "[0-9]", "0")


def casing_ids(tokens):
    """Words (any shape) -> int32 ids of `CASING_CLASSES` (0 for the padding word "")."""
    tokens = tf.convert_to_tensor(tokens, tf.string)
    ids = tf.fill(tf.shape(tokens), CASING_CLASSES.index("other"))
    digits = tf.strings.length(tf.strings.regex_replace(tokens, "[^0-9]", ""))
    length = tf.strings.length(tokens, unit="UTF8_CHAR")
    ids = tf.where(digits > 0, CASING_CLASSES.index("contains_digit"), ids)
    ids = tf.where(2 * digits > length, CASING_CLASSES.index("mainly_numeric"), ids)
    for name, pattern in reversed(_CASING_RULES):  # earlier rules win
        ids = tf.where(tf.strings.regex_full_match(tokens, pattern), CASING_CLASSES.index(name),
                       ids)
    return tf.where(tf.equal(tokens, PAD), 0, ids)


def build_word_vocabularies(token_lists, lowercase=True, min_count=1):
    """Training sentences (lists of words) -> {"words": [...], "chars": [...]} (plain JSON).

    Words are counted by `word_key`; characters as written. Ids are those of
    `kerasrnn.data.vocabulary.make_lookup`: 0 padding, 1 unknown, then most frequent first.
    """
    flat = [word for tokens in token_lists for word in tokens]
    keys = word_key(tf.constant(flat or [""], tf.string), lowercase).numpy() if flat else []
    words = build_vocabulary([[k.decode("utf-8") for k in keys]], min_count=min_count)
    return {"words": words, "chars": build_vocabulary(flat)}


class WordFeatures:
    """Word strings `(batch, time)` (right-padded with "") -> the tagger's input ids.

    Args:
        vocabulary: {"words": [...], "chars": [...]} from `build_word_vocabularies`.
        lowercase: whether word ids are looked up lower-cased (casing then comes
            from the `casing` input).
        casing, chars: whether to compute those inputs.
        trigram_bins: hash buckets of letter-trigram ids (0: none).

    Call: returns {"words": int32 (batch, time), "casing": int32 (batch, time),
    "chars": int32 (batch, time, MAX_CHARS), "trigrams": int32 (batch, time,
    MAX_TRIGRAMS)}, the last three only when enabled.
    """

    def __init__(self, vocabulary, lowercase=True, casing=True, chars=True, trigram_bins=0):
        self.lowercase, self.casing, self.chars = lowercase, casing, chars
        self.words = make_lookup(vocabulary["words"])
        self.char_lookup = make_lookup(vocabulary["chars"]) if chars else None
        self.trigrams = LetterTrigramHashing(trigram_bins, MAX_TRIGRAMS) if trigram_bins else None

    @property
    def tables(self):
        """The lookup layers a SavedModel must track."""
        return [t for t in (self.words, self.char_lookup, self.trigrams) if t is not None]

    def __call__(self, tokens):
        tokens = tf.convert_to_tensor(tokens, tf.string)
        features = {"words": tf.cast(self.words(word_key(tokens, self.lowercase)), tf.int32)}
        if self.casing:
            features["casing"] = casing_ids(tokens)
        if self.chars:
            chars = tf.strings.unicode_split(tokens, "UTF-8")  # (batch, time, None)
            # Exactly MAX_CHARS columns: longer words cut, shorter ones padded.
            shape = tf.concat([tf.shape(tokens, out_type=tf.int64), [MAX_CHARS]], 0)
            chars = chars.to_tensor(default_value=PAD, shape=shape)
            features["chars"] = tf.cast(self.char_lookup(chars), tf.int32)
        if self.trigrams is not None:
            features["trigrams"] = tf.cast(self.trigrams(tokens), tf.int32)
        return features
