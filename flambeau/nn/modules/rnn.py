"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells, with
PyTorch's parameter names, gate orders and initialisation.

A layer runs its steps in Python. The input projection of a whole sequence is one
matmul; its per-step slices (and the gate slices of each step) come from two small
autograd functions whose backward is one ``stack``/``cat``, rather than one
zero-filled tensor per slice, which would make backward quadratic in the length.
"""

from __future__ import annotations

import math
import numbers
import warnings

from ...autograd.function import Function
from ...frontend import elementwise as E
from ...frontend.creation import empty, zeros
from ...frontend.shape_ops import cat, stack
from ...frontend.tensor import Tensor
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class _Unbind(Function):
    """``x.unbind(0)`` whose backward is a single ``stack``."""

    @staticmethod
    def forward(ctx, x):
        return tuple(x[t] for t in range(x.shape[0]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, 0)


class _Chunk(Function):
    """``x.chunk(n, -1)`` whose backward is a single ``cat``."""

    @staticmethod
    def forward(ctx, x, n):
        return tuple(x.chunk(n, -1))

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, -1), None


def _rnn_cell(activation):
    def cell(xw, state, w_hh, b_hh, w_hr):
        h = activation(xw + F.linear(state[0], w_hh, b_hh))
        return h, (h,)
    return cell


def _lstm_cell(xw, state, w_hh, b_hh, w_hr):
    h, c = state
    i, f, g, o = _Chunk.apply(xw + F.linear(h, w_hh, b_hh), 4)
    c = E.sigmoid(f) * c + E.sigmoid(i) * E.tanh(g)
    h = E.sigmoid(o) * E.tanh(c)
    if w_hr is not None:
        h = h @ w_hr.mT
    return h, (h, c)


def _gru_cell(xw, state, w_hh, b_hh, w_hr):
    h = state[0]
    x_r, x_z, x_n = _Chunk.apply(xw, 3)
    h_r, h_z, h_n = _Chunk.apply(F.linear(h, w_hh, b_hh), 3)
    r = E.sigmoid(x_r + h_r)
    z = E.sigmoid(x_z + h_z)
    n = E.tanh(x_n + r * h_n)        # b_hn stays inside r * (W_hn h + b_hn)
    h = n + z * (h - n)              # (1 - z) * n + z * h
    return h, (h,)


_CELLS = {"RNN_TANH": _rnn_cell(E.tanh), "RNN_RELU": _rnn_cell(E.relu), "LSTM": _lstm_cell,
          "GRU": _gru_cell}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """The shared machinery of :class:`RNN`, :class:`LSTM` and :class:`GRU`: the
    per-layer, per-direction parameters and the loop over layers and time."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) \
                or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, "
                          f"so non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError(f"hidden_size must be a positive integer, got {hidden_size!r}")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bias = num_layers, bias
        self.batch_first, self.dropout = batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        directions = 2 if bidirectional else 1
        out_size = proj_size or hidden_size
        gate_size = _GATES[mode] * hidden_size
        kw = dict(device=device, dtype=dtype)
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * directions
            for d in range(directions):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                shapes = {"weight_ih": (gate_size, layer_input),
                          "weight_hh": (gate_size, out_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                for name, shape in shapes.items():
                    setattr(self, name + sfx, Parameter(empty(*shape, **kw)))
                    self._flat_weights_names.append(name + sfx)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    @property
    def all_weights(self) -> list:
        """The parameters, one list per layer and direction."""
        n = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional
                                                                 else 1))
        names = self._flat_weights_names
        return [[getattr(self, x) for x in names[i:i + n]] for i in range(0, len(names), n)]

    def _weights(self, layer: int, d: int) -> tuple:
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        get = lambda n: getattr(self, n + sfx, None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"), \
            get("weight_hr")

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        for key, default in (("proj_size", 0), ("num_layers", 1), ("bias", True),
                             ("batch_first", False), ("dropout", 0.0),
                             ("bidirectional", False)):
            if getattr(self, key) != default:
                s += f", {key}={getattr(self, key)}"
        return s

    def _state_shapes(self, n: int) -> list:
        layers = self.num_layers * (2 if self.bidirectional else 1)
        out = [(layers, n, self.proj_size or self.hidden_size)]
        if self.mode == "LSTM":
            out.append((layers, n, self.hidden_size))
        return out

    def _prepare(self, input: Tensor, hx: tuple | None):
        """Seq-first batched input and states; whether the call was batched."""
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                             f"{input.dim()}D instead")
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(1)
            if hx is not None:
                if any(h.dim() != 2 for h in hx):
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D "
                                       f"but got {hx[0].dim()}-D tensor")
                hx = tuple(h.unsqueeze(1) for h in hx)
        else:
            if self.batch_first:
                input = input.transpose(0, 1)
            if hx is not None and any(h.dim() != 3 for h in hx):
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                   f"{hx[0].dim()}-D tensor")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        shapes = self._state_shapes(input.shape[1])
        if hx is None:
            hx = tuple(zeros(s, dtype=input.dtype, device=input.device) for s in shapes)
        for h, s in zip(hx, shapes):
            if tuple(h.shape) != s:
                raise RuntimeError(f"Expected hidden size {s}, got {tuple(h.shape)}")
        return input, hx, batched

    def _run(self, x: Tensor, hx: tuple) -> tuple:
        """Run all layers over seq-first ``x``; returns the last layer's output and the
        final states, stacked over layers and directions."""
        cell = _CELLS[self.mode]
        directions = 2 if self.bidirectional else 1
        fold = self.bias and self.mode != "GRU"   # b_hh can join b_ih outside the loop
        finals = [[] for _ in hx]
        steps = x.shape[0]
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                x = F.dropout(x, self.dropout, True)
            outs = []
            for d in range(directions):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, d)
                xw = _Unbind.apply(F.linear(x, w_ih, b_ih + b_hh if fold else b_ih))
                state = tuple(h[layer * directions + d] for h in hx)
                seq = [None] * steps
                for t in (range(steps) if d == 0 else range(steps - 1, -1, -1)):
                    seq[t], state = cell(xw[t], state, w_hh, None if fold else b_hh, w_hr)
                outs.append(stack(seq, 0))
                for f, s in zip(finals, state):
                    f.append(s)
            x = outs[0] if directions == 1 else cat(outs, -1)
        return x, tuple(stack(f, 0) for f in finals)

    def _forward(self, input: Tensor, hx: tuple | None) -> tuple:
        x, hx, batched = self._prepare(input, hx)
        if x.shape[0] == 0:
            raise RuntimeError(f"{type(self).__name__}: Expected sequence length to be "
                               f"larger than 0 in RNN")
        out, states = self._run(x, hx)
        if not batched:
            return out.squeeze(1), tuple(s.squeeze(1) for s in states)
        if self.batch_first:
            out = out.transpose(0, 1)
        return out, states


