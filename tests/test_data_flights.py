"""The built-in flight-booking generator."""

import time

from kerasrnn.data import generate_flights
from kerasrnn.data.flights import (
    AMBIGUOUS,
    AMBIGUOUS_GAPS,
    AMBIGUOUS_PREFIXES,
    VALUES,
    ambiguous_example,
    arrive_leave_sentence,
)
from kerasrnn.data.tagging_schemes import span_starting_inside


def test_deterministic_by_seed_and_different_across_seeds():
    first = generate_flights(50, 10, 10, seed=7)
    assert first.splits == generate_flights(50, 10, 10, seed=7).splits
    assert first.splits != generate_flights(50, 10, 10, seed=8).splits


def test_split_sizes_and_speed():
    start = time.monotonic()
    data = generate_flights(3000, 300, 600, seed=0)
    # 0.04 s alone; 1.26 s once in CI next to two training runs: the bound catches a
    # pathological slowdown, not a loaded machine.
    assert time.monotonic() - start < 10.0
    assert {s: len(e) for s, e in data.splits.items()} == {"train": 3000, "valid": 300,
                                                             "test": 600}


def test_examples_are_valid_bio_with_atis_names():
    data = generate_flights(500, 0, 0, seed=1)
    for example in data.splits["train"]:
        assert len(example.tokens) == len(example.tags)
        assert not span_starting_inside(example.tags)
    tags = {tag[2:] for tag in data.tags() if tag != "O"}
    assert {"fromloc.city_name", "toloc.city_name", "depart_date.month_name",
            "depart_date.day_number", "depart_time.time", "airline_name", "round_trip",
            "cost_relative"} <= tags
    assert {"atis_flight", "atis_airfare", "atis_ground_service"} <= set(data.intents())


def test_the_lecture_sentences():
    date = (["on", "november", "2nd"], ["O", "B-depart_date.month_name",
                                        "B-depart_date.day_number"])
    arrive = arrive_leave_sentence("i would like to arrive", "taipei", *date)
    leave = arrive_leave_sentence("i would like to leave", "taipei", *date)
    assert " ".join(arrive.tokens) == "i would like to arrive taipei on november 2nd"
    assert arrive.tags[5] == "B-toloc.city_name" and leave.tags[5] == "B-fromloc.city_name"
    assert arrive.tags[:5] == leave.tags[:5] and arrive.tags[6:] == leave.tags[6:]
    assert arrive.focus == leave.focus == (5,)
    # The generator draws from the same parts, so it can produce exactly these.
    assert "i would like to" in AMBIGUOUS_PREFIXES and "" in AMBIGUOUS_GAPS
    assert "taipei" in VALUES["city_name"] and "2nd" in VALUES["day_number"]


def test_ambiguous_sentences_carry_focus_and_are_counted():
    import random

    rng = random.Random(3)
    arrive, leave = ambiguous_example(rng, "arrive"), ambiguous_example(rng, "leave")
    for example, slot in ((arrive, "toloc"), (leave, "fromloc")):
        verb = example.tokens.index("arrive" if slot == "toloc" else "leave")
        assert all(example.tags[i].endswith(f"{slot}.city_name") for i in example.focus)
        assert example.focus[0] > verb
    data = generate_flights(300, 30, 60, seed=0)
    for split, examples in data.splits.items():
        counted = data.report.count(split, AMBIGUOUS)
        assert counted == sum(1 for e in examples if e.focus) > 0
    assert AMBIGUOUS in data.summary()


def test_some_ambiguous_cities_are_several_tokens_after_the_verb():
    data = generate_flights(1000, 0, 0, seed=5)
    distances = {e.focus[0] - e.tokens.index(v) for e in data.splits["train"] if e.focus
                 for v in ("arrive", "leave") if v in e.tokens}
    assert 1 in distances and max(distances) >= 4
