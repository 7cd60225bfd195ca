"""apps.translate beyond the shared contract: direction, text handling, the step function,
bad input, predict and the SavedModel in plain TensorFlow."""

import argparse
import dataclasses
import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import sacrebleu
import tensorflow as tf

from apps.harness import Trained, main
from apps.harness.config import config_from_json
from apps.harness.serving import export, load_trained
from apps.translate import model as translator
from apps.translate import text, use
from apps.translate.app import END, START, Translate
from kerasrnn.training import UserInputError, read_run
from tests.apps.translate_data import pairs, write_pairs

pytestmark = pytest.mark.app
APP = Translate()
SMALL = {"units": 4, "embedding_dim": 4, "min_count": 1, "beam_size": 2}


def run(argv):
    return main(APP, [str(a) for a in argv])


def config_for(path, **options):
    return APP.Config(data_dir=str(path), **{**SMALL, **options})


@pytest.fixture(scope="module")
def untrained(tmp_path_factory):
    """A model that was never trained (decoding must work whatever the weights)."""
    path = write_pairs(tmp_path_factory.mktemp("pairs") / "pairs.txt")
    config = config_for(path)
    data = APP.read_data(config)
    vocabulary = APP.build_vocabulary(config, data.splits["train"])
    model = APP.build_model(config, vocabulary, {"optimizer": "adam"})
    return Trained(config, vocabulary, model)


def test_the_second_column_is_translated_into_the_first_and_reverse_swaps_them(tmp_path):
    path = write_pairs(tmp_path / "pairs.txt")
    default = APP.read_data(config_for(path))
    reverse = APP.read_data(config_for(path, reverse=True))
    english = {en for en, _ in pairs(96)}
    assert all(p.target in english and p.source not in english
               for p in default.splits["train"])
    for split in ("train", "valid", "test"):  # the same pairs in each split, either way
        assert [(p.target, p.source) for p in default.splits[split]] == [
            (p.source, p.target) for p in reverse.splits[split]]


def test_the_target_keeps_case_and_punctuation_and_the_source_is_lower_cased(untrained):
    vocabulary = untrained.vocabulary
    assert vocabulary["target"][:2] == [START, END]  # ids 2 and 3
    assert {"The", "Mary", "?", ".", "n't"} <= set(vocabulary["target"])
    assert "mary" not in vocabulary["target"]
    assert {"el", "¿", "?", "tom"} <= set(vocabulary["source"])
    assert "El" not in vocabulary["source"]


def test_every_unicode_white_space_separates_words_and_the_output_is_detokenised():
    assert text.token_lists(["¿El\u00a0gato\u202fve\u2009un pájaro?", "Tengo\u3000hambre."],
                            lowercase=True) == [["¿", "el", "gato", "ve", "un", "pájaro", "?"],
                                                ["tengo", "hambre", "."]]
    sentences = ["Where is the library?", "I don't know, Tom's dog.", "¡Hola! ¿Qué tal?",
                 "It costs $5 (or 10%)... really", "I know who you're.", "It is Tom's!",
                 "Yes, I'm"]
    words = tf.ragged.constant(text.token_lists(sentences, lowercase=False))
    assert [s.decode() for s in text.detokenize(words).numpy()] == sentences


def test_teacher_forcing_batches(untrained):
    pairs = APP.read_data(untrained.config).splits["valid"][:3]
    inputs, target_out, weights = next(iter(APP.make_dataset(
        untrained.config, untrained.vocabulary, pairs, training=False)))
    target_in = inputs["target_in"].numpy()
    assert (target_in[:, 0] == use.START_ID).all()
    for row_in, row_out, row_weights in zip(target_in, target_out.numpy(), weights.numpy()):
        length = int(row_weights.sum())
        assert row_out[length - 1] == use.END_ID and (row_out[length:] == 0).all()
        assert row_in[1:length].tolist() == row_out[:length - 1].tolist()


@pytest.mark.parametrize("cell,attention,tied", [
    ("lstm", "additive", False), ("jordan", "multiplicative", False),
    ("peephole_lstm", "none", False), ("gru", "additive", False), ("hybrid", "none", False),
    ("elman", "multiplicative", False), ("gru", "additive", True), ("lstm", "none", True)])
