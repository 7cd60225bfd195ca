"""The one exception every reader raises for bad input files."""

from __future__ import annotations

import os


class DataFormatError(ValueError):
    """A data file is missing, empty or malformed.

    The message always starts with the place of the problem, as compilers do,
    so editors and terminals can jump to it: ``PATH:LINE: problem`` (lines are
    1-based), or ``PATH: problem`` when the problem concerns the whole file.

    Args:
        path: the file (or folder) with the problem.
        problem: what is wrong, naming what was received.
        line: 1-based line number, or ``None`` for whole-file problems.

    Attributes:
        path: as given, converted to ``str``.
        line: as given.
        problem: as given.
    """

    def __init__(self, path: str | os.PathLike, problem: str, line: int | None = None):
        self.path = os.fspath(path)
        self.line = line
        self.problem = problem
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {problem}")


class DatasetNotFoundError(FileNotFoundError):
    """A named dataset could not be found locally, in TFDS, or downloaded.

    The message names the path that was expected and both ways to supply the
    data (``--data-dir PATH`` and the ``KERASRNN_DATA`` environment variable).
    """


class DownloadError(OSError):
    """A dataset file could not be downloaded, or its checksum did not match."""
