"""``tf.data`` pipelines from the readers' examples.

Every pipeline pads on the right (cuDNN kernels need right-padded masks), can
bucket by length to cut padding waste, shuffles with a seed, and prefetches.
String work (normalisation, vocabulary lookup) happens here, in ``tf.data``,
because string lookups cannot be XLA-compiled; the same layers are attached to
the model at export so it accepts raw strings.

Id 0 is padding in every output (see `kerasrnn.data.vocabulary`).
"""

from __future__ import annotations

import tensorflow as tf

from kerasrnn.data.normalization import normalize_text, normalize_words
from kerasrnn.data.padding import PaddingReport, length_boundaries, padding_report

AUTOTUNE = tf.data.AUTOTUNE
START = "[START]"
END = "[END]"


def normalize_token_lists(sentences, lowercase: bool = True, digit_token: str | None = None,
                          punctuation: str = "keep"):
    """Normalises already-tokenised sentences with the pipelines' own ``tf.strings`` code.

    Use it to build vocabularies from exactly the tokens the pipeline (or an
    exported model) will look up. It applies `normalize_words`, so every
    sentence keeps its token count (and stays aligned with its tags);
    ``punctuation`` is ``"keep"`` (left alone) or ``"strip"`` (the tokens
    ``tokenize(text, punctuation="strip")`` gives for ``" ".join(sentence)``).
    """
    sentences = [list(sentence) for sentence in sentences]
    normalised = normalize_words(ragged_rows(sentences), lowercase=lowercase,
                                 punctuation=punctuation, digit_token=digit_token)
    flat = normalised.flat_values.numpy()
    result, start = [], 0
    for sentence in sentences:
        result.append([t.decode("utf-8") for t in flat[start:start + len(sentence)]])
        start += len(sentence)
    return result


def ragged_rows(sequences) -> tf.RaggedTensor:
    """Lists of strings -> a ragged string tensor, one row per list."""
    # Building from one flat tensor is linear and fast; tf.ragged.constant is not.
    flat = [item for sequence in sequences for item in sequence]
    lengths = [len(sequence) for sequence in sequences]
    values = tf.constant(flat, dtype=tf.string) if flat else tf.zeros([0], tf.string)
    return tf.RaggedTensor.from_row_lengths(values, tf.constant(lengths, tf.int64))


def batch_by_length(dataset, batch_size, boundaries, drop_remainder=False):
    """Pads on the right; groups examples of similar length when ``boundaries`` are given."""
    if not boundaries:
        return dataset.padded_batch(batch_size, drop_remainder=drop_remainder)
    return dataset.bucket_by_sequence_length(
        element_length_func=lambda first, *rest: tf.shape(first)[0],
        bucket_boundaries=list(boundaries),
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
        drop_remainder=drop_remainder)


