"""Variational dropout for recurrent cells: one mask per sequence, not per step.

Gal & Ghahramani (2016) showed that dropping the *same* units at every time step
regularises an RNN, while a fresh mask per step destroys its memory. The masks are
therefore made once, before the time loop, cached on the cell, reused at every step
and cleared after the loop.

Keras' `RNN` layer makes and clears these masks only for cells that are instances of
its `DropoutRNNCell` mixin, which Keras does not export. Our cells inherit it when it
is importable, so they get variational dropout inside a plain `keras.layers.RNN`
exactly like Keras' own cells. The mask-making methods below are ours either way,
and should a Keras drop that class, our own layers (`CellRNN`) prepare the masks in
`begin_sequence`, so nothing depends on the private class beyond `isinstance`.
"""

import keras
from keras import ops

try:  # Only the isinstance() marker is used; see the module docstring.
    from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell as _KerasMarker
except ImportError:  # pragma: no cover - depends on the installed Keras.

    class _KerasMarker:
        pass


KERAS_PREPARES_MASKS = _KerasMarker.__module__.startswith("keras")


class VariationalDropoutCell(_KerasMarker):
    """Mixin that caches per-sequence dropout masks for a recurrent cell.

    A cell using it sets `self.dropout`, `self.recurrent_dropout` and
    `self.seed_generator` (a `keras.random.SeedGenerator`) and overrides
    `recurrent_dropout_sizes(self)` to list the widths of the recurrent inputs that
    recurrent dropout applies to (e.g. `[units]` for an LSTM's h).
    """

    def recurrent_dropout_sizes(self):
        raise NotImplementedError

    def _mask(self, like, rate):
        return keras.random.dropout(ops.ones_like(like), rate=rate, seed=self.seed_generator)

    def get_dropout_mask(self, step_input):
        """Returns the input-dropout mask for this sequence, making it once."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = self._mask(step_input, self.dropout)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_state):
        """Returns one mask per recurrent input (a list), making them once.

        `step_state` is any state tensor; only its batch size is used.
        """
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            batch = ops.shape(step_state)[0]
            self._recurrent_dropout_mask = [
                self._mask(ops.zeros((batch, size), dtype=step_state.dtype), self.recurrent_dropout)
                for size in self.recurrent_dropout_sizes()
            ]
        return getattr(self, "_recurrent_dropout_mask", None)

    def begin_sequence(self, sequences, training=False):
        """Called by our layers before the time loop (see `CellRNN.call`)."""
        if training and not KERAS_PREPARES_MASKS:  # pragma: no cover - other Keras only
            self.get_dropout_mask(sequences[:, 0, :])
            self.get_recurrent_dropout_mask(sequences[:, 0, :])

    def end_sequence(self):
        """Called by our layers after the time loop."""
        if not KERAS_PREPARES_MASKS:  # pragma: no cover - other Keras only
            self.reset_dropout_mask()
            self.reset_recurrent_dropout_mask()

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None
