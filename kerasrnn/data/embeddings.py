"""Pretrained word vectors (GloVe or word2vec text files) as an embedding matrix.

Row ``r`` of the matrix is the vector of id ``r`` of ``make_lookup(vocabulary)``
(see `kerasrnn.data.vocabulary`): row 0 is padding (zeros), row 1 is ``[UNK]``
and row ``2 + i`` is ``vocabulary[i]``. The matrix therefore initialises a
``keras.layers.Embedding`` over that lookup's ids as it is.

File format, one vector per line, fields separated by single spaces::

    word v1 v2 ... vd

The word2vec text format adds a first line ``count dim``; it is detected (a
first line of exactly two whole numbers) and checked against the vectors.
Files whose first bytes are the gzip signature (``.gz``) are decompressed on
the fly. The file is streamed line by line and only the vectors of vocabulary
words are kept, so GloVe 840B (5.6 GB) needs memory for the vocabulary only.
"""

from __future__ import annotations

import collections
import dataclasses
import gzip
import math
import os
import zlib
from collections.abc import Iterator, Sequence

import numpy as np

from kerasrnn.data.errors import DataFormatError
from kerasrnn.data.vocabulary import OOV, PAD

GZIP_SIGNATURE = b"\x1f\x8b"


@dataclasses.dataclass(frozen=True)
class EmbeddingMatrix:
    """Initial embedding weights for a vocabulary, and how many came from the file.

    Attributes:
        matrix: ``(len(vocabulary) + 2, dim)`` array; row 0 padding (zeros),
            row 1 ``[UNK]`` (random), row ``2 + i`` the word ``vocabulary[i]``.
        found: vocabulary words with a vector from the file, lower-case
            matches included (``found + missing == len(vocabulary)``).
        found_lowercase: of ``found``, those matched by their lower-case form.
        missing: vocabulary words without a vector; their rows start random.
        dim: the number of values per vector.
    """

    matrix: np.ndarray
    found: int
    found_lowercase: int
    missing: int
    dim: int

    def summary(self) -> str:
        """Returns one line: ``vectors for 18,523 of 21,009 words (230 by their
        lower-case form); 2,486 start random``."""
        return (f"vectors for {self.found:,} of {self.found + self.missing:,} words "
                f"({self.found_lowercase:,} by their lower-case form); "
                f"{self.missing:,} start random")


