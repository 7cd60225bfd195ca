"""Downloading registry datasets with checksums and a cache.

Files go through ``keras.utils.get_file`` (which caches and verifies SHA-256)
into ``CACHE_DIR/kerasrnn/<dataset name>/``. A file already in the cache with
the right checksum is used without touching the network. Downloads use a
socket timeout so that an unreachable host fails in seconds, not minutes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sys
import zipfile

from kerasrnn.data.errors import DownloadError
from kerasrnn.data.registry import DatasetEntry, RemoteFile


def sha256_of(path: str | os.PathLike) -> str:
    """Returns the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_cache_dir() -> str:
    """Returns ``$KERAS_HOME`` or ``~/.keras``, where Keras caches downloads."""
    return os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))


@contextlib.contextmanager
def _socket_timeout(seconds: float):
    # get_file uses urllib without a timeout; the default socket timeout is the only handle.
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def download_dataset(
    entry: DatasetEntry, cache_dir: str | None = None, timeout: float = 10.0
) -> str:
    """Downloads (or finds in the cache) every file of ``entry``.

    Returns:
        The path a reader takes: the dataset folder, or for single-file
        datasets the file.

    Raises:
        DownloadError: the entry has no URLs, a download failed or timed out,
            or a checksum did not match (the bad file is removed from the cache).
    """
    if not entry.files or any(f.url is None for f in entry.files):
        raise DownloadError(f"no download URL is known for dataset {entry.name!r}")
    folder = os.path.join(cache_dir or default_cache_dir(), "kerasrnn", entry.name)
    with _socket_timeout(timeout):
        for remote in entry.files:
            _fetch(remote, folder)
    if entry.is_single_file:
        return os.path.join(folder, entry.files[0].path)
    return folder


def _fetch(remote: RemoteFile, folder: str) -> None:
    target = os.path.join(folder, remote.path)
    if os.path.exists(target) and sha256_of(target) == remote.sha256:
        return
    subdir, name = os.path.split(target)
    if remote.archive_member is None and remote.source_encoding is None:
        _get_file(remote.url, name, remote.sha256, subdir)
        return
    if remote.archive_member is not None:
        archive = _get_file(remote.url, name + ".zip", remote.archive_sha256, subdir)
        with zipfile.ZipFile(archive) as bundle:
            data = bundle.read(remote.archive_member)
    else:
        raw = _get_file(remote.url, name + ".download", None, subdir)
        with open(raw, "rb") as handle:
            data = handle.read().decode(remote.source_encoding).encode("utf-8")
    actual = hashlib.sha256(data).hexdigest()
    if actual != remote.sha256:
        raise DownloadError(
            f"{remote.url}: checksum mismatch for {remote.path}: expected sha256 "
            f"{remote.sha256}, got {actual}")
    with open(target, "wb") as handle:
        handle.write(data)


def _get_file(url: str, name: str, sha256: str | None, folder: str) -> str:
    """Calls ``keras.utils.get_file``; turns its failures into `DownloadError`."""
    import keras  # deferred: only downloads need it

    # get_file falls back to /tmp when the cache folder does not exist yet.
    os.makedirs(folder, exist_ok=True)
    cache_dir, subdir = os.path.split(folder.rstrip(os.sep))
    try:
        # get_file reports progress on stdout, where commands print their results
        # (e.g. `evaluate`'s JSON): it goes to stderr instead.
        with contextlib.redirect_stdout(sys.stderr):
            return keras.utils.get_file(
                fname=name, origin=url, file_hash=sha256, hash_algorithm="sha256",
                cache_dir=cache_dir, cache_subdir=subdir)
    except ValueError as error:  # get_file's checksum failure
        bad = os.path.join(folder, name)
        if os.path.exists(bad):
            os.remove(bad)  # otherwise the corrupt file sits in the cache
        raise DownloadError(f"{url}: checksum mismatch for {name}: {error}") from None
    except Exception as error:  # get_file re-raises URL errors as a bare Exception
        raise DownloadError(f"{url}: download failed: {error}") from None
