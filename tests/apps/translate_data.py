"""Small sentence-pair files for the translate tests, written by the tests themselves."""

import numpy as np

# (English, Spanish) words of a toy grammar: "the cat sees a dog." / "el gato ve un perro."
SUBJECTS = [("The cat", "El gato"), ("The dog", "El perro"), ("Tom", "Tom"),
            ("My friend", "Mi amigo")]
VERBS = [("sees", "ve"), ("likes", "quiere a"), ("doesn't see", "no ve")]
OBJECTS = [("a bird", "un pájaro"), ("the house", "la casa"), ("Mary", "María"),
           ("the library", "la biblioteca")]
ENDINGS = [(".", "."), ("?", "?")]
TINY = ["--units", "8", "--embedding-dim", "8", "--batch-size", "16", "--time-budget", "0",
        "--min-count", "1", "--beam-size", "2"]


def pairs(count, seed=0):
    """`count` distinct (English, Spanish) sentence pairs of the toy grammar."""
    rng = np.random.default_rng(seed)
    seen, out = set(), []
    while len(out) < count:
        s, v, o, e = (parts[rng.integers(len(parts))]
                      for parts in (SUBJECTS, VERBS, OBJECTS, ENDINGS))
        english = f"{s[0]} {v[0]} {o[0]}{e[0]}"
        spanish = f"{'¿' if e[1] == '?' else ''}{s[1]} {v[1]} {o[1]}{e[1]}"
        if english not in seen:
            seen.add(english)
            out.append((english, spanish))
        elif len(seen) >= len(SUBJECTS) * len(VERBS) * len(OBJECTS) * len(ENDINGS):
            break
    return out


def write_pairs(path, count=96, seed=0):
    """A pairs file (English<TAB>Spanish<TAB>attribution per line); its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{en}\t{es}\tCC-BY 2.0 (France) test" for en, es in pairs(count, seed)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
