"""apps.textgen beyond the shared contract: splits, bad input, generation and scoring."""

import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from apps.harness import Trained, main
from apps.textgen import app as textgen
from apps.textgen.app import TextGen, bits_per_char, char_ids
from apps.textgen.use import step_function
from kerasrnn.layers.recurrent import RECURRENT_KINDS
from tests.apps.textgen_data import TINY, write_text

pytestmark = pytest.mark.app
APP = TextGen()


def run(argv):
    return main(APP, [str(a) for a in argv])


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("textgen")
    text = write_text(tmp / "text.txt", characters=5000)
    assert run(["train", "--data-dir", text, *TINY, "--epochs", "1", "--output-dir",
                tmp / "run"]) == 0
    return tmp / "run"


def config_for(path):
    return APP.Config(data_dir=str(path))


@pytest.mark.parametrize("distinct,which", [(1000, "small vocabulary"),
                                             (1001, "large vocabulary")])
def test_defaults_follow_the_vocabulary_and_flags_given_override_them(tmp_path, distinct,
                                                                      which):
    rng = np.random.default_rng(0)
    alphabet = [chr(0x4E00 + i) for i in range(distinct - 1)]  # CJK ideographs, and "\n"
    lines = ["".join(rng.choice(alphabet, size=30)) for _ in range(400)]
    path = tmp_path / "book.txt"
    path.write_text("".join(alphabet) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    config = APP.Config(data_dir=str(path), window=7)
    data = APP.read_data(config)
    assert len(set(data.splits["train"])) == distinct
    assert f"settings used (the {which}'s defaults unless given" in data.summary
    assert "--window 7," in data.summary  # the value used, not the default
    expected = {**textgen.DEFAULTS[which], "window": 7}
    assert {name: getattr(config, name) for name in expected} == expected


def test_help_says_how_a_default_follows_the_vocabulary(capsys):
    with pytest.raises(SystemExit):
        run(["train", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(default: 256; 128 above 1,000 characters of vocabulary)" in help_text
    assert "None" not in help_text.split("--data-dir")[1].split("--output-dir")[0]


def test_splits_by_position_at_line_starts_with_gutenberg_markers_removed(tmp_path):
    path = write_text(tmp_path / "book.txt", characters=20000, gutenberg=True)
    data = APP.read_data(config_for(path))
    train, valid, test = (data.splits[s] for s in ("train", "valid", "test"))
    whole = train + valid + test
    assert "GUTENBERG" not in whole.upper() and "licence" not in whole
    assert abs(len(test) / len(whole) - 0.10) < 0.01
    assert abs(len(valid) / len(whole) - 0.05) < 0.01
    assert train.endswith("\n") and valid.endswith("\n")
    assert f"test {len(test):,}" in data.summary and "removed Gutenberg" in data.summary
    assert "3 lines before" in data.summary


def test_the_vocabulary_is_the_training_characters_and_later_ones_are_out_of_vocabulary():
    vocabulary = APP.build_vocabulary(None, "abca\n")
    assert sorted(vocabulary["chars"]) == ["\n", "a", "b", "c"]
    ids = char_ids(vocabulary, "a猫b")
    assert ids[1] == 1 and ids[0] >= 2 and ids[2] >= 2


@pytest.mark.parametrize("window,length", [(8, 2), (8, 9), (8, 10), (7, 30), (24, 500)])
def test_every_character_after_the_first_is_scored_once(model_dir, window, length):
    model = _model(model_dir)
    ids = np.random.default_rng(0).integers(2, 10, length).astype(np.int32)
    _, count = bits_per_char(model, ids, window)
    assert count == length - 1


def test_bits_per_char_with_the_whole_text_in_context_is_the_mean_of_log2_probabilities(
        model_dir):
    model = _model(model_dir)
    ids = np.random.default_rng(1).integers(2, 10, 20).astype(np.int32)
    bits, _ = bits_per_char(model, ids, 64)
    p = model(ids[None, :-1]).numpy()[0]
    expected = -np.mean(np.log2(p[np.arange(19), ids[1:]]))
    assert bits == pytest.approx(expected, rel=1e-5)


def _model(model_dir):
    import keras

    return keras.saving.load_model(model_dir / "model.keras")


def test_metrics_hold_test_and_valid_bits_per_char_and_perplexity(model_dir):
    metrics = json.loads((model_dir / "metrics.json").read_text())
    for prefix in ("", "valid_"):
        bits = metrics[f"{prefix}bits_per_char"]
        assert 0 < bits < 8
        assert metrics[f"{prefix}perplexity"] == pytest.approx(2 ** bits, rel=1e-5)


def generated(model_dir, capsys, *flags):
    capsys.readouterr()
    assert run(["generate", "--model", model_dir, "--format", "json", *flags]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_generate_is_deterministic_for_a_seed_and_samples_a_batch(model_dir, capsys):
    flags = ("--prompt", "the 猫", "--length", "40", "--num-samples", "3")
    first = generated(model_dir, capsys, *flags, "--seed", "7")
    assert first == generated(model_dir, capsys, *flags, "--seed", "7")
    assert first != generated(model_dir, capsys, *flags, "--seed", "8")
    assert len(first) == 3 and len({s["generated"] for s in first}) > 1
    vocabulary = set(json.loads((model_dir / "vocab.json").read_text())["chars"])
    for sample in first:
        assert len(sample["generated"]) == 40 and set(sample["generated"]) <= vocabulary
        assert sample["text"] == "the 猫" + sample["generated"]


def test_a_prompt_with_unknown_characters_and_an_empty_prompt_work(model_dir, capsys):
    assert len(generated(model_dir, capsys, "--prompt", "龍 Ω", "--length", "5")[0][
        "generated"]) == 5
    assert len(generated(model_dir, capsys, "--length", "5", "--top-k", "1")[0][
        "generated"]) == 5


def test_score_gives_log_probability_bits_and_characters(model_dir, capsys):
    capsys.readouterr()
    assert run(["score", "--model", model_dir, "--format", "json", "the cat", "猫 龍", ""]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["characters"] for r in results] == [7, 3, 0]
    for r in results[:2]:
        assert r["bits_per_char"] == pytest.approx(
            -r["log_probability"] / math.log(2) / r["characters"], rel=1e-3)
    assert results[2]["log_probability"] == 0  # no characters: no average
    assert results[2]["bits_per_char"] is None and results[2]["perplexity"] is None
    assert run(["score", "--model", model_dir, "the cat", ""]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "n/a bits/char" in lines[1] and "n/a" not in lines[0]


def test_the_saved_model_generates_and_scores_in_plain_tensorflow(model_dir):
    loaded = tf.saved_model.load(str(model_dir / "saved_model"))
    generate = loaded.signatures["generate"]
    out = generate(prompt=tf.constant(["the cat", "", "猫"]), length=tf.constant(25),
                   temperature=tf.constant(0.7), top_k=tf.constant(0),
                   seed=tf.constant(3, tf.int64))["generated"].numpy()
    assert [len(t.decode()) for t in out] == [25, 25, 25]
    default = loaded.signatures["serving_default"](
        prompt=tf.constant(["the cat", "", "猫"]), length=tf.constant(25),
        temperature=tf.constant(0.7), top_k=tf.constant(0), seed=tf.constant(3, tf.int64))
    assert np.array_equal(default["generated"].numpy(), out)
    scores = loaded.signatures["score"](text=tf.constant(["the cat is small", ""]))
    assert scores["bits_per_char"].numpy()[0] > 0
    assert np.isnan(scores["bits_per_char"].numpy()[1])
    none = tf.constant([], tf.string)  # an empty batch: empty answers, not an error
    assert generate(prompt=none, length=tf.constant(5), temperature=tf.constant(1.0),
                    top_k=tf.constant(0), seed=tf.constant(0, tf.int64))["generated"].shape == (0,)
    assert loaded.signatures["score"](text=none)["bits_per_char"].shape == (0,)


def test_the_saved_model_needs_no_kerasrnn(model_dir):
    script = (
        "import sys, tensorflow as tf\n"
        f"m = tf.saved_model.load({str(model_dir / 'saved_model')!r})\n"
        "out = m.signatures['serving_default'](prompt=tf.constant(['the cat']),\n"
        "    length=tf.constant(7), temperature=tf.constant(1.0), top_k=tf.constant(0),\n"
        "    seed=tf.constant(1, tf.int64))['generated'].numpy()\n"
        "bits = m.signatures['score'](text=tf.constant(['the cat']))['bits_per_char'].numpy()\n"
        "assert 'kerasrnn' not in sys.modules and 'apps' not in sys.modules\n"
        "print(len(out[0].decode()), bits[0] > 0)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["7", "True"]


@pytest.mark.parametrize("argument,value,problem", [
    ("length", tf.constant(0), "length must be at least 1"),
    ("length", tf.constant(1_000_001), "length must be at most 1000000"),
    # checked before the output is allocated (this one aborted the process)
    ("length", tf.constant(1_000_000_000), "length must be at most 1000000"),
    ("temperature", tf.constant(0.0), "temperature must be positive"),
    ("temperature", tf.constant(float("nan")), "temperature must be"),
    ("top_k", tf.constant(-1), "top_k must be 0 (all) or more"),
    ("top_k", tf.constant(10_000), "top_k must be at most the vocabulary size"),
    ("seed", tf.constant(-1, tf.int64), "seed must be 0 or more"),
])
def test_the_saved_model_refuses_what_the_command_line_refuses(model_dir, argument, value,
                                                                problem):
    generate = tf.saved_model.load(str(model_dir / "saved_model")).signatures["generate"]
    arguments = {"prompt": tf.constant(["the cat"]), "length": tf.constant(5),
                 "temperature": tf.constant(1.0), "top_k": tf.constant(0),
                 "seed": tf.constant(0, tf.int64)}
    arguments[argument] = value
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(problem)):
        generate(**arguments)


@pytest.mark.parametrize("flags,problem", [
    (["--length", "0"], "--length must be between 1 and 1,000,000"),
    (["--length", "1000001"], "--length must be between 1 and 1,000,000"),
    (["--temperature", "0"], "--temperature must be a positive number"),
    (["--temperature", "-1"], "--temperature must be a positive number"),
    (["--top-k", "1000"], "--top-k must be between 0"),
])
def test_bad_generate_options_are_one_line_and_exit_2(model_dir, capsys, flags, problem):
    capsys.readouterr()
    assert run(["generate", "--model", model_dir, *flags]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and problem in captured.err
    assert len(captured.err.strip().splitlines()) == 1


@pytest.mark.parametrize("content,problem", [
    (b"", "the file is empty"),
    (b" \n\t\n", "the file holds only white space"),
    (b"hello\nwor\xffld\n" * 50, "not valid UTF-8 at byte offset 3 of the line (byte 0xff at "
                                 "byte offset 9 of the file; expected UTF-8 text)"),
    (b"one line\ntwo\n", "too short"),
    (b"a few words\n" * 40, "the text is too short: its valid part has 24 characters, "
                            "fewer than --window 24 + 1"),
])
def test_bad_text_files_are_one_line_exit_2_and_write_nothing(tmp_path, capsys, content,
                                                             problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert run(["train", "--data-dir", path, *TINY, "--output-dir", tmp_path / "out"]) == 2
    err = capsys.readouterr().err
    assert problem in err and str(path) in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt"]


@pytest.mark.parametrize("kind", sorted(RECURRENT_KINDS))
def test_the_step_function_gives_the_model_s_probabilities_for_every_kind(kind):
    config = APP.Config(data="none", cell=kind, layers=2, units=4, embedding_dim=3,
                        dropout=0.0)
    vocabulary = {"chars": list("abcde\n")}
    model = APP.build_model(config, vocabulary, {"optimizer": "adam"})
    step, initial_states = step_function(model)
    ids = np.array([[2, 3, 4, 7, 5], [6, 2, 2, 3, 1]], np.int32)
    states = initial_states(2)
    for t in range(ids.shape[1]):
        logits, states = step(tf.constant(ids[:, t]), states)
        expected = model(ids[:, :t + 1]).numpy()[:, -1]
        assert np.allclose(tf.nn.softmax(logits).numpy(), expected, atol=1e-5), (kind, t)
    generate = APP.serving(Trained(config, vocabulary, model)).functions["generate"]
    out = generate(prompt=tf.constant(["ab", ""]), length=tf.constant(6),
                   temperature=tf.constant(1.0), top_k=tf.constant(0),
                   seed=tf.constant(0, tf.int64))["generated"].numpy()
    assert [len(t.decode()) for t in out] == [6, 6]


def _window_starts(config, text, epochs):
    vocabulary = APP.build_vocabulary(config, text)
    ids = char_ids(vocabulary, text)
    dataset = APP.make_dataset(config, vocabulary, text, training=True)
    found = []
    for _ in range(epochs):
        starts = []
        for x, y in dataset:
            for row_x, row_y in zip(x.numpy(), y.numpy()):
                start = _find(ids, row_x)
                np.testing.assert_array_equal(row_y, ids[start + 1:start + 1 + len(row_x)])
                starts.append(start)
        found.append(sorted(starts))
    return found


def _find(ids, window):
    for start in range(len(ids) - len(window) + 1):
        if np.array_equal(ids[start:start + len(window)], window):
            return start
    raise AssertionError("a window that is not a slice of the text")


def test_random_offsets_move_each_window_within_its_stride_anew_each_epoch():
    text = "".join(chr(ord("A") + i % 26) + chr(ord("a") + i // 26) for i in range(130))
    config = APP.Config(window=10, stride=7, batch_size=4, seed=3)
    grid = list(range(0, len(text) - 10, 7))
    assert _window_starts(config, text, 2) == [grid, grid]  # off: the same grid each epoch
    config.random_offsets = True
    first, second = _window_starts(config, text, 2)
    assert len(first) == len(second) == len(grid)
    assert first != second and first != grid
    last = len(text) - 10 - 1
    for starts in (first, second):
        for start, point in zip(starts, grid):  # sorted: the i-th start is near grid point i
            assert point <= start <= min(point + 6, last)
    config2 = APP.Config(window=10, stride=7, batch_size=4, seed=3, random_offsets=True)
    assert _window_starts(config2, text, 2) == [first, second]  # deterministic for a seed


@pytest.mark.parametrize("variational", [False, True])
def test_variational_dropout_keeps_one_mask_for_all_steps_of_a_sequence(variational):
    config = APP.Config(units=16, layers=1, embedding_dim=8, dropout=0.5,
                        variational_dropout=variational)
    model = textgen.language_model(config, 12)
    kept = model.get_layer("dropout_0")(np.ones((4, 30, 16), "float32"), training=True)
    kept = np.asarray(kept) != 0
    same_over_time = bool(np.all(kept == kept[:, :1, :]))
    assert same_over_time == variational
    assert not np.all(kept[0] == kept[1])  # each sequence has its own mask
    assert 0.3 < kept.mean() < 0.7



@pytest.mark.parametrize("flags,problem", [
    (["--stride", "40", "--no-random-offsets"],
     "--stride 40 is more than --window 24: 16 of every 40 training characters would never "
     "be trained on"),
    (["--variational-dropout", "--dropout", "0"], "--variational-dropout shares one dropout "
                                                  "mask per sequence, but --dropout is 0"),
])
def test_settings_that_lose_text_or_do_nothing_are_one_line_exit_2(tmp_path, capsys, flags,
                                                                  problem):
    text = write_text(tmp_path / "text.txt", characters=5000)
    assert run(["train", "--data-dir", text, *TINY, *flags, "--output-dir",
                tmp_path / "out"]) == 2
    err = capsys.readouterr().err
    assert problem in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["text.txt"]


def test_a_stride_past_the_window_is_fine_with_random_offsets(tmp_path):
    config = APP.Config(data_dir=str(write_text(tmp_path / "t.txt", characters=5000)),
                        window=24, stride=40, random_offsets=True)
    assert "--stride 40" in APP.read_data(config).summary
