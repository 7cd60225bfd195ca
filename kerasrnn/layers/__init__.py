"""Recurrent layers Keras lacks, usable next to `SimpleRNN`, `LSTM`, `GRU` and `Bidirectional`."""

from kerasrnn.layers.context_window import ContextWindow
from kerasrnn.layers.crf import CRF
from kerasrnn.layers.crf_loss import CRFLoss
from kerasrnn.layers.jordan_rnn import JordanRNN, JordanRNNCell
from kerasrnn.layers.masked_pooling import MaskedMeanMaxPooling
from kerasrnn.layers.peephole_lstm import PeepholeLSTM, PeepholeLSTMCell
from kerasrnn.layers.recurrent import RECURRENT_KINDS, recurrent

__all__ = [
    "CRF",
    "CRFLoss",
    "ContextWindow",
    "MaskedMeanMaxPooling",
    "JordanRNN",
    "JordanRNNCell",
    "PeepholeLSTM",
    "PeepholeLSTMCell",
    "RECURRENT_KINDS",
    "recurrent",
]