def tagging_dataset(
    examples,
    token_lookup,
    tag_lookup,
    batch_size: int = 32,
    *,
    intent_lookup=None,
    lowercase: bool = True,
    digit_token: str | None = None,
    shuffle: bool = True,
    seed: int = 0,
    bucket_boundaries: list[int] | str | None = "auto",
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Batches `SequenceExample` s for a tagger.

    Args:
        examples: one split's examples.
        token_lookup, tag_lookup: ``StringLookup`` layers (see `vocabulary`).
        batch_size: examples per batch.
        intent_lookup: also yield sentence labels (joint slot filling + intent).
        lowercase, digit_token: token normalisation (`normalize_text`).
        shuffle, seed: shuffle every epoch, reproducibly.
        bucket_boundaries: ``"auto"`` (length quantiles), a list, or ``None``
            for plain padded batches.
        drop_remainder: drop a last, smaller batch.

    Returns:
        Batches ``(token_ids, tag_ids)``, both int64 ``(batch, length)`` padded
        with 0 on the right; with ``intent_lookup``, ``(token_ids,
        {"tags": tag_ids, "intent": intent_ids})``.
    """
    batches = tagging_string_batches(examples, batch_size, shuffle=shuffle, seed=seed,
                                     bucket_boundaries=bucket_boundaries,
                                     drop_remainder=drop_remainder,
                                     with_intent=intent_lookup is not None)

    def encode(tokens, tags, *intent):
        tokens = normalize_text(tokens, lowercase=lowercase, punctuation="keep",
                                digit_token=digit_token)
        token_ids, tag_ids = token_lookup(tokens), tag_lookup(tags)
        if intent_lookup is None:
            return token_ids, tag_ids
        return token_ids, {"tags": tag_ids, "intent": intent_lookup(intent[0])}

    return batches.map(encode, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)


def tagging_string_batches(
    examples,
    batch_size: int = 32,
    *,
    with_intent: bool = False,
    shuffle: bool = True,
    seed: int = 0,
    bucket_boundaries: list[int] | str | None = "auto",
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Batches of a tagger's raw strings, for a model's own encoding step.

    Args:
        examples: `SequenceExample` s of one split.
        batch_size: examples per batch.
        with_intent: also yield each example's sentence label ("" when it has none).
        shuffle, seed: shuffle every epoch, reproducibly.
        bucket_boundaries: ``"auto"`` (length quantiles), a list, or ``None``
            for plain padded batches in file order.
        drop_remainder: drop a last, smaller batch.

    Returns:
        Batches ``(tokens, tags)`` of strings ``(batch, length)`` right-padded with
        ``""`` (the lookups' padding), and ``intent (batch,)`` with ``with_intent``.
    """
    examples = list(examples)
    if bucket_boundaries == "auto":
        bucket_boundaries = length_boundaries([len(e.tokens) for e in examples])
    columns = (ragged_rows([e.tokens for e in examples]), ragged_rows([e.tags for e in examples]))
    if with_intent:
        columns += (tf.constant([e.intent or "" for e in examples], tf.string),)
    # Rows of a ragged tensor arrive as RaggedTensorSpec(ragged_rank=0), which
    # padded_batch rejects; passing them through a map makes them plain tensors.
    dataset = tf.data.Dataset.from_tensor_slices(columns).map(lambda *row: row)
    if shuffle:
        dataset = dataset.shuffle(max(len(examples), 1), seed=seed, reshuffle_each_iteration=True)
    return batch_by_length(dataset, batch_size, bucket_boundaries, drop_remainder)


def tagging_padding_report(examples, batch_size: int = 32, seed: int = 0) -> PaddingReport:
    """Predicts the padding fraction of `tagging_dataset` without/with ``"auto"`` buckets."""
    return padding_report([len(e.tokens) for e in examples], batch_size, seed=seed)


def classification_dataset(
    examples,
    token_lookup,
    label_lookup,
    batch_size: int = 32,
    *,
    lowercase: bool = True,
    punctuation: str = "split",
    digit_token: str | None = None,
    shuffle: bool = True,
    seed: int = 0,
    bucket_boundaries: list[int] | None = None,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Batches `TextExample` s: raw text is normalised and tokenised in ``tf.data``.

    Returns:
        Batches ``(token_ids (batch, length), label_ids (batch,))``; unlabelled
        examples get label id 0. Boundaries (a list) enable length bucketing.
    """
    examples = list(examples)
    texts = tf.constant([e.text for e in examples], tf.string)
    labels = tf.constant([e.label or "" for e in examples], tf.string)
    dataset = tf.data.Dataset.from_tensor_slices((texts, labels))
    if shuffle:
        dataset = dataset.shuffle(max(len(examples), 1), seed=seed, reshuffle_each_iteration=True)
    options = {"lowercase": lowercase, "punctuation": punctuation, "digit_token": digit_token}
    dataset = dataset.map(
        lambda text, label: (tf.strings.split(normalize_text(text, **options)), label),
        num_parallel_calls=AUTOTUNE)
    dataset = batch_by_length(dataset, batch_size, bucket_boundaries, drop_remainder)
    return dataset.map(
        lambda tokens, label: (token_lookup(tokens), label_lookup(label)),
        num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)


def char_lm_dataset(
    text: str,
    char_lookup,
    sequence_length: int = 100,
    batch_size: int = 64,
    *,
    shuffle: bool = True,
    seed: int = 0,
) -> tf.data.Dataset:
    """Cuts a text into windows of ``sequence_length + 1`` characters for next-character models.

    Returns:
        Batches ``(inputs, targets)`` of char ids ``(batch, sequence_length)``;
        targets are inputs shifted one character left. Windows do not overlap;
        the incomplete last window and batch are dropped (all batches are full).
    """
    chars = tf.strings.unicode_split(tf.constant(text), "UTF-8")
    dataset = tf.data.Dataset.from_tensor_slices(chars)
    dataset = dataset.batch(sequence_length + 1, drop_remainder=True)
    dataset = dataset.map(char_lookup, num_parallel_calls=AUTOTUNE)
    dataset = dataset.map(lambda ids: (ids[:-1], ids[1:]), num_parallel_calls=AUTOTUNE)
    if shuffle:
        dataset = dataset.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(AUTOTUNE)


def tokenize_sentences(texts, **normalize_options) -> list[list[str]]:
    """Tokenises raw sentences exactly as the pipelines and `TextNormalization` do.

    Use it to build vocabularies for `classification_dataset` and
    `translation_dataset` from the tokens they will look up.
    """
    texts = list(texts)
    if not texts:
        return []
    words = tf.strings.split(normalize_text(tf.constant(texts, tf.string), **normalize_options))
    return [[w.decode("utf-8") for w in row] for row in words.to_list()]


def translation_dataset(
    pairs,
    source_lookup,
    target_lookup,
    batch_size: int = 64,
    *,
    lowercase: bool = True,
    punctuation: str = "split",
    shuffle: bool = True,
    seed: int = 0,
    bucket_boundaries: list[int] | None = None,
    drop_remainder: bool = False,
) -> tf.data.Dataset:
    """Batches `SentencePair` s for a sequence-to-sequence model (teacher forcing).

    The target lookup must hold `START` and `END` (build it with
    ``make_token_lookup(..., reserved=(START, END))``).

    Returns:
        Batches ``((source_ids, target_input_ids), target_output_ids)``, all
        right-padded with 0, where ``target_input = [START] + target`` and
        ``target_output = target + [END]``. Boundaries (a list) bucket by
        source length.
    """
    missing = {START, END} - set(target_lookup.get_vocabulary())
    if missing:
        raise ValueError(f"target_lookup lacks the reserved tokens {sorted(missing)}")
    pairs = list(pairs)
    options = {"lowercase": lowercase, "punctuation": punctuation}
    sources = tf.constant([p.source for p in pairs], tf.string)
    targets = tf.constant([p.target for p in pairs], tf.string)
    dataset = tf.data.Dataset.from_tensor_slices((sources, targets))
    if shuffle:
        dataset = dataset.shuffle(max(len(pairs), 1), seed=seed, reshuffle_each_iteration=True)

    def split(source, target):
        source_tokens = tf.strings.split(normalize_text(source, **options))
        target_tokens = tf.strings.split(normalize_text(target, **options))
        return (source_tokens, tf.concat([[START], target_tokens], 0),
                tf.concat([target_tokens, [END]], 0))

    dataset = batch_by_length(dataset.map(split, num_parallel_calls=AUTOTUNE), batch_size,
                     bucket_boundaries, drop_remainder)
    return dataset.map(
        lambda source, target_in, target_out: (
            (source_lookup(source), target_lookup(target_in)), target_lookup(target_out)),
        num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)
