"""The application contract, run by every app on tiny data, through its command line.

train → a complete run directory → `evaluate` from the directory alone → the use
commands with `--format json` (one JSON object per input, one line each) → every
SavedModel signature called from plain TensorFlow on raw strings, "" included, and on
an empty batch → the same seed gives the same metrics.
"""

import dataclasses
import json

import pytest
import tensorflow as tf

from apps.classify.app import Classify
from apps.harness import main
from apps.ner.app import NER
from apps.pos.app import POS
from apps.slot_filling.app import SlotFilling
from apps.textgen.app import TextGen
from apps.translate.app import Translate
from tests.apps.classify_data import TINY as TINY_CLASSIFY
from tests.apps.classify_data import write_glue_folder
from tests.apps.tagging_data import TINY as TINY_TAGGER
from tests.apps.tagging_data import write_conll_folder, write_conllu_folder
from tests.apps.textgen_data import TINY as TINY_TEXTGEN
from tests.apps.textgen_data import write_text
from tests.apps.translate_data import TINY as TINY_TRANSLATE
from tests.apps.translate_data import write_pairs
from tests.test_slot_filling_app import TINY, write_slot_folder

pytestmark = pytest.mark.app

RUN_FILES = ("config.json", "model.keras", "vocab.json", "metrics.json", "history.csv",
             "training.png", "saved_model/saved_model.pb")
NOT_METRICS = ("train_seconds", "examples_per_second")


@dataclasses.dataclass
class Case:
    app: object
    train_flags: callable  # tmp folder -> flags
    uses: list  # argument lists of use commands, each with --format json and 2 texts


CASES = {
    "slot_filling": Case(
        SlotFilling(),
        lambda tmp: ["--data-dir", write_slot_folder(tmp / "data", (60, 12, 12)), *TINY,
                     "--epochs", "2"],
        [["predict", "--format", "json", "fly from boston to denver", ""]]),
    "ner": Case(
        NER(), lambda tmp: ["--data-dir", write_conll_folder(tmp / "data"), *TINY_TAGGER,
                            "--epochs", "2"],
        [["predict", "--format", "json", "Teddy Roosevelt visited Paris.", ""]]),
    "pos": Case(
        POS(), lambda tmp: ["--data-dir", write_conllu_folder(tmp / "data"), *TINY_TAGGER,
                            "--epochs", "2"],
        [["predict", "--format", "json", "the old man sees a cat.", ""]]),
    "classify": Case(
        Classify(), lambda tmp: ["--data-dir", write_glue_folder(tmp / "data"), *TINY_CLASSIFY,
                                 "--epochs", "2", "--pooling", "attention"],
        [["predict", "--format", "json", "a witty film", ""]]),
    "textgen": Case(
        TextGen(), lambda tmp: ["--data-dir", write_text(tmp / "data" / "text.txt"),
                                *TINY_TEXTGEN, "--epochs", "2"],
        [["generate", "--format", "json", "--prompt", "the cat", "--length", "20",
          "--num-samples", "2"],
         ["score", "--format", "json", "the cat is small", "small is the cat"]]),
    "translate": Case(
        Translate(), lambda tmp: ["--data-dir", write_pairs(tmp / "data" / "pairs.txt"),
                                  *TINY_TRANSLATE, "--epochs", "2"],
        [["predict", "--format", "json", "¿Dónde está la biblioteca?", ""]]),
}


def run(case, argv):
    return main(case.app, [str(a) for a in argv])


@pytest.fixture(scope="module", params=sorted(CASES))
def trained(request, tmp_path_factory):
    case = CASES[request.param]
    tmp = tmp_path_factory.mktemp(request.param)
    flags = case.train_flags(tmp)
    assert run(case, ["train", *flags, "--output-dir", tmp / "run"]) == 0
    return case, tmp, flags


def test_train_writes_a_complete_run_directory(trained):
    case, tmp, _ = trained
    out = tmp / "run"
    for name in RUN_FILES:
        assert (out / name).exists(), name
    for leftover in ("run.resume", "run.staging", "run.previous"):
        assert not (tmp / leftover).exists()
    config = json.loads((out / "config.json").read_text())
    assert config["app"] == case.app.name
    data = config["data"]
    assert data["train_steps_per_epoch"] >= 1 and data["train_examples_per_epoch"] >= 1
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["examples_per_second"] > 0
    # flat: numbers, and strings such as translate's sacreBLEU signature
    assert all(isinstance(v, (int, float, str)) for v in metrics.values())
    assert all(isinstance(v, (int, float)) for k, v in metrics.items() if k != "signature")


