"""tf.data builders: right padding, length bucketing, padding fractions, speed."""

import random
import time

import numpy as np
import pytest

from kerasrnn.data import (
    SentencePair,
    SequenceExample,
    TextExample,
    char_lm_dataset,
    classification_dataset,
    generate_flights,
    make_char_lookup,
    make_label_lookup,
    make_tag_lookup,
    make_token_lookup,
    normalize_token_lists,
    padding_fraction,
    padding_report,
    tagging_dataset,
    tagging_padding_report,
    tokenize_sentences,
    translation_dataset,
)
from kerasrnn.data.padding import length_boundaries


@pytest.fixture(scope="module")
def flights():
    data = generate_flights(600, 60, 60, seed=4)
    train = data.splits["train"]
    lookups = {
        "token_lookup": make_token_lookup(normalize_token_lists(e.tokens for e in train)),
        "tag_lookup": make_tag_lookup(e.tags for e in train),
    }
    return train, lookups


def measured_padding(dataset):
    padded = total = 0
    for token_ids, _ in dataset:
        padded += int((token_ids.numpy() == 0).sum())
        total += token_ids.numpy().size
    return padded / total


def test_padding_fraction_by_hand():
    assert padding_fraction([1, 3, 2, 2], batch_size=2) == pytest.approx(1 - 8 / 10)
    # Buckets [<2] and [>=2]: batch [3, 2] when full, then the leftovers [1] and [2].
    assert padding_fraction([1, 3, 2, 2], batch_size=2, boundaries=[2]) == pytest.approx(1 / 9)
    assert length_boundaries([1] * 10 + [20] * 10, num_buckets=2) == [11]


def test_batches_are_padded_on_the_right(flights):
    train, lookups = flights
    dataset = tagging_dataset(train, batch_size=16, shuffle=False, bucket_boundaries=None,
                              **lookups)
    token_ids, tag_ids = next(iter(dataset))
    lengths = [len(e.tokens) for e in train[:16]]
    for row, tags, length in zip(token_ids.numpy(), tag_ids.numpy(), lengths, strict=True):
        assert (row[:length] > 0).all() and (row[length:] == 0).all()
        assert ((tags > 0) == (row > 0)).all()
    vocabulary = lookups["token_lookup"].get_vocabulary()
    assert [vocabulary[i] for i in token_ids.numpy()[0][:lengths[0]]] == list(train[0].tokens)


def test_bucketing_cuts_padding_and_the_report_predicts_it(flights):
    train, lookups = flights
    lengths = [len(e.tokens) for e in train]
    boundaries = length_boundaries(lengths)
    plain = tagging_dataset(train, batch_size=32, shuffle=False, bucket_boundaries=None,
                            **lookups)
    bucketed = tagging_dataset(train, batch_size=32, shuffle=False,
                               bucket_boundaries=boundaries, **lookups)
    # Without shuffling the prediction is exact.
    report = padding_report(lengths, 32, boundaries, seed=None)
    assert measured_padding(plain) == pytest.approx(report.unbucketed)
    assert measured_padding(bucketed) == pytest.approx(report.bucketed)
    assert report.bucketed < report.unbucketed / 2
    summary = tagging_padding_report(train, batch_size=32).summary()
    assert "without bucketing" in summary and "length buckets" in summary


def test_shuffle_is_seeded_and_every_example_is_kept(flights):
    train, lookups = flights

    def first_batch(seed):
        return next(iter(tagging_dataset(train, batch_size=8, seed=seed, **lookups)))[0].numpy()

    assert (first_batch(1) == first_batch(1)).all()
    dataset = tagging_dataset(train, batch_size=32, seed=1, **lookups)
    assert sum(int(x.shape[0]) for x, _ in dataset) == len(train)


