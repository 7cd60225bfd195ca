"""What a user sees: our output and Keras' progress, one line per user error, nothing else.

TensorFlow writes start-up lines (oneDNN, CUDA probing, CPU features) to the process's
stderr from C++ before Python can configure anything, and Keras and absl add Python
warnings and log lines ("Your input ran out of data"...). A command-line user should
see none of it: `quiet()` silences all of that, and `--debug` (or `KERASRNN_DEBUG=1`)
brings every line back, with the traceback of any error.
"""

import argparse
import contextlib
import io
import json
import logging
import os
import sys
import warnings

DEBUG_VARIABLE = "KERASRNN_DEBUG"


def debug_requested(argv=None):
    """True when `--debug` is among the arguments or KERASRNN_DEBUG is set (not "0")."""
    argv = sys.argv[1:] if argv is None else argv
    return "--debug" in argv or os.environ.get(DEBUG_VARIABLE, "0") not in ("", "0")


@contextlib.contextmanager
def native_stderr_silenced():
    """Sends file descriptor 2 to /dev/null (C++ log lines), restoring it afterwards."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def quiet(debug):
    """Silences TensorFlow's, absl's and Python's warnings unless `debug`; imports TensorFlow.

    Call once, before anything else imports TensorFlow. TensorFlow's runtime is not
    started here (thread pools and tf.distribute must still be configurable); the
    lines it logs once started are `send_native_stderr_away`'s to catch.
    """
    if debug:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore")
    with native_stderr_silenced():
        import tensorflow  # noqa: F401  (its import logs from C++)
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)
    for name in ("tensorflow", "absl", "keras"):
        logging.getLogger(name).setLevel(logging.ERROR)


def send_native_stderr_away(debug):
    """For a command's whole run: C++ log lines go nowhere, Python's stderr stays.

    TensorFlow logs from C++ while it runs too (tf.data graph rewrites, oneDNN
    fall-backs), straight to file descriptor 2. Unless `debug`, descriptor 2 is
    pointed at /dev/null and `sys.stderr` at a copy of the real stderr, so error
    lines and tracebacks still reach the user. Call only from a command-line entry
    point (it replaces `sys.stderr`).
    """
    if debug:
        return
    sys.stderr.flush()
    real = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    sys.stderr = open(real, "w", buffering=1, encoding="utf-8",  # noqa: SIM115 - for good
                      errors="backslashreplace")


def decode_argument(text):
    """A command-line argument as valid Unicode.

    Python decodes undecodable argv bytes to lone surrogates ("\\udcff"), which no
    tensor accepts; they become U+FFFD like undecodable stdin bytes.
    """
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_lines(stream=None):
    """Lines of standard input, decoded as UTF-8; undecodable bytes become U+FFFD."""
    stream = sys.stdin if stream is None else stream
    raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    lines = raw.split("\n")  # only "\n": a U+2028 inside a line does not end it
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def batches_of_lines(stream=None, most=256):
    """Lists of stdin lines, each holding the complete lines that had arrived.

    Reads the file descriptor directly (`os.read` returns what is there), so lines
    fed one by one through a pipe are answered one by one and a file is read in big
    batches. Undecodable bytes read as U+FFFD; only "\\n" ends a line.
    """
    stream = sys.stdin if stream is None else stream
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):  # not a real file
        lines = read_lines(stream)
        for start in range(0, len(lines), most):
            yield lines[start:start + most]
        return
    pending = b""
    while True:
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            if pending:
                yield [_decoded(pending)]
            return
        *lines, pending = (pending + chunk).split(b"\n")
        for start in range(0, len(lines), most):
            yield [_decoded(line) for line in lines[start:start + most]]


def _decoded(line):
    return line.decode("utf-8", "replace").removesuffix("\r")


def decode_arguments(arguments):
    """Command-line arguments as valid Unicode (see `decode_argument`)."""
    return [decode_argument(text) for text in arguments]


def one_line(message):
    """`message` with every run of white space (newlines included) made one space."""
    return " ".join(str(message).split())


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr (prog: error: ...), exit 2."""

    error_prefix = None  # e.g. the app's name, so every error line starts alike

    def error(self, message):
        sys.stderr.write(f"{self.error_prefix or self.prog}: error: {one_line(message)}\n")
        sys.exit(2)


def json_line(value):
    """`value` as JSON on exactly one line, for any line splitter.

    Non-ASCII text stays readable, but U+0085, U+2028 and U+2029, which
    `str.splitlines()` and JavaScript treat as line ends, are escaped like the
    control characters JSON already escapes.
    """
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")
