"""LSTM with diagonal peephole connections (`PeepholeLSTMCell`, `PeepholeLSTM`)."""

import keras
from keras import activations, constraints, initializers, ops, regularizers

from kerasrnn.layers.cell_rnn import CellRNN
from kerasrnn.layers.dropout_masks import VariationalDropoutCell

_PEEPHOLES = ("input_peephole", "forget_peephole", "output_peephole")


@keras.saving.register_keras_serializable(package="kerasrnn")
class PeepholeLSTMCell(keras.layers.Layer, VariationalDropoutCell):
    """One step of an LSTM whose gates also see the cell state ("peepholes").

    With `x` the input, `h₋₁`/`c₋₁` the previous output and cell state, σ the
    `recurrent_activation` and g the `activation`:

        i = σ(x·W_i + h₋₁·U_i + p_i ⊙ c₋₁ + b_i)        input gate
        f = σ(x·W_f + h₋₁·U_f + p_f ⊙ c₋₁ + b_f)        forget gate
        c = f ⊙ c₋₁ + i ⊙ g(x·W_c + h₋₁·U_c + b_c)      cell state
        o = σ(x·W_o + h₋₁·U_o + p_o ⊙ c + b_o)          output gate (sees the new c)
        h = o ⊙ g(c)

    This is the diagonal-peephole form of Sak et al. (2014), also used by the old
    `tf.keras.experimental.PeepholeLSTMCell`. `kernel` (W), `recurrent_kernel` (U)
    and `bias` (b) have the shapes and gate order (i, f, c, o) of
    `keras.layers.LSTMCell`, so an LSTM's trained weights load unchanged; with the
    three peephole vectors p_i, p_f, p_o at zero the cell *is* an LSTM cell.

    Args:
        units: Positive integer, size of h and c.
        activation: g above. Default `"tanh"`.
        recurrent_activation: σ above (the gates). Default `"sigmoid"`.
        use_bias: Whether to add b. Default `True`.
        kernel_initializer, recurrent_initializer, bias_initializer,
        peephole_initializer: Initializers of W, U, b and the p vectors.
        unit_forget_bias: If `True` (default), b_f starts at 1 (Jozefowicz et al.
            2015) and the rest of b at `bias_initializer`.
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        peephole_regularizer: Optional regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint,
        peephole_constraint: Optional constraints.
        dropout: Fraction of the input units dropped (one mask per sequence).
        recurrent_dropout: Fraction of h₋₁ dropped (one mask per sequence).
        seed: Seed of the dropout masks.

    Call arguments:
        inputs: `(batch, features)` for one time step.
        states: `[h₋₁, c₋₁]`, each `(batch, units)`.
        training: Whether dropout applies.

    Returns:
        `(h, [h, c])`.

    Example:
        >>> layer = keras.layers.RNN(PeepholeLSTMCell(4))
        >>> layer(np.zeros((2, 5, 3))).shape
        (2, 4)

    Reference:
        Gers & Schmidhuber, "Recurrent nets that time and count", IJCNN 2000.
        Sak, Senior & Beaufays, "Long short-term memory recurrent neural network
        architectures for large scale acoustic modeling", Interspeech 2014.
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        peephole_initializer="glorot_uniform",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        peephole_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        peephole_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"`units` must be a positive integer, got {units!r}.")
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"`{name}` must be in [0, 1), got {rate!r}.")
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.peephole_initializer = initializers.get(peephole_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.peephole_regularizer = regularizers.get(peephole_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.peephole_constraint = constraints.get(peephole_constraint)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.state_size = [units, units]
        self.output_size = units

    def recurrent_dropout_sizes(self):
        return [self.units]

    def begin_sequence(self, sequences, training=False):
        """Broadcasts the peephole vectors to `(batch, units)` once per sequence.

        Inside the loop, `p ⊙ c` with a `(units,)` vector makes back-propagation
        reduce over the batch at every step (three reductions per step, ~15% of a
        training step on CPU); with `(batch, units)` operands the loop does plain
        element-wise products and the reduction happens once, outside the loop.
        In a plain `keras.layers.RNN` (no `begin_sequence`) the vectors are used
        directly, with the same results.
        """
        super().begin_sequence(sequences, training)
        shape = (ops.shape(sequences)[0], self.units)
        self._sequence_peepholes = [
            ops.broadcast_to(ops.cast(getattr(self, name), self.compute_dtype), shape)
            for name in _PEEPHOLES
        ]

    def end_sequence(self):
        super().end_sequence()
        self._sequence_peepholes = None

    def _peepholes(self):
        sequence = getattr(self, "_sequence_peepholes", None)
        if sequence is not None:
            return sequence
        return [getattr(self, name) for name in _PEEPHOLES]

    def build(self, input_shape):
        n = self.units
        self.kernel = self.add_weight(
            shape=(input_shape[-1], 4 * n),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(n, 4 * n),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(4 * n,),
                name="bias",
                initializer=self._bias_initializer(),
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        for name in _PEEPHOLES:
            weight = self.add_weight(
                shape=(n,),
                name=name,
                initializer=self.peephole_initializer,
                regularizer=self.peephole_regularizer,
                constraint=self.peephole_constraint,
            )
            setattr(self, name, weight)

    def _bias_initializer(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        n, base = self.units, self.bias_initializer

        def forget_gate_at_one(_, dtype=None):
            return ops.concatenate(
                [base((n,), dtype=dtype), ops.ones((n,), dtype=dtype), base((2 * n,), dtype=dtype)]
            )

        return forget_gate_at_one

    def call(self, inputs, states, training=False):
        h_prev, c_prev = states[0], states[1]
        if training and self.dropout > 0:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and self.recurrent_dropout > 0:
            h_prev = h_prev * self.get_recurrent_dropout_mask(h_prev)[0]

        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)
        if self.use_bias:
            z = z + self.bias
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)

        p_i, p_f, p_o = self._peepholes()
        i = self.recurrent_activation(z_i + p_i * c_prev)
        f = self.recurrent_activation(z_f + p_f * c_prev)
        c = f * c_prev + i * self.activation(z_c)
        o = self.recurrent_activation(z_o + p_o * c)
        h = o * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, batch_size=None):
        # Two tensors, not one twice: torch's stateful variables would share its memory.
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in range(2)]

    def get_config(self):
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "unit_forget_bias": self.unit_forget_bias,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        for part in ("kernel", "recurrent", "bias", "peephole"):
            config[f"{part}_initializer"] = initializers.serialize(
                getattr(self, f"{part}_initializer")
            )
            config[f"{part}_regularizer"] = regularizers.serialize(
                getattr(self, f"{part}_regularizer")
            )
            config[f"{part}_constraint"] = constraints.serialize(
                getattr(self, f"{part}_constraint")
            )
        return {**super().get_config(), **config}


@keras.saving.register_keras_serializable(package="kerasrnn")
class PeepholeLSTM(CellRNN):
    """Peephole LSTM over a whole sequence: `keras.layers.RNN(PeepholeLSTMCell(...))`.

    Takes the arguments of `PeepholeLSTMCell` (see its docstring for the equations)
    and the sequence options of `keras.layers.LSTM`: `return_sequences`,
    `return_state`, `go_backwards`, `stateful`, `unroll`, plus masking.

    Call arguments:
        sequences: `(batch, timesteps, features)`.
        initial_state: Optional `[h₀, c₀]`.
        mask: Optional boolean `(batch, timesteps)`; masked steps keep the state.
        training: Whether dropout applies.

    Returns:
        h of the last step `(batch, units)`, or of every step with
        `return_sequences=True`; with `return_state=True` also the final h and c.

    Example:
        >>> lstm = keras.layers.LSTM(8)
        >>> lstm.build((None, None, 3))
        >>> peephole = PeepholeLSTM.from_lstm(lstm)   # same outputs until trained
        >>> peephole(np.zeros((2, 5, 3))).shape
        (2, 8)

    Reference:
        Gers & Schmidhuber 2000; Sak et al. 2014 (see `PeepholeLSTMCell`).
    """

    cell_class = PeepholeLSTMCell

    def __init__(self, units, **kwargs):
        super().__init__(units=units, **kwargs)

    @classmethod
    def from_lstm(cls, lstm, **overrides):
        """Builds a `PeepholeLSTM` carrying the weights of a built `keras.layers.LSTM`.

        The peephole vectors start at zero, so the new layer computes exactly what
        `lstm` computes until it is trained. `overrides` change arguments of the
        copy (e.g. `return_sequences=True`); everything else is taken from `lstm`.
        """
        if not isinstance(lstm, keras.layers.LSTM):
            raise TypeError(f"from_lstm() needs a keras.layers.LSTM, got {type(lstm).__name__}.")
        if not lstm.built:
            raise ValueError(
                f"LSTM layer {lstm.name!r} has no weights yet: build it or call it first."
            )
        config = lstm.get_config()
        for key in ("name", "use_cudnn"):
            config.pop(key, None)
        config.update(overrides)
        config.setdefault("peephole_initializer", "zeros")
        layer = cls(**config)
        layer.build((None, None, lstm.cell.kernel.shape[0]))
        layer.cell.kernel.assign(lstm.cell.kernel)
        layer.cell.recurrent_kernel.assign(lstm.cell.recurrent_kernel)
        if lstm.cell.use_bias:
            layer.cell.bias.assign(lstm.cell.bias)
        for name in _PEEPHOLES:
            weight = getattr(layer.cell, name)
            weight.assign(ops.zeros(weight.shape, dtype=weight.dtype))
        return layer
