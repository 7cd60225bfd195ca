"""benchmarks.atis_errors: the errors every model makes, on tiny generated runs."""

import json
import re

import pytest

from benchmarks import atis_errors
from tests.test_slot_filling_app import TINY, run, write_slot_folder

pytestmark = pytest.mark.app  # trains an app


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("errors")
    data = write_slot_folder(base / "flights", sizes=(60, 10, 30))
    runs = []
    for seed in (1, 2):
        out = base / f"s{seed}"
        assert run(["train", "--data-dir", data, "--output-dir", out, "--epochs", "1",
                    *TINY, "--seed", str(seed)]) == 0
        runs.append(out)
    return runs


def counts(text):
    intents = re.search(r"intent wrong in all \d+ models: (\d+) of (\d+) utterances; "
                        r"wrong in at least one: (\d+)", text)
    chunks = re.search(r"gold slot chunks no model finds: (\d+) of (\d+); "
                       r"missed by at least one: (\d+)", text)
    return [int(g) for g in intents.groups()], [int(g) for g in chunks.groups()]


def test_one_model_twice_has_exactly_its_own_errors(two_runs, capsys):
    model = two_runs[0]
    atis_errors.main(["--model", str(model), str(model)])
    out = capsys.readouterr().out
    metrics = json.loads((model / "metrics.json").read_text())
    assert f"slot F1 {metrics['slot_f1']:.4f}, intent accuracy " \
           f"{metrics['intent_accuracy']:.4f}" in out
    (always, total, some), (never, gold, missed) = counts(out)
    assert total == 30 and always == some == round((1 - metrics["intent_accuracy"]) * total)
    assert never == missed and 0 < gold
    assert never == round((1 - metrics["slot_recall"]) * gold)


def test_errors_of_all_models_are_the_intersection(two_runs, capsys):
    singles = []
    for model in two_runs:
        atis_errors.main(["--model", str(model)])
        singles.append(counts(capsys.readouterr().out))
    atis_errors.main(["--model", *map(str, two_runs)])
    (always, _, some), (never, _, missed) = counts(capsys.readouterr().out)
    wrong = [s[0][0] for s in singles]
    lost = [s[1][0] for s in singles]
    assert always <= min(wrong) and some >= max(wrong) and some <= sum(wrong)
    assert never <= min(lost) and missed >= max(lost) and missed <= sum(lost)
