"""Raw text -> CoNLL-2003 / Penn-Treebank-style word tokens, with character offsets.

A tagger trained on a CoNLL file saw the tokens of that file, and the file's
authors split raw text into those tokens by Penn-Treebank-like rules:
"Germany's" is "Germany" "'s", "Roosevelt." is "Roosevelt" "." but "U.S." is
one token, "1,000" is one token. Raw text given to the served model must be
split the same way or the model sees words it never saw. `tokenize_with_offsets`
is that split, written in ``tf.strings`` ops only (no ``tensorflow_text``, no
``tf.py_function``), so the same code runs inside ``tf.data`` and inside an
exported SavedModel that does not import kerasrnn. Tokens are never changed,
only delimited: every token is ``text[start:end]`` of its input, with offsets
in Unicode code points, so tags predicted per token can be mapped back onto the
user's string.

Rules:

* White space separates tokens: every character ``c`` with ``c.isspace()``
  (`~kerasrnn.data.normalization.WHITESPACE_CLASS`; TensorFlow's own split and
  RE2's ``\\s`` know only ASCII white space).
* ``; ! ? " ( ) [ ] { } “ ” ‘ « » …`` are always tokens of their own.
* ``,`` and ``:`` are tokens of their own, except between two digits
  ("1,000", "10:30", "2:29.34" stay whole).
* A run of two or more periods ("..", "...") is one token, split from words
  ("wait..." -> "wait" "...").
* ``$`` at the start of a word and ``%`` at its end are split off ("$5" ->
  "$" "5", "5%" -> "5" "%"; "US$" stays).
* Quotes: apostrophes (``'``, and the curly ``’`` too, since it is also
  written as the apostrophe of "don’t") at the start or end of a word are split
  off ("'hello'" -> "'" "hello" "'"; "players'" -> "players" "'"), except on a
  word that is itself a clitic ("'s", "'re") or a two-digit year ("'96",
  "'90s"). Apostrophes inside a word stay ("O'Neill", "rock'n'roll").
* A word-final period is split off ("Roosevelt." -> "Roosevelt" "."), except
  after an abbreviation: a word with a letter-period-letter inside ("U.S.",
  "a.m.", "Iraq-U.N."), a single letter ("J."), or one of `ABBREVIATIONS`
  ("Mr.", "Inc.", "vs."). A number that starts the text keeps its period
  ("1. Michael Johnson", as CoNLL writes ranked lists). The last period of the
  text (only white space and closing quotes or brackets after it) is split off
  even after a listed abbreviation or a leading number, but not after a
  letter-period-letter word or a single letter: "He went to the U.S." ends in
  the token "U.S.", with no separate "." (a sentence-final abbreviation is
  ambiguous, and CoNLL keeps the abbreviation whole).
* Clitics are split off as in the Penn Treebank: "'s" "'re" "'ve" "'ll" "'d"
  "'m" and "n't", in any case ("Germany's" -> "Germany" "'s", "don't" -> "do"
  "n't", "can't" -> "ca" "n't", "DON'T" -> "DO" "N'T").
* Everything else stays inside the word: hyphens, slashes, ``& + * = @ #``
  and periods that do not end a word ("Anglo-Dutch", "1996-08-22", "and/or",
  "S&P", "3.5").

Splitting one edge of a word can expose another ("players'." "5%." "$'5"),
so the word-edge rules run twice: stacks of up to two such edges are split;
deeper ones ("n'tn't's") may be left partly joined.

Already-tokenised CoNLL text comes back unchanged: re-tokenising each sentence
of the CoNLL-2003 training file, its tokens joined with spaces, gives those
tokens back for 14,027 of its 14,041 sentences (99.9 %; measured by
tests/test_word_tokenizer.py when ``KERASRNN_DATA`` is set). The 14 others
hold tokens that these rules split on purpose: a bracket, semicolon or colon
glued inside a token ("6-7(3-7", "+0.9;+23.6", "date:August"), a word glued
to an ellipsis ("...and", "f..."), a text-final number ("7.").

How: the rules are ``tf.strings.regex_replace`` passes (RE2 has no
look-around, so each rule captures its context and puts it back, and rules
whose matches overlap run twice) that insert a mark, U+0001, at every token
boundary of a working copy of the text. In that copy white space is mapped to
" " and any U+0001 or U+0003 of the input (U+0003 marks a period while the
period rules decide on it) to U+0002: one code point for one, so positions are
kept. Decoding the copy to code points, each character's index in the input is
its index minus the marks before it, and tokens are the runs of characters
that are neither " " nor a mark. Token text is then cut from the input itself
(its code points, encoded again: time and memory linear in the text's length).
"""