def test_the_step_function_gives_the_logits_of_the_teacher_forced_model(cell, attention, tied):
    config = APP.Config(data="x", cell=cell, attention=attention, bidirectional=cell != "jordan",
                        layers=2 if cell == "lstm" else 1, units=6, embedding_dim=5,
                        tie_embeddings=tied)
    model = translator.build(config, 11, 9)
    rng = np.random.default_rng(0)
    source = np.array([[3, 4, 5, 6], [7, 8, 0, 0]], np.int32)
    target_in = rng.integers(2, 9, (2, 5)).astype(np.int32)
    expected = model({"source": source, "target_in": target_in}, training=False).numpy()
    encode, step = translator.decoding_functions(model, config)
    states = encode(tf.constant(source))
    for t in range(target_in.shape[1]):
        logits, states = step(tf.constant(target_in[:, t]), states)
        np.testing.assert_allclose(logits.numpy(), expected[:, t], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("units", [5, 6])
def test_tied_embeddings_make_the_target_embedding_the_output_layer(units):
    config = APP.Config(data="x", units=units, embedding_dim=5, tie_embeddings=True)
    model = translator.build(config, 11, 9)
    names = {layer.name for layer in model.layers}
    assert "logits" not in names
    assert ("output_projection" in names) == (units != 5)  # --units 6 is mapped to 5
    # (Its step function is tested with the other models' above.)
    source = np.array([[3, 4, 5, 6], [7, 8, 0, 0]], np.int32)
    # One matrix: a target id's logit is its embedding row · the output state.
    embedding = model.get_layer("target_embedding").embeddings
    rows = embedding.numpy()
    rows[7] = 0
    embedding.assign(rows)
    logits = model({"source": source, "target_in": np.full((2, 5), 2, np.int32)},
                   training=False).numpy()
    assert np.all(logits[..., 7] == 0) and np.all(np.abs(logits[..., 3]) > 0)


def test_a_tied_model_trains_saves_and_serves(tmp_path, capsys):
    from tests.apps.translate_data import TINY

    path = write_pairs(tmp_path / "pairs.txt", count=40)
    assert run(["train", "--data-dir", path, *TINY, "--units", "6", "--tie-embeddings",
                "--epochs", "1", "--output-dir", tmp_path / "run"]) == 0
    trained = load_trained(APP, tmp_path / "run", read_run(tmp_path / "run", APP.name))
    assert trained.config.tie_embeddings
    assert "logits" not in {layer.name for layer in trained.model.layers}
    capsys.readouterr()
    assert run(["predict", "--model", tmp_path / "run", "El gato ve un pájaro."]) == 0
    assert capsys.readouterr().out.strip()
    export(APP, trained, tmp_path / "saved_model")
    out = in_plain_tensorflow(
        tmp_path / "saved_model",
        "print(m.signatures['translate'](source=tf.constant(['a', 'b']))"
        "['translation'].shape[0])\n")
    assert out.split() == ["2"]


LONG = " ".join(["gato"] * 200)


def test_any_input_gets_an_output_of_bounded_length(untrained):
    translate_with = use.endpoints(untrained).functions["translate_with"]
    texts = ["", "zzz qqq xyzzy", LONG, "Where is the library?", "\u00a0\u2028 ",
             "El\u00a0gato\u202fve un pájaro."]
    for beam in (1, 3):
        out = translate_with(tf.constant(texts), tf.constant(beam))
        translations = [t.decode("utf-8") for t in out["translation"].numpy()]
        assert len(translations) == len(texts)
        assert np.isfinite(out["log_probability"].numpy()).all()
        split = use.decoder(untrained).split  # the source's units (WordPiece pieces)
        units = (split(tf.constant(texts)).numpy() != b"").sum(axis=1)
        for source_units, translation in zip(units, translations):
            # at most 2 × the source's units + 5 (pieces joined into words, and words
            # joined to punctuation, count less)
            assert len(translation.split()) <= 2 * source_units + 5
            assert "[UNK]" not in translation and "[START]" not in translation
        assert translations[0] == translations[4] == ""  # no words in, no words out
        none = translate_with(tf.constant([], tf.string), tf.constant(beam))  # an empty batch
        assert none["translation"].shape == (0,) and none["log_probability"].shape == (0,)


@pytest.mark.parametrize("beam,problem", [(0, "beam_size must be at least 1"),
                                          # checked before decoding allocates
                                          (2**30, "beam_size must be at most 1000")])
def test_translate_with_refuses_a_beam_below_one_or_too_wide(untrained, beam, problem):
    translate_with = use.endpoints(untrained).functions["translate_with"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=problem):
        translate_with(tf.constant(["el gato"]), tf.constant(beam))


def test_predict_refuses_a_beam_too_wide(untrained):
    args = argparse.Namespace(texts=["el gato"], format="text", beam_size=1001,
                              plot_attention=None)
    with pytest.raises(UserInputError, match="--beam-size must be between 1 and 1000, got 1001"):
        use.COMMANDS[0].run(APP, untrained, args)


def test_predict_prints_json_and_plots_the_attention(untrained, tmp_path, capsys):
    plot = tmp_path / "attention.png"
    args = argparse.Namespace(texts=[" ", "¿Dónde está la biblioteca?", ""], format="json",
                              beam_size=1, plot_attention=str(plot))
    use.COMMANDS[0].run(APP, untrained, args)
    printed = capsys.readouterr()
    lines = [json.loads(line) for line in printed.out.splitlines()]
    assert [line["text"] for line in lines] == args.texts
    assert all(line["beam_size"] == 1 and line["log_probability"] <= 0 for line in lines)
    assert [line["translation"] for line in lines][::2] == ["", ""]  # nothing to translate
    assert plot.stat().st_size > 1000  # the first sentence with words
    assert printed.err.strip() == f"wrote {plot}: the attention of '¿Dónde está la biblioteca?'"
    args.texts = ["El gato."]
    use.COMMANDS[0].run(APP, untrained, args)  # our own heatmap may be replaced
    assert "the attention of 'El gato.'" in capsys.readouterr().err
    plot.unlink()
    args.texts = ["", "  "]
    use.COMMANDS[0].run(APP, untrained, args)
    assert not plot.exists()
    assert capsys.readouterr().err.strip() == "nothing plotted: no sentence had a word"
    args.texts = ["¿Dónde está la biblioteca?"]
    (tmp_path / "folder.png").mkdir()
    (tmp_path / "mine.png").write_bytes(b"\x89PNG\r\n\x1a\n a picture of yours")
    for path, problem in ((tmp_path / "attention.txt", "ending in .png"),
                          (tmp_path / "folder.png", "is a folder"),
                          (tmp_path / "mine.png", "a file not written by --plot-attention"),
                          (tmp_path / "missing" / "a.png", "no folder"),
                          ("/proc/attention.png", "can't write in /proc")):
        args.plot_attention = str(path)
        with pytest.raises(UserInputError, match=problem):
            use.COMMANDS[0].run(APP, untrained, args)
    assert capsys.readouterr().out == ""  # each refused before translating


@pytest.mark.parametrize("line,problem", [
    (b"Hello.\n", "expected 2 or 3 tab-separated columns"),
    (b"Hello.\t \n", "empty source or target sentence"),
    (b"Hello.\tHola \xff.\n", "not valid UTF-8"),
])
def test_bad_pairs_lines_are_one_line_errors_and_nothing_is_written(tmp_path, capsys, line,
                                                                    problem):
    path = write_pairs(tmp_path / "pairs.txt", count=20)
    path.write_bytes(path.read_bytes() + line)
    assert run(["train", "--data-dir", path, "--output-dir", tmp_path / "run"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"translate: error: {path}:21: ") and problem in error
    assert len(error.splitlines()) == 1
    assert not list(tmp_path.glob("run*"))


def test_too_few_pairs_for_three_splits_is_a_one_line_error(tmp_path, capsys):
    path = write_pairs(tmp_path / "pairs.txt", count=3)
    assert run(["train", "--data-dir", path, "--output-dir", tmp_path / "run"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith(f"translate: error: {path}: too few pairs to split: train ")
    assert not list(tmp_path.glob("run*"))


def test_a_min_count_that_empties_the_vocabulary_is_a_one_line_error(tmp_path, capsys):
    path = write_pairs(tmp_path / "pairs.txt", count=30)
    # (with --subwords wordpiece every character is a piece: never empty)
    assert run(["train", "--data-dir", path, "--min-count", "1000", "--subwords", "none",
                "--output-dir", tmp_path / "run"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == ("translate: error: the source vocabulary is empty: no source token of "
                     "the training split seen at least --min-count 1000 times")
    assert not list(tmp_path.glob("run*"))


def test_the_saved_model_translates_in_plain_tensorflow(untrained, tmp_path):
    export(APP, untrained, tmp_path / "saved_model")
    out = in_plain_tensorflow(
        tmp_path / "saved_model",
        "out = m.signatures['translate'](source=tf.constant(['El gato ve un pájaro.', '']))\n"
        "default = m.signatures['serving_default'](source=tf.constant(['x']))\n"
        "print(out['translation'].shape[0], default['translation'].shape[0])\n")
    assert out.split() == ["2", "1"]


def in_plain_tensorflow(saved_model, script):
    """The stdout of `script` run with the SavedModel loaded as `m`, in a process that
    never imports kerasrnn (asserted)."""
    script = ("import json, sys, tensorflow as tf\n"
              f"m = tf.saved_model.load({str(saved_model)!r})\n"
              f"{script}assert 'kerasrnn' not in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_keras_finds_every_layer_by_name(untrained):
    names = {layer.name for layer in untrained.model.layers}
    assert {"encoder_0", "decoder", "attention", "attention_keys", "attention_vector",
            "logits", "bridge_0"} <= names
    assert isinstance(untrained.model.get_layer("attention"), keras.layers.AdditiveAttention)


def test_the_attention_heatmap_of_a_long_sentence_stays_a_readable_size(tmp_path):
    from PIL import Image

    from apps.translate.figures import plot_attention

    weights = np.random.default_rng(0).dirichlet(np.ones(200), 400)
    plot_attention(weights, [f"w{i}" for i in range(200)], [f"o{i}" for i in range(400)],
                   tmp_path / "long.png")
    assert max(Image.open(tmp_path / "long.png").size) <= 4000  # was 10,200 × 16,150 pixels


def test_cross_entropy_is_the_mean_over_real_tokens_and_loss_counts_padding(untrained):
    config, vocabulary, model = untrained.config, untrained.vocabulary, untrained.model
    items = APP.read_data(config).splits["valid"]
    x, y, w = next(iter(APP.make_dataset(config, vocabulary, items, training=False)))
    results = model.evaluate(x, y, sample_weight=w, verbose=0, return_dict=True)
    logits = model(x, training=False).numpy().astype(np.float64)
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    token = -np.take_along_axis(log_probs, y.numpy()[..., None], -1)[..., 0]
    weights = w.numpy()
    assert 0 < weights.mean() < 1  # the batch has padding
    np.testing.assert_allclose(results["cross_entropy"], (token * weights).sum() / weights.sum(),
                               rtol=1e-4)
    np.testing.assert_allclose(results["loss"], (token * weights).mean(), rtol=1e-4)


def test_evaluate_notes_changed_data_and_scores_another_beam_width(tmp_path, capsys):
    from tests.apps.translate_data import TINY

    path = write_pairs(tmp_path / "pairs.txt", count=40)
    assert run(["train", "--data-dir", path, *TINY, "--epochs", "1",
                "--output-dir", tmp_path / "run"]) == 0
    renamed = tmp_path / "moved.txt"
    renamed.write_bytes(path.read_bytes())
    capsys.readouterr()
    assert run(["evaluate", "--model", tmp_path / "run", "--data-dir", renamed]) == 0
    assert "data differ" not in capsys.readouterr().err
    renamed.write_bytes(path.read_bytes() + b"Hello.\tHola.\n")
    assert run(["evaluate", "--model", tmp_path / "run", "--data-dir", renamed]) == 0
    note = capsys.readouterr().err
    assert "the data differ from those the model was trained on" in note
    # It names the files: the one read now and the one trained on (its sha256 saved).
    assert note.strip().endswith("not in training: moved.txt; "
                                 "trained on, not read now: pairs.txt")
    assert str(tmp_path / "run" / "config.json") in note


    # Another decoder of the same model: `evaluate --beam-size 1` scores greedy decoding.
    assert run(["evaluate", "--model", tmp_path / "run"]) == 0
    assert json.loads(capsys.readouterr().out)["beam_size"] == 2  # the trained one
    assert run(["evaluate", "--model", tmp_path / "run", "--beam-size", "1"]) == 0
    greedy = json.loads(capsys.readouterr().out)
    trained = load_trained(APP, tmp_path / "run", read_run(tmp_path / "run", APP.name))
    test = APP.read_data(trained.config).splits["test"]
    hypotheses = use.translate_all(use.endpoints(trained).functions["translate_with"],
                                   [p.source for p in test], beam_size=1)
    bleu = sacrebleu.BLEU()
    expected = bleu.corpus_score(hypotheses, [[p.target for p in test]])
    assert greedy["beam_size"] == 1 and greedy["bleu"] == round(expected.score, 2)
    assert greedy["signature"] == bleu.get_signature().format()
    assert greedy["signature"].startswith("nrefs:1|case:mixed|")
    assert run(["evaluate", "--model", tmp_path / "run", "--beam-size", "0"]) == 2
    assert capsys.readouterr().err.strip() == \
        "translate: error: --beam-size must be at least 1, got 0"
    assert run(["evaluate", "--model", tmp_path / "run", "--length-alpha", "nan"]) == 2
    assert capsys.readouterr().err.strip() == \
        "translate: error: --length-alpha must be a finite number, got nan"


def test_a_sentence_with_words_never_translates_to_nothing_even_with_a_wide_beam(untrained):
    translate_with = use.endpoints(untrained).functions["translate_with"]
    for beam in (1, 4, 64):
        out = translate_with(tf.constant(["el gato", "zzz", ""]), tf.constant(beam))
        translations = [t.decode("utf-8") for t in out["translation"].numpy()]
        assert translations[0] and translations[1] and translations[2] == "", beam


def test_wordpiece_pieces_spell_unseen_words_and_are_joined_on_output(tmp_path):
    path = write_pairs(tmp_path / "pairs.txt")
    config = config_for(path, subwords="wordpiece", source_vocabulary=40, target_vocabulary=40)
    vocabulary = APP.build_vocabulary(config, APP.read_data(config).splits["train"])
    assert vocabulary["target"][:2] == [START, END]
    assert len(vocabulary["source"]) == 40  # the target's characters alone are more than 40
    assert any(p.startswith("##") for p in vocabulary["source"] + vocabulary["target"])
    lookup, split = use.text_units(config, vocabulary, "source")
    units = split(tf.constant(["¿El gatos quiere pájaros?"]))  # "gatos", "pájaros": unseen
    pieces = [u.decode() for u in units.numpy()[0] if u]
    assert len(pieces) > 6 and any(p.startswith("##") for p in pieces)
    assert 1 not in lookup(units).numpy()  # spelled with pieces, no [UNK]
    joined = text.detokenize(tf.ragged.constant([["Th", "##e", "cat", "##s", "do", "##n't", "."]]),
                             pieces=True)
    assert joined.numpy()[0].decode() == "The cats don't."

    model = APP.build_model(config, vocabulary, {"optimizer": "adam"})
    trained = Trained(config, vocabulary, model)
    export(APP, trained, tmp_path / "saved_model")
    out = in_plain_tensorflow(
        tmp_path / "saved_model",
        "out = m.signatures['translate'](source=tf.constant(['¿El gatos quiere pájaros?', '']))\n"
        "print(json.dumps([t.decode() for t in out['translation'].numpy()]))\n")
    translations = json.loads(out.strip().splitlines()[-1])
    assert translations[0] and translations[1] == ""
    assert "##" not in translations[0] and "[UNK]" not in translations[0]


def test_a_run_saved_before_subwords_existed_loads_as_word_level():
    saved = dataclasses.asdict(APP.Config(data="spa-eng"))
    del saved["subwords"]
    assert APP.Config().subwords == "wordpiece"
    assert config_from_json(APP.Config, saved, APP.defaults_of_old_runs).subwords == "none"
