"""Reading text files line by line with exact error locations.

Files are read as bytes and decoded here, in one place, so that an encoding
problem is always reported as ``PATH:LINE: not valid UTF-8 at byte offset N``
instead of a bare ``UnicodeDecodeError`` somewhere in a 4 MB file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from kerasrnn.data.errors import DataFormatError


def read_bytes(path: str | os.PathLike) -> bytes:
    """Returns the bytes of ``path``; a missing or empty file is a `DataFormatError`."""
    if not os.path.exists(path):
        raise DataFormatError(path, "file not found")
    if os.path.isdir(path):
        raise DataFormatError(path, "expected a file but found a folder")
    with open(path, "rb") as handle:
        data = handle.read()
    if not data.strip():
        raise DataFormatError(path, "the file is empty" if not data else
                              "the file holds only white space")
    return data


def decode_utf8(data: bytes, path: str | os.PathLike) -> str:
    """Decodes a whole file as UTF-8, naming the line and byte offset when it fails."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        raise DataFormatError(
            path,
            f"not valid UTF-8 at byte offset {error.start - line_start} of the line "
            f"(byte 0x{data[error.start]:02x} at byte offset {error.start} of the file; "
            "expected UTF-8 text)",
            line,
        ) from None


def iter_lines(path: str | os.PathLike) -> Iterator[tuple[int, str]]:
    """Yields ``(line_number, text)`` for every line of a UTF-8 file.

    Line numbers are 1-based. The line terminator is removed, whether LF or
    CRLF; a byte-order mark at the start of the file is removed too (some
    Windows editors write one). Raises `DataFormatError` for a missing or
    empty file, for bytes that are not valid UTF-8 and for a NUL character.
    """
    lines = decode_utf8(read_bytes(path), path).removeprefix("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last line; it does not start a new one
    for number, text in enumerate(lines, start=1):
        if "\0" in text:  # corruption, not text; NumPy string arrays would also drop it
            raise DataFormatError(path, f"NUL character (U+0000) at column "
                                  f"{text.index(chr(0)) + 1}", number)
        yield number, text[:-1] if text.endswith("\r") else text


def read_lines(path: str | os.PathLike) -> list[str]:
    """Returns all lines of a UTF-8 file (see `iter_lines`); index ``i`` is line ``i + 1``."""
    return [text for _, text in iter_lines(path)]


def read_text(path: str | os.PathLike) -> str:
    """Returns the whole file as one string with ``\\n`` line endings, validated as UTF-8."""
    return "\n".join(read_lines(path)) + "\n"