from __future__ import annotations

import tensorflow as tf

from kerasrnn.data.normalization import WHITESPACE_CLASS

#: Words that keep their final period when text follows ("Mr. Smith", "Acme Inc. said").
ABBREVIATIONS = (
    "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Jr", "Sr", "Inc", "Corp", "Ltd", "Co", "Bros",
    "vs", "etc", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct",
    "Nov", "Dec", "Gen", "Gov", "Sen", "Rep", "Rev", "Lt", "Col", "Capt", "Sgt", "No",
    # Seen in CoNLL-2003 in the middle of sentences.
    "vol", "Calif", "Fla",
)

_MARK = "\x01"  # a token boundary in the working copy
_PERIOD_MARK = "\x03"  # a split before a word-final period, while the period rules decide on it
_WORD_CHAR = "[^ \x01]"
_START = "(^|[ \x01])"  # what may precede a word (captured, so it is put back)
_END = "([ \x01]|$)"  # what may follow a word
_APOSTROPHE = "['\u2019]"
_NOT_APOSTROPHE = "[^ \x01'\u2019]"
_CLITIC_AFTER_APOSTROPHE = "(?i:s|re|ve|ll|d|m)"
_CLOSERS = "\"'\u201d\u2019\u00bb)\\]}"
# Something besides white space and closing quotes/brackets follows: not the text's last period.
_NOT_FINAL = f"((?:[ \x01{_CLOSERS}])*[^ \x01{_CLOSERS}])"
_ABBREVIATION = "(?:" + "|".join(ABBREVIATIONS) + ")"


def _split(pattern: str) -> tuple[str, str, int]:
    """Marks both sides of every match of ``pattern``."""
    return pattern, _MARK + r"\0" + _MARK, 1


# (RE2 pattern, rewrite, passes). A pass never sees its own rewrites, so rules
# whose matches can overlap ("1,2,3", "Mr. Dr. Smith") run twice.
_SEPARATE_PUNCTUATION = (
    _split("[;!?\"()\\[\\]{}\u201c\u201d\u2018\u00ab\u00bb\u2026]"),
    _split("[,:]"),
    ("([0-9])\x01([,:])\x01([0-9])", r"\1\2\3", 2),
    _split("\\.\\.+"),
)
_WORD_EDGES = (
    (f"{_START}\\$({_WORD_CHAR})", "\\1$\x01\\2", 1),
    # Leading apostrophes, except on clitics and two-digit years.
    (f"{_START}({_APOSTROPHE}+)({_NOT_APOSTROPHE})", "\\1\\2\x01\\3", 1),
    (f"({_APOSTROPHE})\x01({_CLITIC_AFTER_APOSTROPHE}|[0-9][0-9]s?){_END}", r"\1\2\3", 1),
    (f"({_NOT_APOSTROPHE})({_APOSTROPHE}+){_END}", "\\1\x01\\2\\3", 1),
    (f"({_WORD_CHAR})%{_END}", "\\1\x01%\\2", 1),
    # Mark every word-final period (not one of ".."), unmark the abbreviations, keep the rest.
    (f"([^ \x01.])\\.{_END}", "\\1\x03.\\2", 1),
    (f"{_START}(\\pL|{_WORD_CHAR}*\\pL\\.\\pL{_WORD_CHAR}*)\x03\\.", r"\1\2.", 1),
    (f"{_START}({_ABBREVIATION})\x03\\.{_NOT_FINAL}", r"\1\2.\3", 2),
    (f"^( *)([0-9]+)\x03\\.{_NOT_FINAL}", r"\1\2.\3", 1),
    (_PERIOD_MARK, _MARK, 1),
    (f"({_NOT_APOSTROPHE})({_APOSTROPHE}{_CLITIC_AFTER_APOSTROPHE}|(?i:n){_APOSTROPHE}(?i:t)){_END}",
     "\\1\x01\\2\\3", 1),
)
# The edge rules twice: splitting one edge can expose another ("players'." "5%." "$'5").
_RULES = _SEPARATE_PUNCTUATION + _WORD_EDGES + _WORD_EDGES


def _mark_boundaries(text: tf.Tensor) -> tf.Tensor:
    """``text`` with white space as " " and a U+0001 at every other token boundary."""
    # The input's own U+0001 and U+0003 become word characters (one code point for one).
    work = tf.strings.regex_replace(text, "[\x01\x03]", "\x02")
    work = tf.strings.regex_replace(work, WHITESPACE_CLASS, " ")
    for pattern, rewrite, passes in _RULES:
        for _ in range(passes):
            work = tf.strings.regex_replace(work, pattern, rewrite)
    return work


