"""The readers on the real shared data: counts from shared/data/SOURCES.md.

Run with ``KERASRNN_DATA=/path/to/shared/data pytest -m realdata``; without it
every test here is skipped.
"""

import os
import time

import pytest

from kerasrnn.data import (
    load_dataset,
    make_tag_lookup,
    make_token_lookup,
    normalize_token_lists,
    tagging_dataset,
)

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def root():
    path = os.environ.get("KERASRNN_DATA")
    if not path:
        pytest.skip("KERASRNN_DATA is not set")
    if not os.path.isdir(path):
        pytest.skip(f"KERASRNN_DATA={path} is not a folder")
    return path


def load(root, name, **options):
    """Loads from the data root only (no TFDS, no download)."""
    if not os.path.exists(os.path.join(root, name_path(name))):
        pytest.skip(f"{name} is not under {root}")
    return load_dataset(name, data_root=root, use_tfds=False, download=False, **options)


def name_path(name):
    from kerasrnn.data import DATASETS

    return DATASETS[name].path


def counts(data):
    return {split: len(examples) for split, examples in data.splits.items()}


def test_atis(root):
    data = load(root, "atis")
    assert counts(data) == {"train": 4478, "valid": 500, "test": 893}
    assert [data.report.count(s, "tokens") for s in ("train", "valid", "test")] == [
        50497, 5703, 9164]
    assert data.report.total("I- tags converted to B-") == 0
    assert len(data.tags()) == 127
    assert len(data.intents()) == 26
    assert "atis_day_name" in data.intents("test") and "atis_day_name" not in data.intents("train")


def test_conll2003(root):
    data = load(root, "conll2003")
    assert counts(data) == {"train": 14041, "valid": 3250, "test": 3453}
    assert data.report.count("train", "documents") == 946
    assert data.report.count("train", "tokens") == 203621
    assert "detected tag scheme IOB2" in data.report.notes
    assert len(data.tags()) == 9


def test_trec(root):
    data = load(root, "trec")
    assert counts(data) == {"train": 5452, "test": 500}
    assert len(data.labels()) == 6
    assert len(load(root, "trec", label_level="fine").labels("train")) == 50


def test_sst2(root):
    data = load(root, "sst2")
    assert counts(data) == {"train": 67349, "valid": 872, "test": 1821}
    assert sum(e.label == "1" for e in data.splits["train"]) == 37569
    assert "test is unlabelled (no 'label' column)" in data.report.notes


def test_ud_english_lines(root):
    data = load(root, "ud-english-lines")
    assert counts(data) == {"train": 3457, "valid": 1118, "test": 1121}
    assert data.report.count("train", "words") == 64684
    assert data.report.skipped["train"] == {"multi-word-token lines": 690}
    assert len(data.tags("train")) == 17 and "SYM" not in data.tags("test")


def test_kafka_without_gutenberg_licence(root):
    corpus = load(root, "kafka")
    text = corpus.splits["train"] + corpus.splits["valid"]
    assert text.startswith("One morning, when Gregor Samsa woke")
    assert "Gutenberg" not in text
    assert corpus.report.total("lines") < 200


def test_hongloumeng_crlf_and_header(root):
    corpus = load(root, "hongloumeng")
    text = corpus.splits["train"]
    assert text.startswith("第一回") and "\r" not in text
    assert len(corpus.characters()) > 4000


def test_spa_eng_split_without_sentence_overlap(root):
    start = time.monotonic()
    data = load(root, "spa-eng")
    assert time.monotonic() - start < 30
    assert sum(counts(data).values()) == 118964
    english = [{p.target for p in data.splits[s]} for s in ("train", "valid", "test")]
    assert len(set().union(*english)) == 102904
    assert not (english[0] & english[1] or english[0] & english[2] or english[1] & english[2])
    assert 0.75 < len(data.splits["train"]) / 118964 < 0.85


def test_atis_pipeline_is_fast(root):
    data = load(root, "atis")
    start = time.monotonic()
    train = data.splits["train"]
    tokens = make_token_lookup(normalize_token_lists(e.tokens for e in train))
    tags = make_tag_lookup(e.tags for e in train)
    batches = sum(1 for _ in tagging_dataset(train, tokens, tags, batch_size=32))
    assert batches >= 4478 // 32
    assert time.monotonic() - start < 20


def test_registry_checksums_match_the_shared_files(root):
    import hashlib

    from kerasrnn.data import DATASETS

    checked = 0
    for entry in DATASETS.values():
        folder = os.path.join(root, entry.path)
        folder = os.path.dirname(folder) if entry.is_single_file else folder
        for remote in entry.files:
            path = os.path.join(folder, remote.path)
            if os.path.exists(path):
                with open(path, "rb") as handle:
                    assert hashlib.sha256(handle.read()).hexdigest() == remote.sha256, path
                checked += 1
    assert checked >= 20
