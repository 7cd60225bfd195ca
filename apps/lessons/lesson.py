"""What every lesson shares: its settings, a table printed row by row, and its figures."""

import dataclasses
import os
import sys


@dataclasses.dataclass
class Settings:
    """One run of a lesson.

    Attributes:
        output_dir: where the PNGs go (created if missing).
        seed: seeds NumPy, Python and TensorFlow; the same seed gives the same run
            (times and memory figures aside).
        tiny: small sizes that run in seconds, for the tests.
        data_dir: the data root (like `$KERASRNN_DATA`) holding `kafka/` and `atis/`;
            `None` reads `$KERASRNN_DATA`.
    """

    output_dir: str
    seed: int = 0
    tiny: bool = False
    data_dir: str | None = None

    def path(self, filename):
        os.makedirs(self.output_dir, exist_ok=True)
        return os.path.join(self.output_dir, filename)


class Table:
    """A Markdown table printed one row at a time, so a long lesson shows progress."""

    def __init__(self, *columns, out=None):
        self.columns = columns
        self.rows = []
        self.out = out or sys.stdout
        self._print("| " + " | ".join(columns) + " |")
        self._print("|" + "|".join("---" for _ in columns) + "|")

    def row(self, *values):
        if len(values) != len(self.columns):
            raise ValueError(f"{len(self.columns)} columns, received {len(values)} values")
        self.rows.append(values)
        self._print("| " + " | ".join(_cell(v) for v in values) + " |")

    def _print(self, line):
        print(line, file=self.out, flush=True)


def _cell(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def verdict(borne_out, why):
    """Prints whether the run bore the claim out, and returns it."""
    print(f"\nClaim borne out: {'yes' if borne_out else 'NO'} ({why})\n", flush=True)
    return bool(borne_out)


def pyplot():
    """matplotlib's pyplot drawing into files only (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(figure, settings, filename):
    """Writes `figure` as `filename` in the output directory and says where."""
    path = settings.path(filename)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot().close(figure)
    print(f"wrote {path}")
    return path
