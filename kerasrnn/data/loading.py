"""``load_dataset``: one entry point for named datasets and user folders.

A name resolves in this order (the first that works wins):

1. ``$KERASRNN_DATA/<entry.path>`` (or ``data_root=``), a folder laid out like
   the project's ``shared/data``;
2. for datasets in the tensorflow-datasets catalog, TFDS data already prepared;
3. the canonical URL through ``keras.utils.get_file`` (checksum, cache, short
   timeout);
4. otherwise a `DatasetNotFoundError` naming the expected path and both ways to
   supply the data: ``--data-dir PATH`` and ``KERASRNN_DATA``.

A user folder or file (``data_dir=``) is read by the reader of its format,
given or detected from the layout, exactly as a registry dataset would be.
"""

from __future__ import annotations

import os

from kerasrnn.data import (
    classification,
    conll,
    conllu,
    flights,
    parallel,
    slot_filling,
    text_corpus,
)
from kerasrnn.data.download import download_dataset
from kerasrnn.data.errors import DataFormatError, DatasetNotFoundError, DownloadError
from kerasrnn.data.registry import FORMATS, DatasetEntry, get_entry

READERS = {
    "slot_filling": slot_filling.read_slot_filling,
    "conll": conll.read_conll,
    "conllu": conllu.read_conllu,
    "trec": classification.read_trec,
    "glue_tsv": classification.read_glue_tsv,
    "labelled_tsv": classification.read_labelled_tsv,
    "text_corpus": text_corpus.read_text_corpus,
    "parallel_pairs": parallel.read_parallel_pairs,
}


def load_dataset(
    name: str | None = None,
    data_dir: str | os.PathLike | None = None,
    *,
    data_format: str | None = None,
    data_root: str | os.PathLike | None = None,
    use_tfds: bool = True,
    download: bool = True,
    cache_dir: str | None = None,
    timeout: float = 10.0,
    **reader_options,
):
    """Reads a dataset by name (``--data NAME``) or from a path (``--data-dir PATH``).

    Args:
        name: a `DATASETS` name such as ``"atis"`` or ``"spa-eng"``.
        data_dir: the dataset itself: the folder holding its splits, or for
            single-file datasets the file. Exactly one of ``name`` and
            ``data_dir`` must be given.
        data_format: reader for ``data_dir`` (one of `FORMATS`); detected from
            the layout when omitted.
        data_root: overrides ``$KERASRNN_DATA``.
        use_tfds: try prepared tensorflow-datasets data (step 2).
        download: try the canonical URL (step 3).
        cache_dir: download cache (default ``~/.keras``).
        timeout: seconds a stalled download may wait before it fails.
        **reader_options: passed to the reader, overriding the entry's.

    Returns:
        The reader's dataclass (`SequenceLabellingDataset`, ...).

    Raises:
        ValueError: both or neither of ``name`` and ``data_dir``.
        DataFormatError: the data were found but are malformed.
        DatasetNotFoundError: the name could not be resolved.
    """
    if (name is None) == (data_dir is None):
        raise ValueError(
            f"give exactly one of name and data_dir, received name={name!r}, data_dir={data_dir!r}")
    if data_dir is not None:
        data_dir = os.fspath(data_dir)
        if not os.path.exists(data_dir):
            raise DataFormatError(data_dir, "data folder or file not found (--data-dir)")
        return read_path(data_dir, data_format or detect_format(data_dir), **reader_options)
    entry = get_entry(name)
    options = {**entry.reader_options, **reader_options}
    if entry.format == "builtin_flights":
        return flights.generate_flights(**options)
    root = data_root if data_root is not None else os.environ.get("KERASRNN_DATA")
    expected = os.path.join(root, entry.path) if root else f"$KERASRNN_DATA/{entry.path}"
    if root and os.path.exists(expected):
        return read_path(expected, entry.format, **options)
    attempts = [f"not at {expected}" + ("" if root else " (KERASRNN_DATA is unset)")]
    if use_tfds and entry.tfds_name:
        data = _try_tfds(entry, options, attempts)
        if data is not None:
            return data
    if download:
        try:
            path = download_dataset(entry, cache_dir=cache_dir, timeout=timeout)
            return read_path(path, entry.format, **options)
        except DownloadError as error:
            attempts.append(str(error))
    raise DatasetNotFoundError(_not_found_message(entry, expected, attempts))


