"""`make lecture`: the worked examples, now the `toy_networks` lesson (kept as an alias).

    python -m apps.lecture     # same printout as `python -m apps.lessons toy_networks`, no PNG
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from apps.lessons.toy_networks import print_examples  # noqa: E402


def main():
    print_examples()


if __name__ == "__main__":
    main()