def read_embeddings(
    path: str | os.PathLike,
    vocabulary: Sequence[str],
    *,
    lowercase_fallback: bool = True,
    dtype="float32",
    seed: int | None = 0,
) -> EmbeddingMatrix:
    """Reads pretrained vectors for ``vocabulary`` from a GloVe or word2vec text file.

    Rows of words the file lacks (and the ``[UNK]`` row) are drawn from
    uniform(-sqrt(3 / dim), sqrt(3 / dim)), i.e. variance ``1 / dim`` per value,
    as Lample et al. (2016) initialise theirs; the padding row is zeros.

    Lines are split on single spaces. A line with more fields than ``dim + 1``
    holds a word with spaces in it (GloVe 840B has a few): its leading fields,
    joined by spaces, are the word, as GloVe's own readers do. When a word
    occurs twice, its first vector is kept. Blank lines are skipped. Only the
    vectors of kept words are parsed (parsing all of GloVe 840B takes minutes);
    the number of values is checked on every line.

    Args:
        path: the vector file, plain or gzip-compressed, UTF-8.
        vocabulary: the words of ids ``2, 3, …`` as given to `make_lookup`
            (``lookup.get_vocabulary()[2:]``); no padding, ``[UNK]`` or duplicates.
        lowercase_fallback: look a word that the file lacks up by its lower-case
            form (``"Paris"`` gets the vector of ``"paris"`` in uncased GloVe).
        dtype: floating dtype of the matrix; a value that overflows it
            (``1e40`` in float32) is rejected as not finite.
        seed: seed of the random rows; ``None`` draws different rows each call.

    Returns:
        An `EmbeddingMatrix`; ``matrix`` has shape ``(len(vocabulary) + 2, dim)``.

    Raises:
        DataFormatError: the file does not exist, is empty or holds no vectors;
            a line is not valid UTF-8; a line holds fewer values than the first
            vector line (more are read as a word with spaces, see above); a kept
            word's value is not a finite number;
            the word2vec header's dim or count disagrees with the vectors;
            gzip data is damaged.
        ValueError: ``vocabulary`` holds ``""``, ``"[UNK]"`` or a word twice,
            or ``dtype`` is not a floating dtype.

    Example:
        >>> vectors = read_embeddings("glove.6B.100d.txt", vocabulary)
        >>> print(vectors.summary())
        >>> lookup = make_lookup(vocabulary)
        >>> embedding = keras.layers.Embedding(
        ...     *vectors.matrix.shape, mask_zero=True, weights=[vectors.matrix])

    Reference:
        Lample et al. (2016), Neural Architectures for Named Entity Recognition.
        Pennington et al. (2014), GloVe: Global Vectors for Word Representation.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating dtype, received {dtype.name}")
    vocabulary = _checked_vocabulary(vocabulary)
    wanted = set(vocabulary)
    if lowercase_fallback:
        wanted.update(word.lower() for word in vocabulary)
    dim, vectors = _read_vectors(path, wanted, dtype)

    scale = math.sqrt(3.0 / dim)
    rng = np.random.default_rng(seed)
    # All rows are drawn, found or not, so a missing word's row depends on the
    # seed and its id only, not on which other words the file holds.
    matrix = rng.uniform(-scale, scale, size=(len(vocabulary) + 2, dim)).astype(dtype)
    matrix[0] = 0.0
    found = found_lowercase = 0
    for i, word in enumerate(vocabulary):
        vector = vectors.get(word)
        if vector is None and lowercase_fallback:
            vector = vectors.get(word.lower())
            found_lowercase += vector is not None
        if vector is not None:
            matrix[2 + i] = vector
            found += 1
    return EmbeddingMatrix(matrix, found, found_lowercase, len(vocabulary) - found, dim)


def _checked_vocabulary(vocabulary: Sequence[str]) -> list[str]:
    """Returns ``vocabulary`` as a list; ValueError if `make_lookup` would number it otherwise."""
    vocabulary = list(vocabulary)
    if PAD in vocabulary or OOV in vocabulary:
        raise ValueError(
            f"the vocabulary holds the padding token {PAD!r} or {OOV!r}, which have ids 0 "
            "and 1 already; pass the words only (lookup.get_vocabulary()[2:])")
    repeated = [word for word, n in collections.Counter(vocabulary).items() if n > 1]
    if repeated:
        many = f"{len(repeated)} words" if len(repeated) > 1 else "a word"
        raise ValueError(f"the vocabulary holds {many} more than once, e.g. {repeated[0]!r}")
    return vocabulary


def _read_vectors(path, wanted: set[str], dtype) -> tuple[int, dict[str, np.ndarray]]:
    """Returns ``(dim, {word: vector})`` for the words of ``wanted`` in the file."""
    vectors: dict[str, np.ndarray] = {}
    dim = first = None  # values per vector, and the line that set it
    header = None  # (line, count, dim) of a word2vec header
    count = 0
    for number, text in _iter_lines(path):
        if not text:
            continue
        spaces = text.count(" ")
        if dim is None and header is None and spaces == 1 and _is_header(text):
            header = number, *map(int, text.split(" "))
            continue
        if dim is None:
            first, dim = number, spaces
            if header and dim != header[2]:
                raise DataFormatError(
                    path, f"the word2vec header says {header[2]} values per vector, but "
                    f"line {number} holds {dim}", header[0])
            if dim == 0:
                raise DataFormatError(
                    path, "expected 'word v1 v2 ... vd' separated by spaces, found one field",
                    number)
        elif spaces < dim:
            raise DataFormatError(
                path, f"expected {dim} values (as on line {first}), found {spaces}", number)
        count += 1
        # More fields than dim + 1: the word has spaces in it (see read_embeddings).
        word = text.partition(" ")[0] if spaces == dim else text.rsplit(" ", dim)[0]
        if word in wanted and word not in vectors:
            values = text[len(word) + 1:].split(" ")
            vectors[word] = _parse_vector(values, word, dtype, path, number)
    if dim is None:
        raise DataFormatError(path, "no vectors after the word2vec header" if header
                              else "the file is empty")
    if header and header[1] != count:
        raise DataFormatError(
            path, f"the word2vec header says {header[1]:,} vectors, but the file holds "
            f"{count:,}", header[0])
    return dim, vectors


def _is_header(text: str) -> bool:
    """True for a word2vec header line ``count dim`` (two whole numbers)."""
    return all(field.isascii() and field.isdigit() for field in text.split(" "))


def _parse_vector(values: list[str], word, dtype, path, number) -> np.ndarray:
    """Returns the values as a ``dtype`` vector; DataFormatError names a bad one."""
    try:
        vector = np.array(values, dtype=np.float64)
    except ValueError:
        vector = None
    if vector is not None:
        with np.errstate(over="ignore"):
            vector = vector.astype(dtype)
        if np.isfinite(vector).all():
            return vector
    for position, value in enumerate(values, start=1):
        try:
            with np.errstate(over="ignore"):
                finite = np.isfinite(np.array([value], dtype=np.float64).astype(dtype))[0]
        except ValueError:
            finite = False
        if not finite:
            raise DataFormatError(
                path, f"value {position} of {word!r}, {value!r}, is not a finite "
                f"{dtype.name} number", number)
    raise AssertionError("unreachable: some value failed to convert")


def _iter_lines(path) -> Iterator[tuple[int, str]]:
    """Yields ``(line_number, text)`` with line ends and trailing blanks removed.

    Lines are split on ``\\n`` bytes only: words in GloVe 840B hold characters
    (U+0085, U+2028) that Python's text mode would take for line ends.
    """
    if not os.path.exists(path):
        raise DataFormatError(path, "file not found")
    if os.path.isdir(path):
        raise DataFormatError(path, "expected a file but found a folder")
    with open(path, "rb") as handle:
        compressed = handle.read(2) == GZIP_SIGNATURE
    number = 0
    try:
        with (gzip.open if compressed else open)(path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                yield number, _decode(line, path, number)
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise DataFormatError(path, f"damaged gzip data ({error})", number + 1) from None


def _decode(line: bytes, path, number: int) -> str:
    """Decodes one line as UTF-8, naming the byte offset when it fails."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataFormatError(
            path, f"not valid UTF-8 at byte offset {error.start} of the line "
            f"(byte 0x{line[error.start]:02x})", number) from None
    if number == 1:
        text = text.removeprefix("\ufeff")
    return text.rstrip()
