"""The encoder-decoder: built for teacher forcing, and run one step at a time to decode.

Encoder: source embedding → `layers` recurrent layers of `cell` (each optionally
bidirectional), every source position kept. Its masked mean is mapped (one tanh
`Dense` per state of the decoder cell, "bridge_<i>") to the decoder's initial state.

Output: a `Dense` to the target vocabulary ("logits"), or with `tie_embeddings` the
transpose of the target embedding (keras.layers.ReversibleEmbedding called with
`reverse=True`, no bias; Press & Wolf 2017, "Using the Output Embedding to Improve
Language Models", section 5, also in Vaswani et al. 2017, section 3.4), after a
linear map to `embedding_dim` ("output_projection") when `units` differs from it:
logits = W_e · (P · h), W_e the `[target_size, embedding_dim]` embedding matrix.

Decoder: target embedding → one recurrent layer of `decoder_cell` ("decoder"). With
attention, each decoder output is the query of `keras.layers.AdditiveAttention`
(Bahdanau et al. 2015: v · tanh(q + k)) or `keras.layers.Attention` (Luong et al.
2015, "general": q · k) over the encoder's outputs, whose keys are a linear map of
them ("attention_keys"); the decoder output and the context go through a tanh layer
("attention_vector", Luong's attentional hidden state) to the logits. Without
attention (Sutskever et al. 2014) the decoder output goes to the logits, and the
bridge is the only path from the source.

The same layers, found by name, serve both uses: `build` calls them on whole
sentences (teacher forcing: the decoder reads the reference's previous words), and
`decoding_functions` returns the encoder and a step function over the decoder's
cell for kerasrnn.generation's compiled decoders.
"""

import keras
import tensorflow as tf

from kerasrnn.layers.masked_pooling import MaskedPooling
from kerasrnn.layers.recurrent import recurrent


def build(config, source_size, target_size):
    """The functional training model: {"source", "target_in"} ids → next-token logits."""
    source = keras.Input((None,), dtype="int32", name="source")
    target_in = keras.Input((None,), dtype="int32", name="target_in")
    layers = make_layers(config, source_size, target_size)
    encoded, keys, mask, initial = _encode(layers, config, source)
    y = layers["target_dropout"](layers["target_embedding"](target_in))
    outputs = layers["decoder"](y, initial_state=initial)
    logits = _output(layers, config, outputs, encoded, keys, mask)
    return keras.Model({"source": source, "target_in": target_in}, logits, name="translator")


def make_layers(config, source_size, target_size):
    """Every layer of the model, by name."""
    tied = config.tie_embeddings
    # Construction order fixes each layer's seed: the same as before the option existed.
    layers = [keras.layers.Embedding(source_size, config.embedding_dim, name="source_embedding"),
              keras.layers.Dropout(config.dropout, name="source_dropout"),
              (keras.layers.ReversibleEmbedding(target_size, config.embedding_dim,
                                                tie_weights=True, reverse_dtype="float32",
                                                name="target_embedding") if tied else
               keras.layers.Embedding(target_size, config.embedding_dim,
                                      name="target_embedding")),
              keras.layers.Dropout(config.dropout, name="target_dropout"),
              MaskedPooling("mean", name="source_summary"),
              keras.layers.Dropout(config.dropout, name="output_dropout")]
    if not tied:
        layers.append(keras.layers.Dense(target_size, name="logits", dtype="float32"))
    elif config.units != config.embedding_dim:
        layers.append(keras.layers.Dense(config.embedding_dim, use_bias=False,
                                         name="output_projection"))
    for i in range(config.layers):
        layer = recurrent(config.cell, config.units, return_sequences=True, name=f"encoder_{i}")
        if config.bidirectional:
            layer = keras.layers.Bidirectional(layer, name=f"encoder_{i}")
        layers += [layer, keras.layers.Dropout(config.dropout, name=f"encoder_dropout_{i}")]
    decoder = recurrent(config.decoder_cell or config.cell, config.units, return_sequences=True,
                        name="decoder")
    layers.append(decoder)
    layers += [keras.layers.Dense(size, activation="tanh", name=f"bridge_{i}")
               for i, size in enumerate(state_sizes(decoder.cell))]
    if config.attention != "none":
        attention = (keras.layers.AdditiveAttention(name="attention")
                     if config.attention == "additive" else
                     keras.layers.Attention(name="attention"))
        layers += [attention,
                   keras.layers.Dense(config.units, use_bias=False, name="attention_keys"),
                   keras.layers.Dense(config.units, activation="tanh", name="attention_vector")]
    return {layer.name: layer for layer in layers}


