"""Validation parts carved from train by a hash of the text."""

import random

import pytest

from kerasrnn.data.splits import containing_texts, hash_split


def test_the_held_out_part_does_not_depend_on_the_order_of_the_file():
    texts = [f"question number {i}" for i in range(2000)]
    _, held_out = hash_split(texts, 0.1, key=str)
    shuffled = texts[:]
    random.Random(0).shuffle(shuffled)
    _, held_out_shuffled = hash_split(shuffled, 0.1, key=str)
    assert set(held_out) == set(held_out_shuffled)
    assert 150 < len(held_out) < 250  # about 10% of 2000


def test_duplicates_stay_together_and_order_is_kept():
    texts = ["what is x"] * 5 + [f"t{i}" for i in range(300)]
    kept, held_out = hash_split(texts, 0.3, key=str)
    assert texts.count("what is x") in (kept.count("what is x"), held_out.count("what is x"))
    assert kept == [t for t in texts if t in set(kept)]
    assert len(kept) + len(held_out) == len(texts)


def test_a_salt_gives_another_split_and_fraction_is_checked():
    texts = [str(i) for i in range(500)]
    assert hash_split(texts, 0.2, str)[1] != hash_split(texts, 0.2, str, salt="other")[1]
    with pytest.raises(ValueError, match="fraction"):
        hash_split(texts, 1.0, str)


def test_phrases_go_with_the_longest_sentence_that_holds_them():
    texts = ["a gorgeous , witty film", "gorgeous", "witty film", "film", "a dog barks",
             "dog", "small", "the cat is small", "mall"]
    roots = containing_texts(texts)
    assert roots["gorgeous"] == roots["witty film"] == roots["film"] == "a gorgeous , witty film"
    assert roots["dog"] == "a dog barks"
    assert roots["small"] == "the cat is small"
    assert roots["mall"] == "mall"  # whole words only
    assert roots["a dog barks"] == "a dog barks"
    shuffled = texts[::-1]
    assert containing_texts(shuffled) == roots  # independent of the order


def test_a_grouped_split_keeps_every_phrase_on_its_sentences_side():
    sentences = [f"sentence {i} is about topic {i % 7} and more" for i in range(400)]
    phrases = [p for s in sentences
               for p in (s, s.split(" and ")[0], f"topic {int(s.split()[1]) % 7} and more")]
    roots = containing_texts(phrases)
    kept, held_out = hash_split(phrases, 0.2, key=lambda t: roots[t])
    kept_roots = {roots[t] for t in kept}
    assert all(roots[t] not in kept_roots for t in held_out)
    assert 40 < len({roots[t] for t in held_out}) < 120


def test_valid_overlap_counts_held_out_texts_inside_training_texts():
    from benchmarks.valid_overlap import inside_count
    from kerasrnn.data import TextExample

    train = [TextExample("a stale and boring drama", "0"), TextExample("good fun", "1")]
    held_out = [TextExample(t, "0") for t in ("boring  drama", "boring dram", "good fun",
                                               "fun good")]
    assert inside_count(held_out, train) == 2  # whole words only, white space normalised
