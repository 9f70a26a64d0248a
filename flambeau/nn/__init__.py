"""``flambeau.nn``: modules, layers, losses, initialisation (PyTorch's names)."""

from . import functional
from . import init, utils
from . import parallel
from .module import Module
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter
from .modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .modules.transformer import (MultiheadAttention, Transformer, TransformerDecoder,
                                  TransformerDecoderLayer, TransformerEncoder,
                                  TransformerEncoderLayer)

__all__ = ["functional", "init", "utils", "parallel", "Module", "Parameter", "Buffer",
           *_modules_all,
           "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell",
           "MultiheadAttention", "Transformer", "TransformerEncoder", "TransformerDecoder",
           "TransformerEncoderLayer", "TransformerDecoderLayer"]