def state_sizes(cell):
    size = cell.state_size
    return list(size) if isinstance(size, (list, tuple)) else [size]


def _encode(layers, config, source):
    """(encoder outputs, attention keys or None, source mask, decoder initial state)."""
    mask = keras.ops.not_equal(source, 0)
    x = layers["source_dropout"](layers["source_embedding"](source))
    for i in range(config.layers):
        x = layers[f"encoder_dropout_{i}"](layers[f"encoder_{i}"](x, mask=mask))
    summary = layers["source_summary"](x, mask=mask)
    initial = [layers[f"bridge_{i}"](summary)
               for i in range(len(state_sizes(layers["decoder"].cell)))]
    keys = layers["attention_keys"](x) if config.attention != "none" else None
    return x, keys, mask, initial


def _output(layers, config, outputs, encoded, keys, mask, return_scores=False):
    """Decoder outputs `[batch, time, units]` → logits (and the attention scores)."""
    scores = None
    if config.attention != "none":
        context, scores = layers["attention"]([outputs, encoded, keys], mask=[None, mask],
                                              return_attention_scores=True)
        outputs = layers["attention_vector"](keras.ops.concatenate([outputs, context], -1))
    outputs = layers["output_dropout"](outputs)
    if "output_projection" in layers:  # tied, --units ≠ --embedding-dim
        outputs = layers["output_projection"](outputs)
    logits = (layers["logits"](outputs) if "logits" in layers
              else layers["target_embedding"](outputs, reverse=True))
    return (logits, scores) if return_scores else logits


def by_name(model):
    return {layer.name: layer for layer in model.layers}


def decoding_functions(model, config):
    """`(encode, step)` for kerasrnn.generation's decoders, from the model's named layers.

    `encode(source_ids)` gives the initial states: the decoder cell's state, and
    the encoder outputs, keys and mask that every step attends to (carried in the
    state, so beam search reorders them with the beams). `step(ids, states) ->
    (logits, states)` feeds one target token per sentence.
    """
    layers = by_name(model)
    cell = layers["decoder"].cell

    def encode(source_ids):
        encoded, keys, mask, initial = _encode(layers, config, source_ids)
        states = {"decoder": initial, "encoded": encoded, "mask": mask}
        if keys is not None:
            states["keys"] = keys
        return states

    def step(ids, states):
        y = layers["target_embedding"](ids)
        output, new = cell(y, list(states["decoder"]), training=False)
        new = list(new) if isinstance(new, (list, tuple)) else [new]
        logits = _output(layers, config, output[:, None], states["encoded"], states.get("keys"),
                         states["mask"])[:, 0]
        return tf.cast(logits, tf.float32), {**states, "decoder": new}

    return encode, step


def attention_scores(model, config, source_ids, target_in_ids):
    """`[batch, target, source]` attention weights with the decoder fed `target_in_ids`."""
    layers = by_name(model)
    encoded, keys, mask, initial = _encode(layers, config, source_ids)
    y = layers["target_embedding"](target_in_ids)
    outputs = layers["decoder"](y, initial_state=initial)
    return _output(layers, config, outputs, encoded, keys, mask, return_scores=True)[1]
