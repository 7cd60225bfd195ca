"""Base class for a sequence layer that owns one cell built from its own arguments.

`keras.layers.LSTM` is `keras.layers.RNN` around an `LSTMCell` whose arguments the
layer takes directly and flattens into its config. Our layers do the same, and this
base class holds the part they share: splitting the arguments between the cell and
the `RNN`, flattening the cell's config into the layer's, and preparing variational
dropout masks.
"""

import inspect
import re

import keras

# Keys every Keras layer puts in its config; the layer's own values win over the cell's.
_BASE_LAYER_KEYS = ("name", "trainable", "dtype", "autocast", "activity_regularizer")


def _snake_case(name):
    """`PeepholeLSTMCell` -> `peephole_lstm_cell`."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


class CellRNN(keras.layers.RNN):
    """An `RNN` whose cell (`cell_class`) is built from the layer's arguments.

    Subclasses set `cell_class` and forward their arguments to `__init__` here.
    Arguments named in the cell's `__init__` go to the cell; the sequence options
    (`return_sequences`, `return_state`, `go_backwards`, `stateful`, `unroll`,
    `zero_output_for_mask`) and the usual layer arguments go to `keras.layers.RNN`.
    """

    cell_class = None

    def __init__(self, **kwargs):
        cell_params = inspect.signature(self.cell_class.__init__).parameters
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in cell_params}
        cell = self.cell_class(
            **cell_kwargs,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name=_snake_case(self.cell_class.__name__),
        )
        super().__init__(cell, **kwargs)
        self.input_spec = keras.layers.InputSpec(ndim=3)

    @property
    def units(self):
        return self.cell.units

    def call(self, sequences, initial_state=None, mask=None, training=False):
        # The cell may precompute per-sequence tensors (dropout masks, broadcast
        # weights) once here instead of once per time step inside the loop.
        self.cell.begin_sequence(sequences, training)
        try:
            return super().call(sequences, initial_state, mask=mask, training=training)
        finally:
            self.cell.end_sequence()

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        for key in _BASE_LAYER_KEYS:
            cell_config.pop(key, None)
        return {**config, **cell_config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
