"""Errors a command-line user can fix; the CLI prints them in one line and exits 2."""


class UserInputError(ValueError):
    """Bad flags, a bad path, an unusable model directory: the user's to fix."""


class ModelDirectoryError(UserInputError):
    """A model directory that is incomplete, from another app or an incompatible version."""


class TrainingDivergedError(RuntimeError):
    """The loss became NaN or infinite; the last good checkpoint is kept."""