def _try_tfds(entry: DatasetEntry, options: dict, attempts: list[str]):
    """Returns the TFDS version of ``entry`` if prepared, else ``None`` (reason in ``attempts``)."""
    from kerasrnn.data.tfds_source import load_from_tfds

    try:
        tfds_options = {k: v for k, v in options.items() if k == "label_level"}
        return load_from_tfds(entry.tfds_name, entry.format, **tfds_options)
    except DataFormatError:
        raise  # the data are there but bad: say so rather than try elsewhere
    except Exception as error:  # TFDS raises several types for "not prepared"
        # Its first sentence: TFDS goes on to advise download_and_prepare() at length.
        first_line = (str(error).splitlines() or [""])[0].split(". ")[0][:200]
        attempts.append(f"tensorflow-datasets {entry.tfds_name!r}: "
                        f"{type(error).__name__}: {first_line}")
        return None


# Formats whose data are a folder of split files (the others read a file, or either).
FOLDER_FORMATS = ("slot_filling", "conll", "trec", "glue_tsv", "labelled_tsv")


def read_path(path: str, data_format: str, **options):
    """Reads ``path`` with the reader of ``data_format``.

    Raises:
        DataFormatError: ``path`` is a file where the format is a folder of splits
            (said as such, not as "<file>/train.txt: file not found").
    """
    if data_format not in READERS:
        known = sorted(set(READERS) & set(FORMATS))
        raise ValueError(f"data_format must be one of {known}, received {data_format!r}")
    if data_format in FOLDER_FORMATS and os.path.isfile(path):
        raise DataFormatError(path, f"a file, not a folder: {data_format} data are a "
                              "folder holding a file per split")
    return READERS[data_format](path, **options)


def detect_format(path: str) -> str:
    """Guesses the format of a dataset folder or file from its layout.

    Raises:
        DataFormatError: nothing recognisable; the message lists the layouts.
    """
    if os.path.isfile(path):
        if path.endswith(".conllu"):
            return "conllu"
        with open(path, "rb") as handle:
            head = handle.read(4096)
        # Pair files have a tab on every line; plain prose almost never does.
        return "parallel_pairs" if b"\t" in head.split(b"\n", 1)[0] else "text_corpus"

    def has(*parts):
        return os.path.exists(os.path.join(path, *parts))

    if has("train", "seq.in"):
        return "slot_filling"
    if any(name.endswith(".conllu") for name in os.listdir(path)):
        return "conllu"
    if has("train.txt"):
        return "conll"
    if has("train.label"):
        return "trec"
    if has("dev.tsv") or (has("train.tsv") and _has_glue_header(os.path.join(path, "train.tsv"))):
        return "glue_tsv"
    if has("train.tsv"):
        return "labelled_tsv"
    raise DataFormatError(
        path, "cannot tell the data format; expected train/seq.in (slot filling), *.conllu, "
        "train.txt (CoNLL), train.label (TREC), dev.tsv (GLUE), train.tsv (label<TAB>text), "
        "or a single text/pairs file; or pass data_format")


def _has_glue_header(path: str) -> bool:
    """Whether a TSV file's first line that is not blank is a header row
    (`classification.is_header`)."""
    with open(path, "rb") as handle:
        first = next((line for line in handle if line.strip()), b"")
    return classification.is_header(
        [field.strip() for field in first.decode("utf-8", "replace").lstrip("\ufeff").split("\t")])


def _not_found_message(entry: DatasetEntry, expected: str, attempts: list[str]) -> str:
    kind = "the file" if entry.is_single_file else "the folder holding its splits"
    tried = "\n".join(f"  - {attempt}" for attempt in attempts)
    return (
        f"dataset {entry.name!r} not found. Expected it at {expected}.\n"
        f"Tried:\n{tried}\n"
        f"Supply it with --data-dir PATH ({kind}), or set KERASRNN_DATA to a data root "
        f"containing {entry.path}.\nLicence: {entry.licence}")

