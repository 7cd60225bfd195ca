"""`python -m apps.lessons [LESSON|all] --output-dir DIR [--seed S] [--tiny] [--data-dir D]`."""

import os
import sys
import time

from apps.console import OneLineParser
from apps.lessons import CLAIMS, LESSON_NAMES, lesson_module
from apps.lessons.lesson import Settings
from kerasrnn.training.run_directory import (
    OutputInTheWayError,
    claim,
    kind_of,
    make_ours,
    mark_ours,
)


def parse(argv):
    parser = OneLineParser(
        prog="python -m apps.lessons",
        description="Lessons: the RNN lectures' claims on real runs, each with a table and a PNG.")
    parser.add_argument("lesson", nargs="?", choices=(*LESSON_NAMES, "all"),
                        help="the lesson to run; without it, the lessons are listed")
    parser.add_argument("--output-dir", default="lessons-output",
                        help="where the PNGs go (default: lessons-output)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of every random choice (default: 0)")
    parser.add_argument("--tiny", action="store_true", help="small sizes: seconds, for tests")
    parser.add_argument("--data-dir", default=None,
                        help="data root holding kafka/ and atis/ (default: $KERASRNN_DATA)")
    args = parser.parse_args(argv)
    if not 0 <= args.seed < 2**32:
        parser.error(f"--seed must be in [0, 2**32), got {args.seed}")
    if os.path.exists(args.output_dir) and not os.path.isdir(args.output_dir):
        parser.error(f"--output-dir {args.output_dir} is a file, not a folder")
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        parser.error(f"--data-dir {args.data_dir} is not a folder")
    root = os.environ.get("KERASRNN_DATA")
    if args.data_dir is None and root and not os.path.isdir(root):
        # Not a silent fall-back to the built-in stand-ins: the user meant real data.
        parser.error(f"$KERASRNN_DATA {root} is not a folder (unset it for the built-in data)")
    if args.lesson is not None:
        try:  # before any lesson runs, not when its first PNG is saved
            _claim_output_dir(args.output_dir)
        except OutputInTheWayError as error:
            parser.error(str(error))
        except OSError as error:
            parser.error(f"--output-dir {args.output_dir} can't be made: {error.strerror}")
    return args


def _claim_output_dir(folder):
    """Makes `folder` the lessons' own (a `.kerasrnn` marker), or refuses a user's folder.

    Free to use: a new or empty folder, one marked as the lessons' output, or one
    from before the marker holding nothing but lesson pictures (`<lesson>.png`,
    PNG files). Anything else might hold a file of the user's that a lesson would
    overwrite, so it stops the command before any lesson runs.
    """
    if not os.path.isdir(folder):
        make_ours(folder, "lessons")
        return
    if kind_of(folder) == "lessons":
        return
    pictures = {f"{name}.png" for name in LESSON_NAMES}
    entries = os.listdir(folder)
    if all(name in pictures and _is_png(os.path.join(folder, name)) for name in entries):
        mark_ours(folder, "lessons")
        return
    claim(folder, "lessons' pictures", "lessons")  # raises, naming what is there


def _is_png(path):
    if not os.path.isfile(path) or os.path.islink(path):
        return False
    with open(path, "rb") as handle:
        return handle.read(8) == b"\x89PNG\r\n\x1a\n"


def main(argv=None):
    args = parse(argv)
    if args.lesson is None:
        print("Lessons (python -m apps.lessons LESSON|all --output-dir DIR [--seed S] [--tiny]):")
        for name in LESSON_NAMES:
            print(f"  {name:13s} {CLAIMS[name]}")
        return 0
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    names = LESSON_NAMES if args.lesson == "all" else (args.lesson,)
    outcomes = {}
    for name in names:
        settings = Settings(args.output_dir, seed=args.seed, tiny=args.tiny,
                            data_dir=args.data_dir)
        keras.utils.set_random_seed(args.seed)
        print(f"== {name}: {CLAIMS[name]}\n", flush=True)
        start = time.perf_counter()
        outcomes[name] = lesson_module(name).run(settings)
        print(f"({name} took {time.perf_counter() - start:.0f} s)\n", flush=True)
    if len(names) > 1:
        for name, borne_out in outcomes.items():
            print(f"  {name:13s} claim borne out: {'yes' if borne_out else 'NO'}")
    if args.tiny:
        print("(--tiny: sizes for the tests; these verdicts say nothing about the claims)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