def test_joint_intent_targets(flights):
    train, lookups = flights
    intents = make_label_lookup(e.intent for e in train)
    token_ids, targets = next(iter(tagging_dataset(train, batch_size=4, intent_lookup=intents,
                                                   **lookups)))
    assert set(targets) == {"tags", "intent"}
    assert targets["intent"].shape == (4,) and targets["tags"].shape == token_ids.shape


def test_classification_dataset_tokenises_raw_text():
    examples = [TextExample("Lovely, warm film!", "pos"), TextExample("Dull.", "neg")]
    lookup = make_token_lookup([["lovely", ",", "warm", "film", "!", "dull", "."]])
    labels = make_label_lookup(e.label for e in examples)
    token_ids, label_ids = next(iter(classification_dataset(
        examples, lookup, labels, batch_size=2, shuffle=False)))
    vocabulary = lookup.get_vocabulary()
    assert [vocabulary[i] for i in token_ids.numpy()[1]] == ["dull", ".", "", "", ""]
    assert label_ids.numpy().tolist() == [labels(e.label).numpy() for e in examples]


def test_char_lm_windows_are_shifted_by_one():
    text = "红楼梦第一回。" * 20
    lookup = make_char_lookup([text])
    inputs, targets = next(iter(char_lm_dataset(text, lookup, sequence_length=10, batch_size=3,
                                                shuffle=False)))
    assert inputs.shape == (3, 10)
    np.testing.assert_array_equal(inputs.numpy()[:, 1:], targets.numpy()[:, :-1])
    vocabulary = lookup.get_vocabulary()
    assert "".join(vocabulary[i] for i in inputs.numpy()[0]) == text[:10]


def test_ten_thousand_sentences_load_in_seconds():
    rng = random.Random(0)
    words = [f"w{i}" for i in range(12_000)]
    examples = [SequenceExample(tuple(rng.choices(words, k=rng.randint(3, 30))),
                                tuple(["O"] * 0)) for _ in range(10_000)]
    examples = [SequenceExample(e.tokens, ("O",) * len(e.tokens)) for e in examples]
    start = time.monotonic()
    token_lookup = make_token_lookup(normalize_token_lists(e.tokens for e in examples))
    tag_lookup = make_tag_lookup(e.tags for e in examples)
    batches = sum(1 for _ in tagging_dataset(examples, token_lookup, tag_lookup, batch_size=64))
    elapsed = time.monotonic() - start
    assert token_lookup.vocabulary_size() > 10_000
    assert batches >= 10_000 // 64
    assert elapsed < 20, f"10k sentences took {elapsed:.1f} s"


def test_translation_batches_for_teacher_forcing():
    pairs = [SentencePair("Owls fly.", "Vuelan."),
             SentencePair("Feed the owl!", "¡Alimenta al búho, por favor!")]
    source = make_token_lookup(tokenize_sentences(p.source for p in pairs))
    target = make_token_lookup(tokenize_sentences(p.target for p in pairs),
                               reserved=("[START]", "[END]"))
    (source_ids, target_in), target_out = next(iter(translation_dataset(
        pairs, source, target, batch_size=2, shuffle=False)))
    words = target.get_vocabulary()
    assert [words[i] for i in target_in.numpy()[0]] == ["[START]", "vuelan", "."] + [""] * 5
    assert [words[i] for i in target_out.numpy()[0]] == ["vuelan", ".", "[END]"] + [""] * 5
    assert [words[i] for i in target_out.numpy()[1]] == [
        "¡alimenta", "al", "búho", ",", "por", "favor", "!", "[END]"]
    assert source_ids.shape == (2, 4)
    with pytest.raises(ValueError, match="lacks the reserved tokens"):
        translation_dataset(pairs, source, source)


def test_export_path_tokenises_training_sentences_like_the_pipeline():
    # Tagging data arrive tokenised; an exported model gets the joined sentence.
    data = generate_flights(300, 0, 0, seed=9)
    sentences = [e.tokens for e in data.splits["train"]]
    assert tokenize_sentences(" ".join(s) for s in sentences) == normalize_token_lists(sentences)
