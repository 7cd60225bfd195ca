"""Small texts for the textgen tests, written by the tests themselves."""

import numpy as np

WORDS = "the cat is small . a dog is big . my cat sat on the mat . 猫 在 这里 。".split()
TINY = ["--units", "8", "--layers", "1", "--embedding-dim", "8", "--window", "24",
        "--stride", "12", "--batch-size", "16", "--time-budget", "0"]


def write_text(path, characters=6000, seed=0, gutenberg=False):
    """A text of random lines of `WORDS` (English and Chinese), as a UTF-8 file; its path."""
    rng = np.random.default_rng(seed)
    text = ""
    while len(text) < characters:
        text += " ".join(rng.choice(WORDS, size=8)) + "\n"
    if gutenberg:
        text = ("The Project Gutenberg EBook of Nothing\n\n*** START OF THIS PROJECT GUTENBERG "
                "EBOOK NOTHING ***\n" + text + "\nEnd of the Project Gutenberg EBook\nlicence\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
