"""kerasrnn applications, run from a checkout as `python -m apps.<app>`.

Importing `apps` starts TensorFlow quietly (no start-up log lines or warnings; see
`apps/console.py`) unless `--debug` is given or KERASRNN_DEBUG is set. It
happens here because this package is imported before any app module imports
TensorFlow.
"""

from apps.console import debug_requested, quiet

quiet(debug_requested())
