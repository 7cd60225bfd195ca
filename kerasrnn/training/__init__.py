"""Training harness shared by the applications: resumable fit, run directories, export.

`import kerasrnn.training` loads TensorFlow-only pieces (SavedModel export,
`tf.distribute`); the layers in `kerasrnn.layers` do not need it.
"""

from kerasrnn.training.errors import ModelDirectoryError, TrainingDivergedError, UserInputError
from kerasrnn.training.resumable_fit import ResumableFit, resumable_fit
from kerasrnn.training.run_directory import RunDirectory, read_run

__all__ = [
    "ModelDirectoryError",
    "ResumableFit",
    "RunDirectory",
    "TrainingDivergedError",
    "UserInputError",
    "read_run",
    "resumable_fit",
]
