"""WordPiece subword units: a vocabulary learned from training words, and the split into it.

A rare word is the weak point of a word vocabulary: it reads as ``[UNK]``. With
subword units it is spelled with pieces the model knows ("desafortunadamente"
-> "desafortunada" "##mente"), and a decoder can write words it never saw whole.

Splitting (WordPiece as in BERT, Devlin et al. 2019, and HuggingFace tokenizers'
``WordPiece`` model): each word on its own, left to right, the longest piece of
the vocabulary that starts at the current character is taken; pieces after a
word's first carry the prefix ``##`` ("unaffable" -> "un" "##aff" "##able"). A
word no pieces cover (a character the vocabulary lacks), or longer than
``max_word_chars`` characters, becomes one ``[UNK]``; so a word is spelled with
pieces only if every character of it was in the training words. A word's own
leading "#" is escaped (`ESCAPE`) so that "##now" is not read as the end of the
word before it. `split_words` does this in ``tf.strings`` ops (no
``tensorflow_text``), so training, ``predict`` and an exported SavedModel split
alike, and the SavedModel runs without kerasrnn; it gives the same pieces as
HuggingFace's ``WordPiece`` (tests/test_wordpiece.py). `join_pieces` undoes the
split.

Learning: `learn_wordpiece` runs HuggingFace tokenizers' ``WordPieceTrainer``
(every character of the training words, then byte-pair merges, Sennrich et al.
2016, of pairs seen at least ``min_count`` times, until the vocabulary has
``size`` pieces), and orders the pieces by how often the split uses them on the
training words, most frequent first (ties alphabetical), as
`kerasrnn.data.vocabulary` orders words.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable

import tensorflow as tf

from kerasrnn.data.vocabulary import OOV
from kerasrnn.data.word_tokenizer import to_dense

PREFIX = "##"  # marks a piece that continues a word
# A word's own leading "#" is written as this private-use character while it is in
# pieces, so that no first piece starts with "##" ("##now" would read as a piece of the
# word before it); `join_pieces` writes it back as "#".
ESCAPE = "\ue000"
MAX_WORD_CHARS = 100  # HuggingFace's max_input_chars_per_word


def learn_wordpiece(token_lists: Iterable[list[str]], size: int, min_count: int = 2) -> list[str]:
    """The WordPiece vocabulary of the words of ``token_lists``, most used piece first.

    Args:
        token_lists: sentences as lists of words (already tokenised; no word
            holds white space).
        size: pieces wanted, characters included: fewer if the words don't
            give that many merges, more if their characters alone (each as a
            first piece and as a ``##`` piece) are more.
        min_count: a pair of pieces is merged only if seen this often.

    Returns:
        The pieces (``[UNK]`` and padding excluded), as a list of strings.

    Raises:
        ValueError: ``size`` or ``min_count`` below 1.
    """
    if size < 1 or min_count < 1:
        raise ValueError(f"size and min_count must be at least 1, received {size}, {min_count}")
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    words = collections.Counter(_escaped(word) for tokens in token_lists for word in tokens
                                if word)
    tokenizer = Tokenizer(models.WordPiece(unk_token=OOV, max_input_chars_per_word=MAX_WORD_CHARS))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    # The trainer numbers the "##c" pieces in hash-map order, and its merges break ties
    # by those numbers: a vocabulary changed from run to run (huggingface/tokenizers
    # issue 1794). Given first, in sorted order, they are numbered the same every time.
    continuing = sorted({PREFIX + c for word in words for c in word[1:]})
    trainer = trainers.WordPieceTrainer(vocab_size=size + 1, min_frequency=min_count,
                                        special_tokens=[OOV, *continuing],
                                        continuing_subword_prefix=PREFIX, show_progress=False)
    # Each distinct word once per line, repeated by its count: the trainer sees the counts.
    tokenizer.train_from_iterator(_repeated(words), trainer, length=sum(words.values()))
    pieces = [p for p in tokenizer.get_vocab() if p != OOV]
    uses = collections.Counter()
    distinct = sorted(words)
    contains, longest = _contains(pieces), max_piece_chars(pieces)
    for start in range(0, len(distinct), 4096):
        batch = distinct[start:start + 4096]
        split = split_words(tf.constant(batch)[:, None], contains, longest)
        for word, row in zip(batch, split.numpy()):
            for piece in row[row != b""]:
                uses[piece.decode("utf-8")] += words[word]
    return sorted(pieces, key=lambda p: (-uses[p], p))


def _escaped(word):
    return ESCAPE + word[1:] if word.startswith("#") else word


def _repeated(counts, per_line=1000):
    for word, count in sorted(counts.items()):
        for start in range(0, count, per_line):
            yield " ".join([word] * min(per_line, count - start))


def _contains(pieces):
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(tf.constant(pieces, tf.string),
                                            tf.ones(len(pieces), tf.bool)), False)
    return table.lookup


def max_piece_chars(pieces: Iterable[str]) -> int:
    """The most characters of any piece (prefix included): `split_words`' ``max_piece_chars``."""
    return max((len(p) for p in pieces), default=1)


def split_words(words, contains: Callable[[tf.Tensor], tf.Tensor], max_piece_chars: int,
                max_word_chars: int = MAX_WORD_CHARS) -> tf.Tensor:
    """Words -> their WordPiece pieces, row by row (see the module docstring).

    Args:
        words: strings ``(batch, n)``, valid UTF-8, right-padded with ``""``.
        contains: maps a string tensor to a bool tensor of the same shape, True
            for pieces of the vocabulary (e.g. ``lambda s: lookup(s) != 1`` for a
            `kerasrnn.data.vocabulary` lookup).
        max_piece_chars: the most characters of any vocabulary piece (longer
            candidates are not tried).
        max_word_chars: longer words become ``[UNK]``.

    Returns:
        strings ``(batch, m)``: each row's pieces in order, right-padded with
        ``""``; ``m`` is at least 1.

    Example:
        >>> pieces = ["un", "##aff", "##able", "a", "##f", "##b", "##l", "##e"]
        >>> table = {p: True for p in pieces}
        >>> contains = lambda s: tf.constant([[table.get(x.decode(), False) for x in row]
        ...                                   for row in s.numpy()])
        >>> split_words(tf.constant([["unaffable", "xyz"]]), contains, 6).numpy()[0].tolist()
        [b'un', b'##aff', b'##able', b'[UNK]']
    """
    words = tf.strings.regex_replace(tf.convert_to_tensor(words, tf.string), "^#", ESCAPE)
    distinct, index = tf.unique(tf.reshape(words, [-1]))
    chars = tf.strings.unicode_split(distinct, "UTF-8")
    lengths = tf.cast(chars.row_lengths(), tf.int32)
    starts = tf.cast(chars.row_starts(), tf.int32)
    # Every candidate piece: character c of word w, `k` characters long.
    word_of = tf.cast(chars.value_rowids(), tf.int32)
    position = tf.range(tf.size(word_of)) - tf.gather(starts, word_of)
    k = tf.range(1, max_piece_chars + 1)
    shape = [tf.size(word_of), max_piece_chars]
    text = tf.strings.substr(tf.broadcast_to(tf.gather(distinct, word_of)[:, None], shape),
                             tf.broadcast_to(position[:, None], shape),
                             tf.broadcast_to(k[None], shape), unit="UTF8_CHAR")
    candidates = tf.where(position[:, None] > 0, tf.strings.join([PREFIX, text]), text)
    fits = position[:, None] + k[None] <= tf.gather(lengths, word_of)[:, None]
    found = fits & tf.cast(contains(candidates), tf.bool)
    longest = tf.reduce_max(tf.where(found, k[None], 0), axis=1)  # 0: no piece starts here

    # The greedy walk, one piece per step, all words at once. `taken` holds, per word
    # and step, the index of the chosen candidate; its column 0 is -1 (no piece) or,
    # for a word that can't be covered, the index of [UNK] after the candidates.
    last = tf.maximum(tf.size(word_of) - 1, 0)

    def step(t, at, failed, taken):
        active = (at < lengths) & ~failed
        c = tf.minimum(starts + at, last)
        size = tf.where(active, tf.gather(longest, c), 0)
        failed |= active & (size == 0)
        taken = taken.write(t, tf.where(active & (size > 0), c * max_piece_chars + size - 1, -1))
        return t + 1, at + size, failed, taken

    first = tf.TensorArray(tf.int32, size=0, dynamic_size=True, element_shape=[None])
    _, _, failed, taken = tf.while_loop(
        lambda t, at, failed, taken: tf.reduce_any((at < lengths) & ~failed),
        step, (1, tf.zeros_like(lengths), lengths > max_word_chars,
               first.write(0, tf.fill(tf.shape(lengths), -1))))
    taken = tf.transpose(taken.stack())  # (distinct words, 1 + steps)
    everything = tf.concat([tf.reshape(candidates, [-1]), [OOV]], axis=0)
    unknown = tf.where(tf.range(tf.shape(taken)[1]) == 0, tf.size(everything) - 1, -1)
    taken = tf.where(failed[:, None], unknown[None], taken)
    pieces = tf.ragged.boolean_mask(tf.gather(everything, tf.maximum(taken, 0)), taken >= 0)
    # Back to the input's words, then each row's words' pieces in order.
    rows = tf.RaggedTensor.from_uniform_row_length(tf.gather(pieces, index),
                                                  tf.shape(words, out_type=tf.int64)[1])
    return to_dense(rows.merge_dims(1, 2), "")


def join_pieces(text):
    """Pieces joined by spaces -> words: every " ##" (and a leading "##") removed.

    The escaped leading "#" of a word (`ESCAPE`, U+E000) is written back as "#"
    (so a U+E000 of the input itself comes out as "#").

    Args:
        text: strings, any shape.

    Returns:
        strings of the same shape ("un ##aff ##able" -> "unaffable").
    """
    return tf.strings.regex_replace(tf.strings.regex_replace(text, "(^| )##", ""), ESCAPE, "#")
