"""The Jordan network, an RNN that feeds back its previous *output* (`JordanRNN`)."""

import keras
from keras import activations, constraints, initializers, ops, regularizers

from kerasrnn.layers.cell_rnn import CellRNN
from kerasrnn.layers.dropout_masks import VariationalDropoutCell


@keras.saving.register_keras_serializable(package="kerasrnn")
class JordanRNNCell(keras.layers.Layer, VariationalDropoutCell):
    """One step of a Jordan network (optionally the Elman+Jordan hybrid).

    An Elman network (`keras.layers.SimpleRNN`) remembers its hidden layer; a
    Jordan network remembers its *output*. With `x` the input, `y₋₁` the previous
    output and `h₋₁` the previous hidden layer:

        h = activation(x·W + y₋₁·U + b)                 Jordan
        h = activation(x·W + y₋₁·U + h₋₁·V + b)         hybrid=True (Mesnil et al.)
        y = output_activation(h·W_y + b_y)

    With the default softmax output, what is fed back is the previous step's label
    distribution, as in Mesnil et al.'s slot-filling networks. At the first step
    y₋₁ is the trainable vector `initial_output` (y₀) unless an initial state is
    passed. The cell's state is `[y]`, or `[y, h]` when `hybrid=True`; its output
    is y.

    Weights: `kernel` W `(features, units)`, `recurrent_kernel` U
    `(output_units, units)`, `hidden_kernel` V `(units, units)` (hybrid only),
    `bias` b `(units,)`, `output_kernel` W_y `(units, output_units)`,
    `output_bias` b_y `(output_units,)`, `initial_output` y₀ `(output_units,)`.

    Args:
        units: Positive integer, size of the hidden layer h.
        output_units: Size of y (the fed-back quantity). Default: `units`.
        activation: Activation of h. Default `"tanh"`.
        output_activation: Activation of y. Default `"softmax"`.
        hybrid: Also feed back h₋₁ through V (Elman+Jordan). Default `False`.
        use_bias: Whether to use b and b_y. Default `True`.
        kernel_initializer, recurrent_initializer, hidden_initializer,
        output_initializer, bias_initializer, initial_output_initializer:
            Initializers of W, U, V, W_y, the biases and y₀.
        kernel_regularizer, recurrent_regularizer (U and V), output_regularizer,
        bias_regularizer: Optional regularizers.
        kernel_constraint, recurrent_constraint (U and V), output_constraint,
        bias_constraint: Optional constraints.
        dropout: Fraction of the input units dropped (one mask per sequence).
        recurrent_dropout: Fraction of the fed-back y₋₁ (and h₋₁) dropped.
        seed: Seed of the dropout masks.

    Call arguments:
        inputs: `(batch, features)` for one time step.
        states: `[y₋₁]` or `[y₋₁, h₋₁]`.
        training: Whether dropout applies.

    Returns:
        `(y, [y])` or `(y, [y, h])`.

    Example:
        >>> cell = JordanRNNCell(16, output_units=5)      # 5 labels fed back
        >>> keras.layers.RNN(cell, return_sequences=True)(np.zeros((2, 7, 3))).shape
        (2, 7, 5)

    Reference:
        Jordan, "Serial order: a parallel distributed processing approach", 1986.
        Mesnil, He, Deng & Bengio, "Investigation of recurrent-neural-network
        architectures and learning methods for spoken language understanding",
        Interspeech 2013; Mesnil et al., IEEE/ACM TASLP 23(3), 2015.
    """

    def __init__(
        self,
        units,
        output_units=None,
        activation="tanh",
        output_activation="softmax",
        hybrid=False,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        hidden_initializer="orthogonal",
        output_initializer="glorot_uniform",
        bias_initializer="zeros",
        initial_output_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        output_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        output_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        output_units = units if output_units is None else output_units
        for name, value in (("units", units), ("output_units", output_units)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= rate < 1.0:
                raise ValueError(f"`{name}` must be in [0, 1), got {rate!r}.")
        super().__init__(**kwargs)
        self.units = units
        self.output_units = output_units
        self.activation = activations.get(activation)
        self.output_activation = activations.get(output_activation)
        self.hybrid = bool(hybrid)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.hidden_initializer = initializers.get(hidden_initializer)
        self.output_initializer = initializers.get(output_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.initial_output_initializer = initializers.get(initial_output_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.output_regularizer = regularizers.get(output_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.output_constraint = constraints.get(output_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.state_size = [output_units, units] if self.hybrid else [output_units]
        self.output_size = output_units

    def recurrent_dropout_sizes(self):
        return self.state_size

    def _weight(self, name, shape, part):
        return self.add_weight(
            shape=shape,
            name=name,
            initializer=getattr(self, f"{part}_initializer"),
            regularizer=getattr(self, f"{part}_regularizer", None),
            constraint=getattr(self, f"{part}_constraint", None),
        )

    def build(self, input_shape):
        n, k = self.units, self.output_units
        self.kernel = self._weight("kernel", (input_shape[-1], n), "kernel")
        self.recurrent_kernel = self._weight("recurrent_kernel", (k, n), "recurrent")
        self.hidden_kernel = None
        if self.hybrid:
            self.hidden_kernel = self.add_weight(
                shape=(n, n),
                name="hidden_kernel",
                initializer=self.hidden_initializer,
                regularizer=self.recurrent_regularizer,
                constraint=self.recurrent_constraint,
            )
        self.bias = self._weight("bias", (n,), "bias") if self.use_bias else None
        self.output_kernel = self._weight("output_kernel", (n, k), "output")
        self.output_bias = None
        if self.use_bias:
            self.output_bias = self.add_weight(
                shape=(k,),
                name="output_bias",
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.initial_output = self._weight("initial_output", (k,), "initial_output")

    def call(self, inputs, states, training=False):
        y_prev = states[0]
        h_prev = states[1] if self.hybrid else None
        if training and self.dropout > 0:
            inputs = inputs * self.get_dropout_mask(inputs)
        if training and self.recurrent_dropout > 0:
            masks = self.get_recurrent_dropout_mask(y_prev)
            y_prev = y_prev * masks[0]
            if self.hybrid:
                h_prev = h_prev * masks[1]

        z = ops.matmul(inputs, self.kernel) + ops.matmul(y_prev, self.recurrent_kernel)
        if self.hybrid:
            z = z + ops.matmul(h_prev, self.hidden_kernel)
        if self.use_bias:
            z = z + self.bias
        h = self.activation(z)

        logits = ops.matmul(h, self.output_kernel)
        if self.use_bias:
            logits = logits + self.output_bias
        y = self.output_activation(logits)
        return y, ([y, h] if self.hybrid else [y])

    def get_initial_state(self, batch_size=None):
        y0 = ops.cast(self.initial_output, self.compute_dtype)
        states = [ops.tile(y0[None, :], (batch_size, 1))]  # a copy: torch writes into it
        if self.hybrid:
            states.append(ops.zeros((batch_size, self.units), dtype=self.compute_dtype))
        return states

    def get_config(self):
        config = {
            "units": self.units,
            "output_units": self.output_units,
            "activation": activations.serialize(self.activation),
            "output_activation": activations.serialize(self.output_activation),
            "hybrid": self.hybrid,
            "use_bias": self.use_bias,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        for part in ("kernel", "recurrent", "hidden", "output", "bias", "initial_output"):
            config[f"{part}_initializer"] = initializers.serialize(
                getattr(self, f"{part}_initializer")
            )
        for part in ("kernel", "recurrent", "output", "bias"):
            config[f"{part}_regularizer"] = regularizers.serialize(
                getattr(self, f"{part}_regularizer")
            )
            config[f"{part}_constraint"] = constraints.serialize(
                getattr(self, f"{part}_constraint")
            )
        return {**super().get_config(), **config}


@keras.saving.register_keras_serializable(package="kerasrnn")
class JordanRNN(CellRNN):
    """Jordan (or Elman+Jordan hybrid) network over a whole sequence.

    Takes the arguments of `JordanRNNCell` (see it for the equations) and the
    sequence options `return_sequences`, `return_state`, `go_backwards`,
    `stateful`, `unroll`, plus masking (masked steps keep the state).

    Call arguments:
        sequences: `(batch, timesteps, features)`.
        initial_state: Optional `[y₀]` (or `[y₀, h₀]` for the hybrid); default:
            the trainable `initial_output` (and zeros for h).
        mask: Optional boolean `(batch, timesteps)`.
        training: Whether dropout applies.

    Returns:
        y of the last step `(batch, output_units)`, or of every step with
        `return_sequences=True`; with `return_state=True` also the final state(s).

    Example:
        >>> tagger = JordanRNN(64, output_units=10, return_sequences=True)
        >>> tagger(np.zeros((2, 7, 3))).shape   # a label distribution per step
        (2, 7, 10)

    Reference:
        Jordan 1986; Mesnil et al. 2013, 2015 (see `JordanRNNCell`).
    """

    cell_class = JordanRNNCell

    def __init__(self, units, **kwargs):
        super().__init__(units=units, **kwargs)

    @property
    def output_units(self):
        return self.cell.output_units

    def reset_state(self):
        """Sets a stateful layer's state back to y₀ (not to zeros)."""
        if self.states is not None:
            batch_size = self.states[0].shape[0]
            for variable, value in zip(self.states, self.cell.get_initial_state(batch_size)):
                variable.assign(value)
