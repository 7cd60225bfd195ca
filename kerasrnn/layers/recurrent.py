"""`recurrent(kind, units)`: one factory so applications switch recurrent layers by name."""

import keras

from kerasrnn.layers.jordan_rnn import JordanRNN
from kerasrnn.layers.peephole_lstm import PeepholeLSTM

RECURRENT_KINDS = {
    "elman": keras.layers.SimpleRNN,
    "jordan": JordanRNN,
    "hybrid": JordanRNN,
    "lstm": keras.layers.LSTM,
    "peephole_lstm": PeepholeLSTM,
    "gru": keras.layers.GRU,
}


def recurrent(kind, units, **kwargs):
    """Returns a recurrent sequence layer of the given kind.

    Kinds: `"elman"` (`keras.layers.SimpleRNN`: the hidden layer is fed back),
    `"jordan"` (`JordanRNN`: the output is fed back), `"hybrid"` (`JordanRNN` with
    `hybrid=True`: both), `"lstm"` (`keras.layers.LSTM`), `"peephole_lstm"`
    (`PeepholeLSTM`) and `"gru"` (`keras.layers.GRU`).

    Args:
        kind: One of the names above.
        units: Size of the hidden layer.
        **kwargs: Passed to the layer (e.g. `return_sequences=True`,
            `dropout=0.2`, `output_units=` for the Jordan kinds).

    Example:
        >>> for kind in ("elman", "jordan", "lstm"):
        ...     layer = recurrent(kind, 32, return_sequences=True)
    """
    if kind not in RECURRENT_KINDS:
        raise ValueError(
            f"Unknown recurrent kind {kind!r}; valid kinds: {', '.join(RECURRENT_KINDS)}."
        )
    if kind == "hybrid":
        kwargs["hybrid"] = True
    elif kind == "jordan":
        kwargs.setdefault("hybrid", False)
    return RECURRENT_KINDS[kind](units, **kwargs)
