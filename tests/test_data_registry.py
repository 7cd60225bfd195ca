"""Registry entries and name resolution: data root, TFDS (mocked), download (local server)."""

import contextlib
import dataclasses
import functools
import hashlib
import http.server
import os
import shutil
import socket
import threading
import time
import zipfile

import pytest

from kerasrnn.data import (
    DATASETS,
    DataFormatError,
    DatasetNotFoundError,
    DownloadError,
    RemoteFile,
    download_dataset,
    load_dataset,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "data")


def sha256(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@contextlib.contextmanager
def serve(folder):
    """Serves ``folder`` over HTTP on 127.0.0.1 in a thread; yields the base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens, so downloads fail at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def entry_served_from(name, base_url):
    """The registry entry ``name`` with every URL moved to ``base_url``."""
    entry = DATASETS[name]
    files = tuple(dataclasses.replace(f, url=f"{base_url}/{f.path}") for f in entry.files)
    return dataclasses.replace(entry, files=files)


def test_registry_entries_are_complete():
    expected = {"atis", "conll2003", "conll2002", "trec", "sst2", "kafka", "hongloumeng",
                "spa-eng", "ud-english-lines", "flights"}
    assert expected <= set(DATASETS)
    for entry in DATASETS.values():
        assert entry.licence
        for remote in entry.files:
            assert len(remote.sha256) == 64
            assert remote.url.startswith("https://raw.githubusercontent.com/")
    assert DATASETS["spa-eng"].path == "translation/spa-eng.txt"
    assert DATASETS["ud-english-lines"].path == "pos/ud_english_lines"
    assert DATASETS["conll2003"].tfds_name == "conll2003"
    assert DATASETS["sst2"].tfds_name == "glue/sst2"


def test_unknown_name_lists_known_names():
    with pytest.raises(KeyError, match="known datasets: .*atis"):
        load_dataset("atis-typo")


def test_name_resolves_under_data_root(tmp_path, monkeypatch):
    shutil.copytree(os.path.join(FIXTURES, "slot_filling"), tmp_path / "atis")
    os.makedirs(tmp_path / "translation")
    shutil.copy(os.path.join(FIXTURES, "pairs", "eng-spa.txt"), tmp_path / "translation" /
                "spa-eng.txt")
    monkeypatch.setenv("KERASRNN_DATA", str(tmp_path))
    atis = load_dataset("atis", download=False)
    assert len(atis.splits["train"]) == 4
    pairs = load_dataset("spa-eng", download=False)
    # Spanish (the second column) is the source by default, English the target.
    assert all(p.target.isascii() for p in pairs.splits["train"])
    assert not all(p.source.isascii() for s in pairs.splits.values() for p in s)


def test_builtin_flights_by_name():
    data = load_dataset("flights", num_train=20, num_valid=5, num_test=5, seed=3)
    assert len(data.splits["train"]) == 20


def test_no_data_anywhere_fails_fast_with_both_remedies(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASRNN_DATA", str(tmp_path / "empty_root"))
    monkeypatch.setitem(DATASETS, "atis", entry_served_from("atis", closed_port_url()))
    start = time.monotonic()
    with pytest.raises(DatasetNotFoundError) as info:
        load_dataset("atis", cache_dir=str(tmp_path / "cache"), timeout=2)
    assert time.monotonic() - start < 30
    message = str(info.value)
    assert str(tmp_path / "empty_root" / "atis") in message
    assert "--data-dir PATH" in message and "KERASRNN_DATA" in message
    assert "download failed" in message


def test_download_verifies_checksums_and_caches(tmp_path):
    entry = DATASETS["atis"]
    files = tuple(RemoteFile(f.path, f.url, sha256(os.path.join(FIXTURES, "slot_filling", f.path)))
                  for f in entry.files)
    cache = tmp_path / "cache"
    with serve(os.path.join(FIXTURES, "slot_filling")) as url:
        served = dataclasses.replace(
            entry, files=tuple(dataclasses.replace(f, url=f"{url}/{f.path}") for f in files))
        folder = download_dataset(served, cache_dir=str(cache))
    assert folder == str(cache / "kerasrnn" / "atis")
    assert sha256(cache / "kerasrnn" / "atis" / "train" / "seq.in") == files[0].sha256
    # The server is gone: a second call is served from the cache.
    assert download_dataset(served, cache_dir=str(cache)) == folder


def test_download_then_read_through_load_dataset(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("KERASRNN_DATA", raising=False)
    source = os.path.join(FIXTURES, "pairs", "eng-spa.txt")
    with serve(os.path.dirname(source)) as url:
        remote = RemoteFile("spa-eng.txt", f"{url}/eng-spa.txt", sha256(source))
        monkeypatch.setitem(DATASETS, "spa-eng",
                            dataclasses.replace(DATASETS["spa-eng"], files=(remote,)))
        data = load_dataset("spa-eng", cache_dir=str(tmp_path))
    assert sum(len(p) for p in data.splits.values()) == 32
    # Progress goes to stderr: stdout is where commands print their results.
    printed = capsys.readouterr()
    assert "Downloading data from" in printed.err and printed.out == ""


def test_checksum_mismatch_is_an_error_and_leaves_no_file(tmp_path):
    with serve(os.path.join(FIXTURES, "trec")) as url:
        remote = RemoteFile("train.label", f"{url}/train.label", "0" * 64)
        entry = dataclasses.replace(DATASETS["trec"], files=(remote,))
        with pytest.raises(DownloadError, match="checksum mismatch"):
            download_dataset(entry, cache_dir=str(tmp_path))
    assert not os.path.exists(tmp_path / "kerasrnn" / "trec" / "train.label")


def test_zip_member_and_latin1_transcoding(tmp_path):
    served = tmp_path / "served"
    os.makedirs(served)
    text = b"Owls fly.\tVuelan.\nThe tram waits.\tEl tranvia espera.\n"
    with zipfile.ZipFile(served / "pairs.zip", "w") as bundle:
        bundle.writestr("spa-eng/spa.txt", text)
    latin = "DESC:def What is a café ?\n"
    (served / "q.label").write_bytes(latin.encode("latin-1"))
    utf8_sha = hashlib.sha256(latin.encode()).hexdigest()
    with serve(served) as url:
        pairs = dataclasses.replace(DATASETS["spa-eng"], files=(RemoteFile(
            "spa-eng.txt", f"{url}/pairs.zip", hashlib.sha256(text).hexdigest(),
            archive_member="spa-eng/spa.txt", archive_sha256=sha256(served / "pairs.zip")),))
        path = download_dataset(pairs, cache_dir=str(tmp_path / "cache"))
        trec = dataclasses.replace(DATASETS["trec"], files=(RemoteFile(
            "train.label", f"{url}/q.label", utf8_sha, source_encoding="latin-1"),))
        folder = download_dataset(trec, cache_dir=str(tmp_path / "cache"))
    assert open(path, "rb").read() == text
    assert open(os.path.join(folder, "train.label"), encoding="utf-8").read() == latin


def conll_as_dataset(self, split, **kwargs):
    """Stands in for TFDS's conll2003 files: two invented sentences per split."""
    import tensorflow as tf

    # ner ids follow the TFDS conll2003 label list: 0 O, 1 B-PER, 2 I-PER, ... 5 B-LOC.
    rows = [(["Marta", "Quill", "sings"], [1, 2, 0]), (["Lorn", "waits"], [5, 0])]

    def generate():
        for tokens, ner in rows:
            yield {"id": "0", "tokens": tokens, "pos": [0] * len(tokens),
                   "chunks": [0] * len(tokens), "ner": ner}

    spec = {"id": tf.TensorSpec((), tf.string), "tokens": tf.TensorSpec((None,), tf.string),
            "pos": tf.TensorSpec((None,), tf.int64), "chunks": tf.TensorSpec((None,), tf.int64),
            "ner": tf.TensorSpec((None,), tf.int64)}
    return tf.data.Dataset.from_generator(generate, output_signature=spec)


def test_tfds_path_with_mock_data(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setenv("KERASRNN_DATA", str(tmp_path / "empty_root"))
    with tfds.testing.mock_data(as_dataset_fn=conll_as_dataset):
        conll = load_dataset("conll2003", download=False)
    assert set(conll.splits) == {"train", "valid", "test"}
    assert conll.report.source == "tensorflow-datasets:conll2003"
    assert conll.splits["valid"][0].tokens == ("Marta", "Quill", "sings")
    assert conll.splits["valid"][0].tags == ("B-PER", "I-PER", "O")
    assert conll.splits["test"][1].tags == ("B-LOC", "O")
    with tfds.testing.mock_data(num_examples=3):
        trec = load_dataset("trec", download=False, label_level="fine")
        sst2 = load_dataset("sst2", download=False)
    assert [len(trec.splits[s]) for s in ("train", "test")] == [3, 3]
    assert ":" in trec.splits["train"][0].label  # fine labels keep their coarse class
    assert sst2.splits["train"][0].label in {"negative", "positive"}


def test_tfds_examples_are_validated(tmp_path, monkeypatch):
    tfds = pytest.importorskip("tensorflow_datasets")
    monkeypatch.setenv("KERASRNN_DATA", str(tmp_path / "empty_root"))
    # Random mock data gives token and tag sequences of unrelated lengths.
    with tfds.testing.mock_data(num_examples=3), pytest.raises(
            DataFormatError, match=r"tensorflow-datasets:conll2003: train example 1: \d+ "
            r"tokens but \d+ NER tags"):
        load_dataset("conll2003", download=False)


def test_tfds_failure_is_reported_in_the_not_found_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERASRNN_DATA", str(tmp_path))
    start = time.monotonic()
    with pytest.raises(DatasetNotFoundError, match="tensorflow-datasets 'conll2002/es'"):
        load_dataset("conll2002", download=True)  # no URL known: fails without network
    assert time.monotonic() - start < 30


def test_not_found_error_is_a_file_not_found_error():
    assert issubclass(DatasetNotFoundError, FileNotFoundError)


def test_a_silent_server_times_out_quickly(tmp_path):
    # Accepts connections but never answers: without a timeout this would hang.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        entry = entry_served_from("kafka", url)
        start = time.monotonic()
        with pytest.raises(DownloadError, match="download failed"):
            download_dataset(entry, cache_dir=str(tmp_path), timeout=1)
        assert time.monotonic() - start < 10
