"""CharacterCNN and CharacterBiLSTM against NumPy / plain-Keras references, masks and saving."""

import keras
import numpy as np
import pytest

from kerasrnn.layers import CharacterBiLSTM, CharacterCNN

pytestmark = pytest.mark.backends

CHARS, DIM, FILTERS, UNITS = 20, 5, 6, 4
# (batch 2, time 3, max_chars 5): lengths 3, 5, 0 (padding word) / 1, 2, 0
IDS = np.array([[[3, 4, 5, 0, 0], [6, 7, 8, 9, 10], [0, 0, 0, 0, 0]],
                [[1, 0, 0, 0, 0], [11, 2, 0, 0, 0], [0, 0, 0, 0, 0]]], "int32")


def numpy_of(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _make(kind, **kwargs):
    if kind == "cnn":
        return CharacterCNN(CHARS, DIM, FILTERS, **kwargs)
    return CharacterBiLSTM(CHARS, DIM, UNITS, **kwargs)


def _size(kind):
    return FILTERS if kind == "cnn" else 2 * UNITS


def _cnn_reference(ids, embeddings, kernel, bias):
    """Lookup → zero padded positions → 'same' conv (zero ends) → tanh → max over real chars."""
    size, _, filters = kernel.shape
    before, after = (size - 1) // 2, size // 2  # TensorFlow's 'same' padding
    out = np.zeros(ids.shape[:-1] + (filters,))
    for index in np.ndindex(ids.shape[:-1]):
        chars = ids[index]
        present = chars != 0
        if not present.any():
            continue  # a padding word: zeros
        x = embeddings[chars] * present[:, None]
        x = np.pad(x, [(before, after), (0, 0)])
        hidden = np.tanh(np.stack([np.einsum("kd,kdf->f", x[i:i + size], kernel)
                                   for i in range(len(chars))]) + bias)
        out[index] = hidden[present].max(axis=0)
    return out


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_output_shape_and_mask_is_word_has_a_character(kind):
    layer = _make(kind)
    out = layer(IDS)
    assert tuple(out.shape) == (2, 3, _size(kind))
    assert layer.compute_output_shape(IDS.shape) == (2, 3, _size(kind))
    expected = (IDS != 0).any(axis=-1)
    np.testing.assert_array_equal(numpy_of(layer.compute_mask(IDS)), expected)
    # the mask reaches the next layer in a model: a masked mean over the real words
    chars = keras.Input((None, None), dtype="int32")
    pooled = keras.layers.GlobalAveragePooling1D()(layer(chars))
    vectors = numpy_of(layer(IDS))
    reference = np.stack([vectors[b][expected[b]].mean(axis=0) for b in range(2)])
    np.testing.assert_allclose(numpy_of(keras.Model(chars, pooled)(IDS)), reference,
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_extra_padding_columns_do_not_change_a_words_vector(kind):
    layer = _make(kind)
    out = numpy_of(layer(IDS))
    for extra in (1, 4):
        wider = np.pad(IDS, [(0, 0), (0, 0), (0, extra)])
        np.testing.assert_allclose(numpy_of(layer(wider)), out, rtol=1e-5, atol=1e-6)
    # and a word alone gives what it gives inside a batch of other words
    alone = numpy_of(layer(IDS[:1, :1, :3]))
    np.testing.assert_allclose(alone[0, 0], out[0, 0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kernel_size", [3, 2])
def test_cnn_equals_numpy_reference_and_padding_word_is_zero(kernel_size):
    layer = CharacterCNN(CHARS, DIM, FILTERS, kernel_size=kernel_size)
    out = numpy_of(layer(IDS))
    conv = layer.convolution
    assert tuple(conv.kernel.shape) == (kernel_size, DIM, FILTERS)
    conv.bias.assign(np.linspace(-0.3, 0.3, FILTERS).astype("float32"))  # a non-zero bias
    out = numpy_of(layer(IDS))
    reference = _cnn_reference(IDS, numpy_of(layer.embedding.embeddings),
                               numpy_of(conv.kernel), numpy_of(conv.bias))
    np.testing.assert_allclose(out, reference, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(out[:, 2], 0.0)  # padding words
    assert np.all(np.abs(out[:, :2]) < 1.0)  # tanh range: no padding sentinel won the max


def test_bilstm_halves_equal_an_lstm_over_the_real_characters_only():
    layer = CharacterBiLSTM(CHARS, DIM, UNITS)
    out = numpy_of(layer(IDS))
    embeddings = numpy_of(layer.embedding.embeddings)
    forward, backward = keras.layers.LSTM(UNITS), keras.layers.LSTM(UNITS)
    forward.build((None, None, DIM))
    backward.build((None, None, DIM))
    forward.set_weights(layer.bilstm.forward_layer.get_weights())
    backward.set_weights(layer.bilstm.backward_layer.get_weights())
    for b, t in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        chars = IDS[b, t][IDS[b, t] != 0]
        x = embeddings[chars][None]
        np.testing.assert_allclose(out[b, t, :UNITS], numpy_of(forward(x))[0],
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out[b, t, UNITS:], numpy_of(backward(x[:, ::-1]))[0],
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_config_round_trip(kind):
    layer = _make(kind, dropout=0.25, name="chars")
    out = numpy_of(layer(IDS))
    config = layer.get_config()
    again = type(layer).from_config(config)
    assert again.get_config() == config
    assert again.dropout == 0.25 and again.name == "chars"
    again.build(IDS.shape)
    again.set_weights(layer.get_weights())
    np.testing.assert_allclose(numpy_of(again(IDS)), out, rtol=1e-6)


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_keras_file_round_trip_gives_identical_outputs(kind, tmp_path):
    chars = keras.Input((None, None), dtype="int32")
    model = keras.Model(chars, _make(kind, dropout=0.5, name="chars")(chars))
    out = numpy_of(model(IDS))
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert type(loaded.get_layer("chars")) is type(model.get_layer("chars"))
    np.testing.assert_array_equal(numpy_of(loaded(IDS)), out)


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_dropout_only_while_training(kind):
    layer = _make(kind, dropout=0.5)
    inference = numpy_of(layer(IDS))
    np.testing.assert_array_equal(numpy_of(layer(IDS, training=False)), inference)
    training = numpy_of(layer(IDS, training=True))
    real = (IDS != 0).any(axis=-1)
    assert not np.allclose(training[real], inference[real])
    if kind == "cnn":
        np.testing.assert_array_equal(training[~real], 0.0)  # padding words stay zero
    quiet = _make(kind, dropout=0.0)
    np.testing.assert_array_equal(numpy_of(quiet(IDS, training=True)), numpy_of(quiet(IDS)))


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_non_positive_sizes_are_rejected(kind):
    with pytest.raises(ValueError, match="positive"):
        CharacterCNN(CHARS, 0, FILTERS) if kind == "cnn" else CharacterBiLSTM(CHARS, DIM, 0)
