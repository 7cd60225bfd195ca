"""kerasrnn.data: readers, a dataset registry, vocabularies and ``tf.data`` pipelines.

Every application reads its data through this package::

    from kerasrnn import data
    atis = data.load_dataset("atis")            # $KERASRNN_DATA, TFDS, or download
    mine = data.load_dataset(data_dir="my_slots/")  # any folder in a known format
    print(atis.summary())

Readers validate all files of all splits before returning, and raise
`DataFormatError` (``PATH:LINE: problem``) on bad input. ``tensorflow_datasets``
is imported only when a TFDS dataset is actually loaded.
"""

from kerasrnn.data.classification import read_glue_tsv, read_labelled_tsv, read_trec
from kerasrnn.data.conll import read_conll
from kerasrnn.data.conllu import read_conllu
from kerasrnn.data.download import download_dataset
from kerasrnn.data.errors import DataFormatError, DatasetNotFoundError, DownloadError
from kerasrnn.data.examples import (
    ClassificationDataset,
    ParallelDataset,
    SentencePair,
    SequenceExample,
    SequenceLabellingDataset,
    TextCorpus,
    TextExample,
)
from kerasrnn.data.flights import generate_flights
from kerasrnn.data.loading import detect_format, load_dataset
from kerasrnn.data.normalization import (
    TextNormalization,
    normalize_text,
    normalize_words,
    split_words,
    tokenize,
    tokenize_words,
)
from kerasrnn.data.padding import PaddingReport, padding_fraction, padding_report
from kerasrnn.data.parallel import read_parallel_pairs
from kerasrnn.data.pipelines import (
    char_lm_dataset,
    classification_dataset,
    normalize_token_lists,
    tagging_dataset,
    tagging_padding_report,
    tagging_string_batches,
    tokenize_sentences,
    translation_dataset,
)
from kerasrnn.data.registry import DATASETS, DatasetEntry, RemoteFile
from kerasrnn.data.report import ReadReport
from kerasrnn.data.slot_filling import read_slot_filling
from kerasrnn.data.tagging_schemes import iob2_to_bioes, to_iob2
from kerasrnn.data.text_corpus import read_text_corpus
from kerasrnn.data.trigrams import LetterTrigramEmbedding, LetterTrigramHashing, letter_trigrams
from kerasrnn.data.vocabulary import (
    build_vocabulary,
    load_vocabulary,
    make_char_lookup,
    make_label_lookup,
    make_tag_lookup,
    make_token_lookup,
    oov_rate,
    save_vocabulary,
)

__all__ = [
    "DATASETS", "ClassificationDataset", "DataFormatError", "DatasetEntry",
    "DatasetNotFoundError", "DownloadError", "LetterTrigramEmbedding", "LetterTrigramHashing",
    "PaddingReport", "ParallelDataset", "ReadReport", "RemoteFile", "SentencePair",
    "SequenceExample", "SequenceLabellingDataset", "TextCorpus", "TextExample",
    "TextNormalization", "build_vocabulary", "char_lm_dataset", "classification_dataset",
    "detect_format", "download_dataset", "generate_flights", "iob2_to_bioes", "letter_trigrams",
    "load_dataset", "load_vocabulary", "make_char_lookup", "make_label_lookup",
    "make_tag_lookup", "make_token_lookup", "normalize_text", "normalize_token_lists",
    "normalize_words", "oov_rate", "padding_fraction", "padding_report", "read_conll",
    "read_conllu",
    "read_glue_tsv", "read_labelled_tsv", "read_parallel_pairs", "read_slot_filling",
    "read_text_corpus", "read_trec", "save_vocabulary", "split_words", "tagging_dataset",
    "tagging_padding_report", "tagging_string_batches", "to_iob2", "tokenize",
    "tokenize_sentences", "tokenize_words",
    "translation_dataset",
]
