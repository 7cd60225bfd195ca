"""CRF / CRFLoss against brute-force enumeration of every tag path, and in whole models."""

import itertools

import keras
import numpy as np
import pytest

from kerasrnn.layers.crf import CRF
from kerasrnn.layers.crf_loss import CRFLoss
from tests.backend_gradients import gradients
from tests.conftest import BACKEND, tensorflow_only

pytestmark = pytest.mark.backends

TAGS, BATCH, TIME = 3, 4, 4
MASKS = {
    "none": None,
    "right_padding": np.arange(TIME)[None, :] < np.array([TIME, 3, 1, 0])[:, None],
    "holes": np.array([[0, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 1], [0, 0, 0, 1]], bool),
}


def numpy_of(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def brute_force(emissions, mask, transitions, start, end, tags):
    """log Z, log p(tags) and the best path of one sequence, by listing all K^n paths.

    Only the n real steps take part (masked steps are skipped); an empty
    sequence has log Z = log p = 0 and the best path is all zeros.
    """
    steps = np.flatnonzero(mask)
    best = np.zeros(len(mask), int)
    if len(steps) == 0:
        return 0.0, 0.0, best
    e = emissions[steps].astype("float64")

    def score(path):
        return (start[path[0]] + e[np.arange(len(path)), path].sum()
                + transitions[path[:-1], path[1:]].sum() + end[path[-1]])

    paths = [np.array(p) for p in itertools.product(range(TAGS), repeat=len(steps))]
    scores = np.array([score(p) for p in paths])
    log_z = np.logaddexp.reduce(scores)
    best[steps] = paths[int(scores.argmax())]
    return log_z, score(tags[steps]) - log_z, best


def _random_crf(rng, dtype="float32"):
    crf = CRF(TAGS, dtype=dtype)
    crf.build((None, None, TAGS))
    for w in crf.weights:
        w.assign(rng.normal(size=w.shape))
    return crf


def _parameters(crf):
    return [numpy_of(w).astype("float64")
            for w in (crf.transitions, crf.start_transitions, crf.end_transitions)]


@pytest.mark.parametrize("masking", sorted(MASKS))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_brute_force(masking, seed):
    rng = np.random.default_rng(seed)
    crf = _random_crf(rng)
    emissions = rng.normal(scale=2.0, size=(BATCH, TIME, TAGS)).astype("float32")
    tags = rng.integers(0, TAGS, size=(BATCH, TIME))
    mask = MASKS[masking]
    full = np.ones((BATCH, TIME), bool) if mask is None else mask
    refs = [brute_force(emissions[b], full[b], *_parameters(crf), tags[b]) for b in range(BATCH)]
    np.testing.assert_allclose(numpy_of(crf.log_partition(emissions, mask)),
                               [r[0] for r in refs], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(numpy_of(crf.log_likelihood(emissions, tags, mask)),
                               [r[1] for r in refs], rtol=1e-5, atol=1e-5)
    decoded = crf.decode(emissions, mask)
    assert keras.backend.standardize_dtype(decoded.dtype) == "int32"
    np.testing.assert_array_equal(numpy_of(decoded), [r[2] for r in refs])
    np.testing.assert_array_equal(numpy_of(crf(emissions, mask=mask, decode=True)),
                                  [r[2] for r in refs])


def test_matrix_product_forward_equals_the_pairwise_logsumexp(rng):
    """The fast forward (one matmul a step) against the textbook K × K logsumexp,
    at a realistic size: 40 tags, transitions and emissions of a trained tagger's scale."""
    crf = CRF(40)
    crf.build((None, None, 40))
    for w in crf.weights:
        w.assign(rng.normal(scale=3.0, size=w.shape))
    emissions = rng.normal(scale=5.0, size=(8, 9, 40)).astype("float32")
    mask = np.arange(9)[None, :] < rng.integers(0, 10, size=(8, 1))
    prepared = crf._prepare(emissions, mask)
    emissions_, mask_, first, (trans, start, _) = prepared
    fast = numpy_of(crf._forward(emissions_, mask_, first, trans, start))
    pairwise = numpy_of(crf._forward(emissions_, mask_, first, trans, start, pairwise=True))
    np.testing.assert_allclose(fast, pairwise, rtol=2e-6, atol=2e-5)


def _constrained():
    """A CRF whose transition 0 -> 1 is all but forbidden (-300), and two steps where
    the only likely path goes through tag 1 after an unlikely first step: the fast
    forward's sum for tag 1 (≈ 2e-48) underflows to 0 in float32; in float64 it is
    representable but below `_SAFE_SUM`, so both take the exact path."""
    transitions = np.zeros((TAGS, TAGS))
    transitions[0, 1] = -300.0
    emissions = np.array([[[110.0, 0.0, 0.0], [0.0, 400.0, 0.0]]])
    return transitions, emissions


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_near_forbidden_transitions_take_the_exact_path(dtype, monkeypatch):
    from kerasrnn.layers import crf as crf_module

    transitions, emissions = _constrained()
    crf = CRF(TAGS, dtype=dtype)
    crf.build((None, None, TAGS))
    crf.transitions.assign(transitions)
    emissions = emissions.astype(dtype)
    zeros = np.zeros(TAGS)
    want = brute_force(emissions[0], np.ones(2, bool), transitions, zeros, zeros,
                       np.array([0, 1]))
    got = numpy_of(crf.log_partition(emissions))
    np.testing.assert_allclose(got, [want[0]], rtol=1e-7)  # log Z = 400 + log 2
    np.testing.assert_allclose(numpy_of(crf.log_likelihood(emissions, [[0, 1]])), [want[1]],
                               rtol=1e-6, atol=1e-4)
    if dtype == "float32":
        monkeypatch.setattr(crf_module, "_SAFE_SUM", -1.0)  # the matmul alone loses tag 1
        assert not np.allclose(numpy_of(crf.log_partition(emissions)), [want[0]], rtol=1e-3)


def test_gradients_through_the_exact_path_match_finite_differences():
    transitions, emissions = _constrained()
    crf = CRF(TAGS, dtype="float64")
    holder = _Emissions(crf, dtype="float64")
    # steps e0 e0 e1 e1 (TIME = 4), the second row shifted
    holder.emissions.assign(np.concatenate([emissions, emissions + 1.0]).repeat(2, axis=1))
    crf.build((None, None, TAGS))
    crf.transitions.assign(transitions)
    tags = np.array([[0, 1, 1, 2], [0, 0, 1, 1]])

    def loss():
        return -keras.ops.sum(crf.log_likelihood(holder.emissions, tags))

    analytic = gradients(holder, loss)
    assert analytic.pop("__missing__") == []
    grad = next(g for path, g in analytic.items() if path.endswith("emissions"))
    base = numpy_of(holder.emissions)
    numeric = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        for sign in (1, -1):
            moved = base.copy()
            moved[index] += sign * 1e-6
            holder.emissions.assign(moved)
            numeric[index] += sign * float(numpy_of(loss())) / 2e-6
    holder.emissions.assign(base)
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(grad, numeric, atol=1e-5)


def test_step_losses_sum_to_the_nll_of_each_real_prefix(rng):
    crf = _random_crf(rng)
    emissions = rng.normal(size=(BATCH, TIME, TAGS)).astype("float32")
    tags = rng.integers(0, TAGS, size=(BATCH, TIME))
    steps = numpy_of(crf.step_losses(emissions, tags))
    for length in range(1, TIME + 1):
        mask = np.arange(TIME)[None, :] < length
        mask = np.broadcast_to(mask, (BATCH, TIME))
        nll = -numpy_of(crf.log_likelihood(emissions, tags, mask))
        np.testing.assert_allclose(steps[:, :length].sum(axis=1), nll, rtol=1e-5, atol=1e-5)


class _Emissions(keras.layers.Layer):
    """Holds emissions as a weight so the gradient helper differentiates them too."""

    def __init__(self, crf, **kwargs):
        super().__init__(**kwargs)
        self.crf = crf
        self.emissions = self.add_weight(shape=(2, TIME, TAGS), name="emissions")


@pytest.mark.parametrize("loss", ["log_likelihood", "step_losses"])
def test_gradients_match_finite_differences(loss, rng):
    crf = _random_crf(rng, dtype="float64")
    holder = _Emissions(crf, dtype="float64")
    holder.emissions.assign(rng.normal(size=(2, TIME, TAGS)))
    tags = rng.integers(0, TAGS, size=(2, TIME))
    # Right padding, plus an empty row for log_likelihood (step_losses needs a real first step).
    mask = np.array([[True] * 3 + [False], [False] * TIME if loss == "log_likelihood"
                     else [True] * 2 + [False] * 2])

    def layer_loss():
        if loss == "log_likelihood":
            return -keras.ops.sum(crf.log_likelihood(holder.emissions, tags, mask))
        return keras.ops.sum(keras.ops.multiply(crf.step_losses(holder.emissions, tags), mask))

    def reference_loss(values):
        e, transitions, start, end = values
        return -sum(brute_force(e[b], mask[b], transitions, start, end, tags[b])[1]
                    for b in range(2))

    analytic = gradients(holder, layer_loss)
    assert analytic.pop("__missing__") == []
    weights = [holder.emissions, crf.transitions, crf.start_transitions, crf.end_transitions]
    values = [numpy_of(w).astype("float64") for w in weights]
    assert reference_loss(values) == pytest.approx(float(numpy_of(layer_loss())), rel=1e-10)
    eps = 1e-6
    for i, w in enumerate(weights):
        grad = analytic[w.path]
        assert np.isfinite(grad).all()
        for index in np.ndindex(*w.shape):
            shifted = [v.copy() for v in values]
            shifted[i][index] += eps
            up = reference_loss(shifted)
            shifted[i][index] -= 2 * eps
            numeric = (up - reference_loss(shifted)) / (2 * eps)
            assert grad[index] == pytest.approx(numeric, rel=1e-5, abs=1e-8), (w.path, index)


def alternating_tags(rng, n=64, time=6):
    """Token 1 or 2 starts a sequence with tag 0 or 1; then token 3 while tags alternate.

    Every step after the first shows the same token, so only the transitions tell
    its tag. 0 pads the sequences (lengths 2…time).
    """
    lengths = rng.integers(2, time + 1, size=n)
    first = rng.integers(0, 2, size=n)
    x = np.zeros((n, time), "int32")
    y = np.zeros((n, time), "int32")
    for i, (length, tag) in enumerate(zip(lengths, first)):
        x[i, :length] = 3
        x[i, 0] = 1 + tag
        y[i, :length] = (tag + np.arange(length)) % 2
    return x, y


def models(num_tags=2, **crf_kwargs):
    """A training model (emissions, for CRFLoss) and a tagger sharing its CRF layer."""
    tokens = keras.Input((None,), dtype="int32", name="tokens")
    hidden = keras.layers.Embedding(4, 4, mask_zero=True, name="embedding")(tokens)
    emissions = keras.layers.Dense(num_tags, name="emissions")(hidden)
    crf = CRF(num_tags, name="crf", **crf_kwargs)
    trainer = keras.Model(tokens, crf(emissions), name="trainer")
    tagger = keras.Model(tokens, crf(emissions, decode=True), name="tagger")
    return trainer, tagger, crf


def test_fit_learns_transitions_a_per_step_tagger_cannot(rng):
    x, y = alternating_tags(rng)
    real = x > 0
    # The best any per-token classifier can do: the majority tag of each token.
    per_token = sum(np.bincount(y[real & (x == t)], minlength=2).max() for t in (1, 2, 3))
    assert per_token / real.sum() < 0.8

    trainer, tagger, crf = models()
    trainer.compile(keras.optimizers.Adam(0.1), loss=CRFLoss(crf),
                    jit_compile=BACKEND != "torch")  # XLA on TensorFlow and JAX
    before = numpy_of(crf.transitions).copy()
    history = trainer.fit(x, y, batch_size=16, epochs=15, verbose=0)
    losses = history.history["loss"]
    assert np.isfinite(losses).all() and losses[-1] < 0.2 * losses[0]
    assert not np.allclose(numpy_of(crf.transitions), before)
    predicted = numpy_of(tagger.predict(x, verbose=0))
    assert (predicted[real] == y[real]).mean() > 0.97
    assert (predicted[~real] == 0).all()


def test_loss_is_the_mean_nll_per_real_step(rng):
    trainer, _, crf = models(num_tags=3, transitions_initializer="random_normal")
    x, _ = alternating_tags(rng, n=5)
    y = rng.integers(0, 3, size=x.shape) * (x > 0) - (x == 0)  # -1 labels at padded steps
    emissions = trainer(x)
    nll = -numpy_of(crf.log_likelihood(emissions, y, x > 0))
    loss = CRFLoss(crf)
    assert float(numpy_of(loss(y, emissions))) == pytest.approx(nll.sum() / (x > 0).sum(),
                                                                 rel=1e-5)
    total = CRFLoss(crf, reduction="sum")(y[..., None], emissions)  # (batch, time, 1) labels
    assert float(numpy_of(total)) == pytest.approx(nll.sum(), rel=1e-5)


def test_config_round_trip(rng):
    crf = CRF(TAGS, transitions_initializer="random_normal", boundary_regularizer="l2",
              name="tags")
    clone = CRF.from_config(crf.get_config())
    assert clone.get_config() == crf.get_config()
    loss = CRFLoss(crf)
    restored = CRFLoss.from_config(loss.get_config())
    assert restored.get_config() == loss.get_config() and restored.crf_name == "tags"
    with pytest.raises(RuntimeError, match="get_layer\\('tags'\\)"):
        restored(np.zeros((1, 2)), np.zeros((1, 2, TAGS), "float32"))


def test_keras_files_round_trip_in_safe_mode(rng, tmp_path):
    trainer, tagger, crf = models(num_tags=3, transitions_initializer="random_normal")
    x, y = alternating_tags(rng, n=8)
    trainer.compile("adam", loss=CRFLoss(crf))
    trainer.fit(x, y, epochs=1, verbose=0)
    trainer.save(tmp_path / "trainer.keras")
    tagger.save(tmp_path / "tagger.keras")

    loaded_tagger = keras.saving.load_model(tmp_path / "tagger.keras")
    np.testing.assert_array_equal(numpy_of(loaded_tagger(x)), numpy_of(tagger(x)))
    loaded = keras.saving.load_model(tmp_path / "trainer.keras")  # compiles an unbound CRFLoss
    np.testing.assert_array_equal(numpy_of(loaded(x)), numpy_of(trainer(x)))
    loaded_crf = loaded.get_layer("crf")
    np.testing.assert_array_equal(numpy_of(loaded_crf.transitions), numpy_of(crf.transitions))
    loaded.compile("adam", loss=CRFLoss(loaded_crf))
    assert np.isfinite(loaded.fit(x, y, epochs=1, verbose=0).history["loss"]).all()


@tensorflow_only
def test_saved_model_export_serves_the_viterbi_path(rng, tmp_path):
    import tensorflow as tf

    _, tagger, crf = models(num_tags=3, transitions_initializer="random_normal")
    tagger.get_layer("emissions").kernel.assign(rng.normal(size=(4, 3)) * 3)
    x, _ = alternating_tags(rng, n=6)
    tagger.export(str(tmp_path / "saved"), verbose=False)
    served = tf.saved_model.load(str(tmp_path / "saved"))
    for length in (6, 3):  # the time dimension stays dynamic
        np.testing.assert_array_equal(served.serve(tf.constant(x[:, :length])).numpy(),
                                      numpy_of(tagger(x[:, :length])))


@tensorflow_only
def test_graph_mode_fit_with_a_dynamic_time_dimension(rng):
    import tensorflow as tf

    x, y = alternating_tags(rng, n=32)
    lengths = (x > 0).sum(axis=1)
    data = tf.data.Dataset.from_tensor_slices((x, y, lengths)).map(  # unpadded sequences
        lambda a, b, n: (a[:n], b[:n]))
    data = data.padded_batch(8, padded_shapes=([None], [None]))  # each batch its own length
    trainer, _, crf = models()
    trainer.compile(keras.optimizers.Adam(0.1), loss=CRFLoss(crf), jit_compile=False)
    assert np.isfinite(trainer.fit(data, epochs=2, shuffle=False, verbose=0).history["loss"]).all()


def test_mixed_float16_runs_the_crf_math_in_float32(rng, tmp_path):
    keras.config.set_dtype_policy("mixed_float16")
    crf = _random_crf(rng)
    assert all(keras.backend.standardize_dtype(w.dtype) == "float32" for w in crf.weights)
    emissions = rng.normal(scale=3.0, size=(BATCH, TIME, TAGS)).astype("float16")
    tags = rng.integers(0, TAGS, size=(BATCH, TIME))
    mask = MASKS["right_padding"]
    got = crf.log_likelihood(emissions, tags, mask)
    assert keras.backend.standardize_dtype(got.dtype) == "float32"
    want = [brute_force(emissions[b], mask[b], *_parameters(crf), tags[b])[1]
            for b in range(BATCH)]
    np.testing.assert_allclose(numpy_of(got), want, rtol=1e-5, atol=1e-5)  # float16: ~1e-2

    trainer, tagger, crf = models()
    x, y = alternating_tags(rng, n=16)
    trainer.compile("adam", loss=CRFLoss(crf))
    assert np.isfinite(trainer.fit(x, y, epochs=1, verbose=0).history["loss"]).all()
    assert keras.backend.standardize_dtype(trainer(x).dtype) == "float16"
    assert keras.backend.standardize_dtype(tagger(x).dtype) == "int32"


def test_invalid_arguments():
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError, match="num_tags"):
            CRF(bad)
    with pytest.raises(ValueError, match=r"got shape \(None, 4, 5\)"):
        CRF(3)(keras.Input((4, 5)))
    with pytest.raises(TypeError, match="Dense"):
        CRFLoss(keras.layers.Dense(3))
