"""Tiny NER (CoNLL columns) and POS (CoNLL-U) folders for the tagging apps' tests."""

import random

PEOPLE = ["Teddy Roosevelt", "Angela Merkel", "Ada Lovelace", "John Smith", "Marie Curie"]
PLACES = ["Paris", "New York", "Berlin", "Taipei", "Boston"]
GROUPS = ["Reuters", "Acme Corp", "the United Nations"]
TEMPLATES = ["{PER} visited {LOC} .", "{PER} works for {ORG} in {LOC} .",
             "{ORG} said on Monday that {PER} left .", "Rain fell in {LOC} ."]
# Tiny flags: every model part present, everything small.
TINY = ["--units", "8", "--embedding-dim", "8", "--char-dim", "4", "--char-units", "4",
        "--batch-size", "8", "--time-budget", "0"]


def ner_sentences(count, seed):
    """`count` (tokens, IOB2 tags) pairs from the templates above."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(count):
        tokens, tags = [], []
        for word in rng.choice(TEMPLATES).split():
            if word.startswith("{"):
                kind = word[1:4]
                name = rng.choice({"PER": PEOPLE, "LOC": PLACES, "ORG": GROUPS}[kind]).split()
                tokens += name
                tags += [f"B-{kind}"] + [f"I-{kind}"] * (len(name) - 1)
            else:
                tokens.append(word)
                tags.append("O")
        sentences.append((tokens, tags))
    return sentences


def write_conll_folder(folder, sizes=(40, 10, 10), separator=" ", docstart=True):
    """train.txt / valid.txt / test.txt in CoNLL-2003 columns (token POS chunk tag)."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, (split, count) in enumerate(zip(("train", "valid", "test"), sizes)):
        lines = [f"-DOCSTART-{separator}-X-{separator}-X-{separator}O", ""] if docstart else []
        for tokens, tags in ner_sentences(count, seed):
            lines += [separator.join([t, "NN", "O", g]) for t, g in zip(tokens, tags)] + [""]
        (folder / f"{split}.txt").write_text("\n".join(lines), encoding="utf-8")
    return folder


UPOS = {"the": "DET", "a": "DET", "cat": "NOUN", "dog": "NOUN", "man": "NOUN",
        "sees": "VERB", "likes": "VERB", "old": "ADJ", "big": "ADJ", ".": "PUNCT",
        "Paris": "PROPN", "in": "ADP"}


def pos_sentences(count, seed):
    rng = random.Random(seed)
    nouns, verbs, adjectives = ["cat", "dog", "man"], ["sees", "likes"], ["old", "big"]
    for _ in range(count):
        words = [rng.choice(["the", "a"]), rng.choice(adjectives), rng.choice(nouns),
                 rng.choice(verbs), rng.choice(["the", "a"]), rng.choice(nouns)]
        if rng.random() < 0.5:
            words += ["in", "Paris"]
        yield words + ["."]


def write_conllu_folder(folder, sizes=(40, 10, 10), prefix="en_tiny"):
    """<prefix>-ud-{train,dev,test}.conllu; the first sentence has a multi-word token."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, (split, count) in enumerate(zip(("train", "dev", "test"), sizes)):
        lines = []
        for number, words in enumerate(pos_sentences(count, seed)):
            lines += [f"# sent_id = {split}-{number}", f"# text = {' '.join(words)}"]
            if number == 0:
                lines.append("1-2\tThe old\t_\t_\t_\t_\t_\t_\t_\t_")
            for i, word in enumerate(words, 1):
                tag = UPOS[word]
                fields = [i, word, word.lower(), tag, tag[:2], "_", i - 1, "dep", "_", "_"]
                lines.append("\t".join(map(str, fields)))
            lines.append("")
        (folder / f"{prefix}-ud-{split}.conllu").write_text("\n".join(lines) + "\n",
                                                            encoding="utf-8")
    return folder