class RNN(RNNBase):
    r"""Elman RNN: :math:`h_t = \tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh})`
    (or ReLU), stacked ``num_layers`` deep.

    Args:
        input_size (int), hidden_size (int), num_layers (int): Default: 1.
        nonlinearity (str): ``"tanh"`` (default) or ``"relu"``.
        bias (bool): Default: ``True``. batch_first (bool): ``(N, L, H_in)`` input.
        dropout (float): dropout on the outputs of every layer but the last.
        bidirectional (bool): also run each layer backwards in time.

    Inputs: ``input`` ``(L, N, H_in)`` (or ``(L, H_in)``), optional ``h_0``
    ``(D * num_layers, N, H)``. Outputs: ``output`` ``(L, N, D * H)``, ``h_n``.

    Parameters ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (and ``*_reverse``), all from
    :math:`\mathcal{U}(-1/\sqrt{H}, 1/\sqrt{H})`.

    Example::

        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, hn = rnn(fl.randn(5, 3, 10), fl.randn(2, 3, 20))
        >>> output.shape
        flambeau.Size([5, 3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' "
                             f"or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple:
        out, (h,) = self._forward(input, None if hx is None else (hx,))
        return out, h


class LSTM(RNNBase):
    r"""Long short-term memory, with gates in PyTorch's order ``i, f, g, o``:

    .. math::
        i, f, o = \sigma(\cdot),\ g = \tanh(\cdot),\quad
        c_t = f \odot c_{t-1} + i \odot g,\quad h_t = o \odot \tanh(c_t)

    Arguments as for :class:`RNN`, plus ``proj_size`` (project ``h_t`` to this size
    with ``weight_hr_l{k}``). ``forward(input, (h_0, c_0))`` returns
    ``output, (h_n, c_n)``.

    Example::

        >>> lstm = nn.LSTM(10, 20, batch_first=True)
        >>> output, (hn, cn) = lstm(fl.randn(3, 5, 10))
        >>> output.shape, cn.shape
        (flambeau.Size([3, 5, 20]), flambeau.Size([1, 3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        out, (h, c) = self._forward(input, None if hx is None else tuple(hx))
        return out, (h, c)


class GRU(RNNBase):
    r"""Gated recurrent unit, with gates in PyTorch's order ``r, z, n``:

    .. math::
        r, z = \sigma(\cdot),\quad n = \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h +
        b_{hn})),\quad h_t = (1 - z) \odot n + z \odot h_{t-1}

    Arguments, inputs and outputs as for :class:`RNN`.

    Example::

        >>> gru = nn.GRU(10, 20, num_layers=2, bidirectional=True)
        >>> output, hn = gru(fl.randn(5, 3, 10))
        >>> output.shape, hn.shape
        (flambeau.Size([5, 3, 40]), flambeau.Size([4, 3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device=None, dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple:
        out, (h,) = self._forward(input, None if hx is None else (hx,))
        return out, h


class RNNCellBase(Module):
    """One time step of a recurrent layer: parameters ``weight_ih``, ``weight_hh``,
    ``bias_ih``, ``bias_hh``."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.mode, self.input_size, self.hidden_size, self.bias = (mode, input_size,
                                                                   hidden_size, bias)
        gate_size = _GATES[mode] * hidden_size
        kw = dict(device=device, dtype=dtype)
        self.weight_ih = Parameter(empty(gate_size, input_size, **kw))
        self.weight_hh = Parameter(empty(gate_size, hidden_size, **kw))
        if bias:
            self.bias_ih = Parameter(empty(gate_size, **kw))
            self.bias_hh = Parameter(empty(gate_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        return s + (f", nonlinearity={nonlinearity}" if nonlinearity != "tanh" else "")

    def _step(self, input: Tensor, states: tuple | None, n_states: int):
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got "
                             f"{input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        if states is None:
            states = (zeros(input.shape[0], self.hidden_size, dtype=input.dtype,
                            device=input.device),) * n_states
        elif not batched:
            states = tuple(s.unsqueeze(0) for s in states)
        xw = F.linear(input, self.weight_ih, self.bias_ih)
        _, new = _CELLS[self.mode](xw, states, self.weight_hh, self.bias_hh, None)
        return new if batched else tuple(s.squeeze(0) for s in new)


class RNNCell(RNNCellBase):
    r"""One Elman RNN step: :math:`h' = \tanh(W_{ih} x + b_{ih} + W_{hh} h + b_{hh})`.

    Example::

        >>> cell = nn.RNNCell(10, 20)
        >>> cell(fl.randn(3, 10)).shape
        flambeau.Size([3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, bias, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, None if hx is None else (hx,), 1)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step; ``forward(input, (h, c))`` returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple:
        return self._step(input, None if hx is None else tuple(hx), 2)


class GRUCell(RNNCellBase):
    """One GRU step; ``forward(input, h)`` returns ``h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, None if hx is None else (hx,), 1)[0]