def test_evaluate_from_the_directory_gives_the_metrics_of_train(trained, capsys):
    case, tmp, _ = trained
    capsys.readouterr()
    assert run(case, ["evaluate", "--model", tmp / "run"]) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((tmp / "run" / "metrics.json").read_text())
    assert printed and all(printed[k] == saved[k] for k in printed)


def test_evaluate_refuses_an_unknown_or_foreign_registry_name_in_one_line(trained, capsys):
    case, tmp, _ = trained
    foreign = "spa-eng" if case.app.name != "translate" else "kafka"
    for data, problem in (("nosuch", "unknown dataset 'nosuch'"),
                          (foreign, f"--data {foreign} is a ")):
        capsys.readouterr()
        assert run(case, ["evaluate", "--model", tmp / "run", "--data", data]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and problem in err, err


def test_use_commands_print_one_json_object_per_input(trained, capsys):
    case, tmp, _ = trained
    for argv in case.uses:
        capsys.readouterr()
        assert run(case, [*argv, "--model", tmp / "run"]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        if "--prompt" in argv:  # one line per sample of one prompt
            prompt, samples = (argv[argv.index(f) + 1] for f in ("--prompt", "--num-samples"))
            assert [json.loads(line)["prompt"] for line in lines] == [prompt] * int(samples)
            continue
        texts = argv[3:]
        assert len(lines) == len(texts)
        assert [json.loads(line)["text"] for line in lines] == texts


def test_every_signature_serves_raw_strings_to_plain_tensorflow(trained):
    case, tmp, _ = trained
    loaded = tf.saved_model.load(str(tmp / "run" / "saved_model"))
    names = set(loaded.signatures)
    assert "serving_default" in names
    assert names >= {"serving_default", *[u[0] for u in case.uses if u[0] != "predict"]}
    for name in names:
        function = loaded.signatures[name]
        specs = function.structured_input_signature[1]
        strings = [a for a, spec in specs.items() if spec.dtype == tf.string]
        (argument,) = strings  # one batch of raw strings; any other input is a scalar option
        assert specs[argument].shape.as_list() == [None]
        options = {a: tf.ones(spec.shape, spec.dtype) for a, spec in specs.items()
                   if a != argument}
        assert all(spec.shape.rank == 0 for spec in options.values())
        outputs = function(**{argument: tf.constant(["the cat is small", ""])}, **options)
        assert all(value.shape[0] == 2 for value in outputs.values()), name
        # An empty batch (a server flushing an empty queue): empty answers, not an error.
        outputs = function(**{argument: tf.constant([], tf.string)}, **options)
        assert all(value.shape[0] == 0 for value in outputs.values()), name


def test_the_same_seed_gives_the_same_metrics(trained):
    case, tmp, flags = trained
    assert run(case, ["train", *flags, "--output-dir", tmp / "again"]) == 0
    first, second = (json.loads((tmp / d / "metrics.json").read_text()) for d in ("run", "again"))
    assert {k: v for k, v in first.items() if k not in NOT_METRICS} == {
        k: v for k, v in second.items() if k not in NOT_METRICS}


def test_config_json_records_how_splits_were_made(trained):
    case, tmp, _ = trained
    notes = json.loads((tmp / "run" / "config.json").read_text())["data"]["notes"]
    if case.app.name == "classify":
        assert "hash" in notes["valid"].lower() and "dev" in notes["test"]
    if case.app.name == "textgen":
        assert "by position" in notes["splits"]
    if case.app.name == "translate":
        assert "sharing a sentence" in notes["splits"] and notes["direction"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_unknown_or_foreign_registry_name_is_one_line_and_exit_2(name, tmp_path, capsys):
    case = CASES[name]
    foreign = "spa-eng" if name != "translate" else "kafka"
    for data, problem in (("nosuch", "unknown dataset 'nosuch'"),
                          (foreign, f"--data {foreign} is a ")):
        capsys.readouterr()
        assert run(case, ["train", "--data", data, "--output-dir", tmp_path / "run"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and problem in err, err
        assert not (tmp_path / "run").exists()
