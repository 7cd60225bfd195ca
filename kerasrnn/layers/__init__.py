"""Recurrent layers Keras lacks, usable next to `SimpleRNN`, `LSTM`, `GRU` and `Bidirectional`."""

from kerasrnn.layers.append_to_steps import AppendToSteps
from kerasrnn.layers.attention_pooling import AttentionPooling
from kerasrnn.layers.character_bilstm import CharacterBiLSTM
from kerasrnn.layers.character_cnn import CharacterCNN
from kerasrnn.layers.composed_softmax import ComposedSoftmax
from kerasrnn.layers.context_window import ContextWindow
from kerasrnn.layers.crf import CRF
from kerasrnn.layers.crf_loss import CRFLoss
from kerasrnn.layers.jordan_rnn import JordanRNN, JordanRNNCell
from kerasrnn.layers.masked_pooling import MaskedMeanMaxPooling, MaskedPooling
from kerasrnn.layers.peephole_lstm import PeepholeLSTM, PeepholeLSTMCell
from kerasrnn.layers.recurrent import RECURRENT_KINDS, recurrent
from kerasrnn.layers.word_dropout import WordDropout

__all__ = [
    "AppendToSteps",
    "AttentionPooling",
    "CRF",
    "CharacterBiLSTM",
    "CharacterCNN",
    "CRFLoss",
    "ComposedSoftmax",
    "ContextWindow",
    "MaskedMeanMaxPooling",
    "MaskedPooling",
    "JordanRNN",
    "JordanRNNCell",
    "PeepholeLSTM",
    "PeepholeLSTMCell",
    "RECURRENT_KINDS",
    "WordDropout",
    "recurrent",
]
