"""Named datasets: where each lives under a data root, and where to download it.

``KERASRNN_DATA`` names a data root laid out like the project's
``shared/data`` folder; each entry's ``path`` is relative to it. Download URLs
point at the repository snapshots the shared copies were taken from, pinned
to a commit, with the SHA-256 of each file as stored there (see
``shared/data/SOURCES.md``). `kerasrnn.data.loading.load_dataset` resolves a
name; this module only describes.
"""

from __future__ import annotations

import dataclasses

FORMATS = ("slot_filling", "conll", "conllu", "trec", "glue_tsv", "labelled_tsv",
           "text_corpus", "parallel_pairs", "builtin_flights")


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset and where to fetch it.

    Attributes:
        path: file name relative to the dataset folder (for a single-file
            dataset: the file's own name).
        url: canonical download URL (``None``: no download known).
        sha256: checksum of the file as the reader expects it (UTF-8).
        archive_member: when ``url`` is a zip archive, the member to extract.
        archive_sha256: checksum of that archive.
        source_encoding: encoding of the downloaded bytes when it is not
            UTF-8; they are converted before ``sha256`` is checked.
    """

    path: str
    url: str | None
    sha256: str
    archive_member: str | None = None
    archive_sha256: str | None = None
    source_encoding: str | None = None


@dataclasses.dataclass(frozen=True)
class DatasetEntry:
    """A named dataset.

    Attributes:
        name: the name used with ``--data NAME``.
        format: which reader reads it (one of `FORMATS`).
        path: location under the data root (a folder, or a file for
            single-file datasets such as corpora and pair files).
        files: the files with URLs and checksums.
        licence: licence/terms note, shown to users who download.
        tfds_name: name in the tensorflow-datasets catalog, if any.
        reader_options: keyword arguments for the reader.
    """

    name: str
    format: str
    path: str
    files: tuple[RemoteFile, ...] = ()
    licence: str = ""
    tfds_name: str | None = None
    reader_options: dict = dataclasses.field(default_factory=dict)

    @property
    def is_single_file(self) -> bool:
        """True for datasets that are one file (corpora, pair files)."""
        return self.format in ("text_corpus", "parallel_pairs")


def _github(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


_ATIS = ("MiuLab/SlotGated-SLU", "61f0307c729b1fad479ef1de94aa5ac5dee601b0")
_ATIS_SHA = {
    "train/seq.in": "3a670980841b21ab39088b2595efc17d487cdc45769c075a3e5f9458bba28c7f",
    "train/seq.out": "14c7131bd66562f797dbd7189bc7358f0cf354c6afb0785a9ab973c35b58f34c",
    "train/label": "d0a771547665eecbdf9f96ea015ef07d1f6ee9f063e861020dafabb3c2a04377",
    "valid/seq.in": "c7435b96e7948393608c34819628e863c5338f11ca68e8f896d2cc041d8e17f8",
    "valid/seq.out": "83ccff3e36f83a993f8e5b5b82adf3256076f234abda4d784051381d7ac76922",
    "valid/label": "06957cfe6fdffac84f8280bc3a1f8ca85c85631b363817aa4543aac611f8addf",
    "test/seq.in": "4b2119fc59c37f9398c6605db435d4f467505009e6ee3e5af04fed09f39dc397",
    "test/seq.out": "a4690d6bceadc06876d1ff99bc401744aa981cb321e598ae12a3859d7be53254",
    "test/label": "ce4bfe6590d9498e1078f30b4137d3e8b3e94277b444b26360c0bf2e9e282761",
}
_CONLL = ("kamalkraj/BERT-NER", "e5be564156f194f1becb0d82aeaf6e762d9eb9ed")
_CONLL_SHA = {
    "train.txt": "213953b5522fb7924802d883e50f027b2c6ffb5d4d0e63368ed82909f9b60423",
    "valid.txt": "c02eb19809eafb83998326a0481942eb37d96f31826ae387cfe8773699969f5b",
    "test.txt": "dc4ac7f3d6d01a6bec59261814561da3b287b6b493b97d1f69c580b52ec1831b",
}
_TREC = ("harvardnlp/sent-conv-torch", "d61ded09c99c0199d8c5bca946cd65864de2b296")
_SST2 = ("eyalbd2/Reproducing-AutoPrompt", "6288fb5bec9c572f2492875ae0111df5b6daed11")
_UD = ("UniversalDependencies/UD_English-LinES", "30927439b9d383d21d0c86e647ba493cd89adf8c")
_UD_SHA = {
    "train": "27609ded288bf3704def21f18d227e3f40957b4981174411f6bed34acf3025b6",
    "dev": "3aabd1f843517fb615c8760c316a76125af2fff01c59b9a4049fe7c393891d2b",
    "test": "14c56b50da6d8876ce1fdaa9b19c2845dfff73ff57766ddc2f812d88612ce3a8",
}
_SPA = ("Hoangduc212001/hoang", "2cfd26f9551f5c2d614e8000500891801840a438")

_ENTRIES = [
    DatasetEntry(
        "atis", "slot_filling", "atis",
        tuple(RemoteFile(p, _github(*_ATIS, f"data/atis/{p}"), sha)
              for p, sha in _ATIS_SHA.items()),
        licence="ATIS is LDC-licensed; this widely redistributed split (Goo et al. 2018) "
        "is for research use only."),
    DatasetEntry(
        "conll2003", "conll", "conll2003",
        tuple(RemoteFile(p, _github(*_CONLL, f"data/{p}"), sha) for p, sha in _CONLL_SHA.items()),
        licence="CoNLL-2003 annotations; Reuters RCV1 text under the NIST research agreement. "
        "Research use only.", tfds_name="conll2003"),
    DatasetEntry(
        "conll2002", "conll", "conll2002_es",
        licence="CoNLL-2002 Spanish NER (EFE newswire); research use.", tfds_name="conll2002/es",
        reader_options={"split_files": {"train": "esp.train", "valid": "esp.testa",
                                        "test": "esp.testb"}}),
    DatasetEntry(
        "trec", "trec", "trec",
        (RemoteFile("train.label", _github(*_TREC, "data/raw/TREC.train"),
                    "016243a7ddb380241c94eabcf073a210b9a83a2e772347cb5ed844722a192faf",
                    source_encoding="latin-1"),
         RemoteFile("test.label", _github(*_TREC, "data/raw/TREC.test"),
                    "033f22c028c2bbba9ca682f68ffe204dc1aa6e1cf35dd6207f2d4ca67f0d0e8e")),
        licence="Li & Roth 2002, freely distributed for research by UIUC CogComp.",
        tfds_name="trec"),
    DatasetEntry(
        "sst2", "glue_tsv", "sst2",
        (RemoteFile("train.tsv", _github(*_SST2, "glue_data/SST-2/train_full.tsv"),
                    "48eac26399f8456935f81dd9e3a745c1430adb6c62e233ccfe22db4a0d15d1d1"),
         RemoteFile("dev.tsv", _github(*_SST2, "glue_data/SST-2/dev.tsv"),
                    "54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0"),
         RemoteFile("test.tsv", _github(*_SST2, "glue_data/SST-2/test.tsv"),
                    "69a938605609b3e6663b4487918fe1565eb293734e6e520d0366d1d412fd2a13")),
        licence="Stanford Sentiment Treebank via GLUE; no explicit licence, research use.",
        tfds_name="glue/sst2"),
    DatasetEntry(
        "kafka", "text_corpus", "kafka/metamorphosis.txt",
        (RemoteFile("metamorphosis.txt",
                    _github("llSourcell/recurrent_neural_network",
                            "e1222ea55d909d87f7dbb263a8afa0c389e5491c", "kafka.txt"),
                    "836497d1e5a47b1744e68da78822e8af19ddadc565e3a09fde348f300e14ec78"),),
        licence="Project Gutenberg eBook #5200; public domain in the USA, Gutenberg licence.",
        reader_options={"strip_gutenberg": True}),
    DatasetEntry(
        "hongloumeng", "text_corpus", "hongloumeng/hongloumeng.txt",
        (RemoteFile("hongloumeng.txt",
                    _github("davidkorea/NLP_Hongloumeng",
                            "c1dd7e46343d87b2b40c869a31f67514f310857b", "data/hongloumeng.txt"),
                    "1f6019cf7a67134c2de2abc5db0062fea38cf894fadc373e27861f3a1548af70"),),
        licence="Cao Xueqin, 18th century, public domain.",
        # Lines 1-5 are a website header, line 6 is blank; the novel starts at line 7.
        reader_options={"skip_lines": 6}),
    DatasetEntry(
        "spa-eng", "parallel_pairs", "translation/spa-eng.txt",
        (RemoteFile("spa-eng.txt", _github(*_SPA, "spa-eng.zip"),
                    "6ec60e212f812ee3430f7568ea6f33b6fb080e32193c5952e8da0ee8ba45574c",
                    archive_member="spa-eng/spa.txt",
                    archive_sha256="f80e581ae291aa34dd3aba7bd98b5e9505234da4318e2f3295df70a1520c7f61"),),
        licence="CC-BY 2.0 (France); attribution: www.manythings.org/anki and tatoeba.org.",
        # The file is English<TAB>Spanish; read Spanish -> English by default (issue 18:
        # the translator's default direction). The split is the same either way.
        reader_options={"source_column": 1, "target_column": 0}),
    DatasetEntry(
        "ud-english-lines", "conllu", "pos/ud_english_lines",
        tuple(RemoteFile(f"en_lines-ud-{s}.conllu", _github(*_UD, f"en_lines-ud-{s}.conllu"), sha)
              for s, sha in _UD_SHA.items()),
        licence="CC BY-NC-SA 4.0 (non-commercial, share-alike)."),
    DatasetEntry("flights", "builtin_flights", "", licence="Generated by kerasrnn; Apache-2.0."),
]

DATASETS: dict[str, DatasetEntry] = {entry.name: entry for entry in _ENTRIES}


def get_entry(name: str) -> DatasetEntry:
    """Returns the registry entry for ``name``, or raises ``KeyError`` listing the known names."""
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; known datasets: {', '.join(sorted(DATASETS))}")
    return DATASETS[name]