def tokenize_with_offsets(text) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """Splits raw strings into CoNLL / Penn-Treebank-style tokens; see the module docstring.

    Args:
        text: strings ``(batch,)``, UTF-8 (a tensor, a NumPy array or a list
            of ``str``/``bytes``).

    Returns:
        ``(tokens, starts, ends)``, each ``(batch, n)`` with ``n`` the most
        tokens of any text, and at least 1 (so a batch of empty strings still
        gives one column): ``tokens`` string, right-padded with ``""``;
        ``starts`` and ``ends`` int32 code-point offsets, padded with ``-1``,
        such that ``text[start:end] == token`` in Python.

    Raises:
        ValueError: ``text`` is not of rank 1.
        tf.errors.InvalidArgumentError: a string is not valid UTF-8.

    Example:
        >>> tokens, starts, ends = tokenize_with_offsets(["Germany's exports rose 3.5%."])
        >>> tokens.numpy()[0].tolist()
        [b'Germany', b"'s", b'exports', b'rose', b'3.5', b'%', b'.']
        >>> starts.numpy()[0].tolist(), ends.numpy()[0].tolist()
        ([0, 7, 10, 18, 23, 26, 27], [7, 9, 17, 22, 26, 27, 28])
    """
    text = tf.convert_to_tensor(text, dtype=tf.string)
    if text.shape.rank is not None and text.shape.rank != 1:
        raise ValueError(f"text must be a batch of strings (batch,); received shape {text.shape}")
    chars = tf.strings.unicode_decode(_mark_boundaries(text), "UTF-8", errors="strict")
    row_ids = chars.value_rowids()
    row_start = tf.gather(chars.row_starts(), row_ids)
    index = tf.range(tf.size(chars.values, out_type=tf.int64)) - row_start
    is_mark = tf.equal(chars.values, 1)
    is_separator = is_mark | tf.equal(chars.values, ord(" "))
    # Index in the input = index in the copy - marks before it in the same row.
    marks_before = tf.cumsum(tf.cast(is_mark, tf.int64), exclusive=True)
    marks_before -= tf.gather(marks_before, row_start)
    original = tf.cast(index - marks_before, tf.int32)

    is_first = tf.equal(index, 0)
    is_last = tf.equal(index, tf.gather(chars.row_lengths(), row_ids) - 1)
    separator_before = tf.concat([[True], is_separator], axis=0)[:-1] | is_first
    separator_after = tf.concat([is_separator, [True]], axis=0)[1:] | is_last
    in_token = tf.logical_not(is_separator)
    begins = in_token & separator_before
    finishes = in_token & separator_after  # pairs with `begins` in order, row by row

    batch = tf.shape(text, out_type=tf.int64)[0]
    token_rows = tf.boolean_mask(row_ids, begins)
    starts = tf.RaggedTensor.from_value_rowids(
        tf.boolean_mask(original, begins), token_rows, nrows=batch)
    ends = starts.with_values(tf.boolean_mask(original, finishes) + 1)
    # Each token's code points, gathered from the decoded input and encoded again:
    # memory in step with the text (a substr of the text gathered once per token
    # copied the whole string for every token: quadratic in the text's length).
    text_chars = tf.strings.unicode_decode(text, "UTF-8", errors="strict")
    base = tf.gather(text_chars.row_starts(), token_rows)
    positions = tf.ragged.range(base + tf.cast(starts.values, tf.int64),
                                base + tf.cast(ends.values, tf.int64))
    tokens = starts.with_values(tf.strings.unicode_encode(
        tf.gather(text_chars.values, positions), "UTF-8"))
    return to_dense(tokens, ""), to_dense(starts, -1), to_dense(ends, -1)


def to_dense(ragged: tf.RaggedTensor, padding) -> tf.Tensor:
    """``(batch, None)`` -> ``(batch, max(n, 1))`` padded with ``padding``."""
    dense = ragged.to_tensor(default_value=padding)
    missing = tf.maximum(1 - tf.shape(dense)[1], 0)
    return tf.pad(dense, [[0, 0], [0, missing]], constant_values=padding)


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` for each token of one string (eager; for tests and docs).

    Runs `tokenize_with_offsets`, so it gives exactly the served tokens.

    Example:
        >>> tokenize("Don't go.")
        [('Do', 0, 2), ("n't", 2, 5), ('go', 6, 8), ('.', 8, 9)]
    """
    tokens, starts, ends = tokenize_with_offsets(tf.constant([text]))
    return [(token.decode("utf-8"), int(start), int(end))
            for token, start, end in zip(tokens.numpy()[0], starts.numpy()[0], ends.numpy()[0])
            if start >= 0]
