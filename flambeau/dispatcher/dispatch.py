"""The one path of an op: resolve device and dtype, run the layer stack, call the kernel.

``call(op, *inputs, **params)`` is what every frontend function ends in. Inputs are
tensors, Python scalars (for ops that take them) or ``None``; params are plain Python
values passed to the kernel by keyword.

Layers sit above the backend in an ordered stack (:mod:`flambeau.dispatcher.layers`).
The first layer that wants an op gets it with a ``redispatch`` callable that runs the
rest of the stack *below* it, and finally the backend. Below the last layer the op runs
its backend's kernel; a backend without one runs the row's composite (a default written
in flambeau ops); without that, the opt-in CPU fallback or a clear error.

While the stack holds only autograd (``requires_grad_only`` layers), the short paths
below (``binary``, ``unary``, ``create``, ``inplace``, the head of ``call``) run the
kernel themselves and let autograd record afterwards: a few dict lookups per op.
"""

from __future__ import annotations

from .dtype_rules import RULES, result_type
from .dtypes import DType, bool_, int64, iinfo
from .optable import Op
from .registry import _BACKENDS, _fallback, dtype_note, warn_fallback_once
from .shapes import broadcast_shapes, describe

__all__ = ["call", "binary", "unary", "create", "inplace", "transfer", "wrap",
           "set_tensor_type", "Tensor", "TRANSFER"]

# The frontend's tensor class; set by flambeau.frontend.tensor at import.
Tensor = None

_ELEMENTWISE = frozenset(("unary", "binary", "ternary"))
_MULTI_OUT_INDEX_DTYPE = int64
_NO_PARAMS: dict = {}
_new = object.__new__

# The layer stack, top first, and what the short paths read from it; kept current by
# flambeau.dispatcher.layers. ``_fast``: every layer only wants ops with an input that
# requires grad, so the short paths may run the kernel and let ``_grad_layers`` record.
stack: list = []
_grad_layers: list = []
_fast = True
# > 0 while a composite or a CPU fallback runs: the ops it issues are parts of one op
# the layers have already seen, so they go straight to the backends.
_below = 0

# A device transfer as the layers see it; its "composite" is the host round trip.
TRANSFER = Op("to", "transfer", None, differentiable=True,
              contract="move x to param device (a copy)")


def set_tensor_type(cls) -> None:
    global Tensor
    Tensor = cls


def restack(layers: list) -> None:
    """Install ``layers`` (top first) as the stack; called by dispatcher.layers."""
    global _fast
    stack[:] = layers
    _grad_layers[:] = [x for x in layers if getattr(x, "requires_grad_only", False)]
    _fast = len(_grad_layers) == len(layers)


def _record(op, inputs, params, out):
    for layer in _grad_layers:
        layer.record(op, inputs, params, out)


# --- short paths ---------------------------------------------------------------------

def binary(op, a, b):
    """``call(op, a, b)`` with a short path for the common cases: two tensors of one
    dtype and device, or a tensor and a Python number of the same category.
    Everything else takes :func:`call`."""
    try:
        d = a._dtype
        dev = a._device
        rg = a._requires_grad
        if b.__class__ is float or b.__class__ is int:
            if d.category != 2 or not _fast:
                return call(op, a, b)
            nb = b
        else:
            if b._dtype is not d or b._device is not dev or not _fast:
                return call(op, a, b)
            rg = rg or b._requires_grad
            nb = b._data
            if a._data.shape != nb.shape:
                broadcast_shapes(a._data.shape, nb.shape, op=op.name)
    except AttributeError:
        return call(op, a, b)
    c = op.rule_cache.get(d)
    if c is None or c[0] is not d:
        return call(op, a, b)
    per_dtype = op.kernels.get(dev.type)
    k = per_dtype.get(d) if per_dtype is not None else None
    if k is None:
        return call(op, a, b)
    t = _run(k(a._data, nb), c[1], dev)
    if rg:
        _record(op, (a, b), _NO_PARAMS, t)
    return t


def unary(op, a):
    """``call(op, a)`` with a short path when ``a`` needs no cast."""
    try:
        d = a._dtype
    except AttributeError:
        return call(op, a)
    c = op.rule_cache.get(d)
    if c is None or c[0] is not d or not _fast:
        return call(op, a)
    dev = a._device
    per_dtype = op.kernels.get(dev.type)
    k = per_dtype.get(d) if per_dtype is not None else None
    if k is None:
        return call(op, a)
    t = _run(k(a._data), c[1], dev)
    if a._requires_grad:
        _record(op, (a,), _NO_PARAMS, t)
    return t


def create(op, dtype: DType, device, **params):
    """Run a creation or sampling op (no tensor inputs) of ``dtype`` on ``device``."""
    if _fast:
        per_dtype = op.kernels.get(device.type)
        k = per_dtype.get(dtype) if per_dtype is not None else None
        if k is not None:
            return _run(k(dtype=dtype, index=device.index or 0, **params), dtype, device)
    return call(op, dtype=dtype, device=device, **params)


def inplace(op, dst, src, **params):
    """Run the in-place row ``op`` (``copy_``, ``add_``, ...) writing into ``dst``;
    ``src`` is a tensor of ``dst``'s dtype and device, or a Python scalar already of
    its type. Returns ``dst``."""
    if _fast:
        scalar = src.__class__ in _SCALARS
        if dst._requires_grad or (not scalar and src._requires_grad):
            for layer in _grad_layers:
                if layer.wants(op, (dst, src)):
                    return call(op, dst, src, **params)
        per_dtype = op.kernels.get(dst._device.type)
        k = per_dtype.get(dst._dtype) if per_dtype is not None else None
        if k is not None:
            _write(op, k, dst, (dst._data, src if scalar else src._data), params)
            return dst
    return call(op, dst, src, **params)


_SCALARS = frozenset((bool, int, float, complex))


def _run(res, out_dtype, dev):
    """The kernel runner's last step, shared by every path: wrap a native result."""
    t = _new(Tensor)
    t._data = res
    t._dtype = out_dtype
    t._device = dev
    return t


def wrap(native, dtype: DType, device):
    """A tensor around a backend-native array (no copy, no graph)."""
    return _run(native, dtype, device)


# --- the general path ----------------------------------------------------------------

def call(op, *inputs, **params):
    """Run ``op`` on ``inputs`` through the layers and the kernel table.

    Args:
        op: a row of the op table (:mod:`flambeau.dispatcher.optable`).
        *inputs: tensors, Python scalars (where the op takes them) or ``None``.
        **params: keyword parameters for the kernel, already validated by the frontend;
            ops without tensor inputs also take ``device``.

    Returns:
        A tensor, or a tuple of tensors/``None`` for multi-output ops; in-place rows
        return their destination.
    """
    # Short path: every input a tensor of one dtype and device that needs no cast.
    if inputs and _fast and op.rule is not None:
        x0 = inputs[0]
        try:
            d = x0._dtype
            dev = x0._device
            rg = x0._requires_grad
            for x in inputs[1:]:
                if x._dtype is not d or x._device is not dev:
                    return _call_general(op, inputs, params)
                if x._requires_grad:
                    rg = True
        except AttributeError:
            return _call_general(op, inputs, params)
        c = op.rule_cache.get(d)
        per_dtype = op.kernels.get(dev.type)
        k = per_dtype.get(d) if per_dtype is not None else None
        if c is None or c[0] is not d or k is None:
            return _call_general(op, inputs, params)
        if len(inputs) > 1 and op.kind in _ELEMENTWISE:
            shape = x0._data.shape
            for x in inputs[1:]:
                if x._data.shape != shape:
                    broadcast_shapes(*(t._data.shape for t in inputs), op=op.name)
                    break
        if len(inputs) == 1:
            res = k(x0._data, **params)
        else:
            res = k(*[x._data for x in inputs], **params)
        out = _wrap_result(op, res, c[1], dev, x0, params)
        if rg:
            _record(op, inputs, params, out)
        return out
    return _call_general(op, inputs, params)


def _call_general(op, inputs, params):
    inputs, device, compute, out_dtype = resolve(op, inputs, params)
    return _from(0, op, inputs, params, device, compute, out_dtype)


def resolve(op, inputs, params):
    """Check and cast ``inputs`` for ``op``: the device all tensors share, the compute
    and output dtypes (promotion), broadcastable shapes. Returns
    ``(inputs, device, compute dtype, output dtype)``; pops ``device`` from ``params``
    for ops without tensor inputs."""
    if inputs and op.rule is not None and op.promote is None:
        # the common case: tensors of one dtype and device that need no cast
        x0 = inputs[0]
        d = getattr(x0, "_dtype", None)
        c = op.rule_cache.get(d)
        if c is not None and c[0] is d:
            dev = x0._device
            for x in inputs:
                if x.__class__ is not x0.__class__ and not isinstance(x, Tensor) or \
                        x._dtype is not d or x._device is not dev:
                    break
            else:
                if len(inputs) > 1 and op.kind in _ELEMENTWISE:
                    shapes = [t._data.shape for t in inputs]
                    if any(sh != shapes[0] for sh in shapes):
                        broadcast_shapes(*shapes, op=op.name)
                return inputs, dev, d, c[1]
    tensors = [x for x in inputs if isinstance(x, Tensor)]
    if tensors:
        device = _device_of(op, tensors) if len(tensors) > 1 else tensors[0]._device
    else:
        device = params.pop("device")
    rule = op.rule
    if rule is not None:
        pos = op.promote
        operands = inputs if pos is None else [inputs[i] for i in pos]
        first = operands[0]
        promoted = None
        if isinstance(first, Tensor):
            promoted = first._dtype
            for x in operands:
                if not isinstance(x, Tensor) or x._dtype is not promoted:
                    promoted = None
                    break
        if promoted is None:
            promoted = result_type(*[x for x in operands if x is not None])
        cached = op.rule_cache.get(promoted)
        if cached is None:
            cached = op.rule_cache[promoted] = RULES[rule](op.name, promoted)
        compute, out_dtype = cached
        if any(not isinstance(x, Tensor) or x._dtype is not compute
               for x in operands if x is not None):
            if pos is None:
                inputs = tuple(_cast_input(x, compute) for x in inputs)
            else:
                inputs = tuple(_cast_input(x, compute) if i in pos else x
                               for i, x in enumerate(inputs))
            tensors = [x for x in inputs if isinstance(x, Tensor)]
    elif op.name == "cast":
        compute, out_dtype = tensors[0]._dtype, params["dtype"]
        b = _BACKENDS.get(device.type)
        if b is not None and out_dtype not in b.supported_dtypes:
            raise TypeError(f"cast(): device {device} (backend {b.name!r}) cannot hold "
                            f"{out_dtype.name}{dtype_note(b, out_dtype)}; it supports "
                            f"{', '.join(d.name for d in b.supported_dtypes)}")
    elif tensors:
        compute = out_dtype = tensors[0]._dtype
    else:
        compute = out_dtype = params["dtype"]
    if op.kind in _ELEMENTWISE and len(tensors) > 1:
        shapes = [t._data.shape for t in tensors]
        if any(s != shapes[0] for s in shapes):
            broadcast_shapes(*shapes, op=op.name)
    return inputs, device, compute, out_dtype


def _from(i, op, inputs, params, device, compute, out_dtype):
    """Run ``op`` from stack position ``i`` down: the first layer there that wants it
    handles it, with a ``redispatch`` for the positions below; then the backend."""
    if not _below:
        layers = stack
        n = len(layers)
        while i < n:
            layer = layers[i]
            if layer.wants(op, inputs):
                return layer.handle(op, inputs, params,
                                    _Redispatch(i + 1, op, inputs, params, device,
                                                compute, out_dtype))
            i += 1
    return _backend(op, inputs, params, device, compute, out_dtype)


class _Redispatch:
    """What a layer calls to pass an op on to the layers below it and the backend.

    ``redispatch()`` runs the op the layer got; ``redispatch(op, inputs, params)`` runs
    another op below the layer instead (autograd turns a recorded in-place update into
    the ``copy_`` of its result this way).
    """

    __slots__ = ("i", "op", "inputs", "params", "device", "compute", "out_dtype")

    def __init__(self, i, op, inputs, params, device, compute, out_dtype):
        self.i, self.op, self.inputs, self.params = i, op, inputs, params
        self.device, self.compute, self.out_dtype = device, compute, out_dtype

    def __call__(self, op=None, inputs=None, params=None):
        if op is None:
            return _from(self.i, self.op, self.inputs, self.params, self.device,
                         self.compute, self.out_dtype)
        params = dict(params or {})
        inputs, device, compute, out_dtype = resolve(op, tuple(inputs), params)
        return _from(self.i, op, inputs, params, device, compute, out_dtype)


def _backend(op, inputs, params, device, compute, out_dtype):
    k = _kernel(op, device, compute)
    if k is None:
        if op.composite is not None:
            return _composite(op, inputs, params, device, out_dtype)
        return _missing_kernel(op, device, compute, inputs, params)
    natives = [x._data if isinstance(x, Tensor) else x for x in inputs]
    if op.kind == "inplace":
        _write(op, k, inputs[0], natives, params)
        return inputs[0]
    if op.nin == 0:
        params["index"] = device.index or 0
    return _wrap_result(op, k(*natives, **params), out_dtype, device,
                        inputs[0] if inputs else None, params)


def _write(op, k, dst, natives, params):
    """Run in-place kernel ``k`` on ``dst``; bump the version counter autograd reads."""
    try:
        k(*natives, **params)
    except ValueError as e:  # nothing was written
        if "read-only" not in str(e):
            raise RuntimeError(f"{op.name}: {e}; writing into {describe(dst)}") from None
        raise RuntimeError(f"{op.name}: unsupported operation on {describe(dst)}: {e}. "
                           f"More than one element of the written-to tensor may refer to "
                           f"a single memory location (an expanded view); call .clone() "
                           f"first") from None
    root = dst._base
    (dst if root is None else root)._version += 1


def bump_version(t) -> None:
    """Count a write to ``t``'s memory on the tensor that owns it."""
    root = t._base if t._base is not None else t
    root._version += 1


def _composite(op, inputs, params, device, out_dtype):
    """Run ``op``'s composite on its inputs; the layers above saw (and autograd
    records) ``op`` itself, so the ops the composite issues go to the backends."""
    global _below
    args = [x.detach() if isinstance(x, Tensor) else x for x in inputs]
    if op.nin == 0:
        params = dict(params, device=device)
    _below += 1
    try:
        res = op.composite(*args, **params)
    finally:
        _below -= 1
    if op.kind == "inplace":
        bump_version(inputs[0])
        return inputs[0]
    if res.__class__ is tuple:
        return (_own(res[0], out_dtype),) + res[1:]
    out = _own(res, out_dtype)
    if op.view:
        mark_view(out, inputs[0], op, params)
    return out


def _own(t, dtype):
    # a fresh tensor: a composite may hand back one of the (detached) inputs
    if t._dtype is not dtype:
        t = call(_CAST, t, dtype=dtype)
    return _run(t._data, dtype, t._device)


def transfer(t, device, move):
    """``t`` moved to ``device`` by ``move(t, device)`` (the host round trip), seen by
    the layers as the op ``to`` (autograd records it)."""
    if not stack or _below or (_fast and not t._requires_grad):
        return move(t, device)
    params = {"device": device, "move": move}
    return _from(0, TRANSFER, (t,), params, t._device, t._dtype, t._dtype)


def _transfer_composite(t, *, device, move):
    return move(t, device)


TRANSFER.composite = _transfer_composite


def _device_of(op, tensors):
    dev = tensors[0]._device
    for t in tensors:
        if t._device is not dev:
            shown = ", ".join(describe(x) for x in tensors)
            raise RuntimeError(
                f"{op.name}(): expected all tensors to be on the same device, but found "
                f"at least two devices, {dev} and {t._device} ({shown}); move them "
                f"with .to(device) first")
    return dev


def _scalar_for(x, dtype: DType):
    """A Python scalar converted to the compute dtype's Python type (weak scalar)."""
    if dtype.category == 2:
        return float(x)
    if dtype.category == 3:
        return complex(x)
    if dtype is bool_:
        return bool(x)
    x = int(x)
    info = iinfo(dtype)
    if not info.min <= x <= info.max:
        # PyTorch wraps out-of-range integers the way a C cast does
        span = info.max - info.min + 1
        x = (x - info.min) % span + info.min
    return x


def _kernel(op, device, dtype):
    per_dtype = op.kernels.get(device.type)
    if per_dtype is not None:
        k = per_dtype.get(dtype)
        if k is not None:
            return k
    return None


def _cast_input(x, dtype):
    if x is None:
        return None
    if isinstance(x, Tensor):
        if x._dtype is dtype:
            return x
        return call(_CAST, x, dtype=dtype)
    return _scalar_for(x, dtype)


def _wrap_result(op, res, out_dtype, device, src, params):
    if res.__class__ is tuple:
        first = _run(res[0], out_dtype, device)
        rest = tuple(None if r is None else _run(r, _MULTI_OUT_INDEX_DTYPE, device)
                     for r in res[1:])
        return (first,) + rest
    out = _run(res, out_dtype, device)
    if op.view:
        mark_view(out, src, op, params)
    return out


def mark_view(out, src, op, params) -> None:
    """Record that ``out`` shares ``src``'s memory: the root for version counting, and
    the chain of view ops from the root that autograd replays for in-place writes."""
    out._base = src._base if src._base is not None else src
    out._view_chain = src.__dict__.get("_view_chain", ()) + ((op, params),)


# --- no kernel: fallback or a clear error ---------------------------------------------

def _missing_kernel(op, device, dtype, inputs, params):
    b = _BACKENDS.get(device.type)
    if b is None:
        raise RuntimeError(f"{op.name}(): no backend serves device type "
                           f"{device.type!r}; install its plugin")
    if dtype not in b.supported_dtypes:
        raise TypeError(f"{op.name}(): device {device} (backend {b.name!r}) cannot hold "
                        f"{dtype.name}{dtype_note(b, dtype)}; it supports "
                        f"{', '.join(d.name for d in b.supported_dtypes)}. Convert with "
                        f".to(dtype) first")
    per_dtype = op.kernels.get(device.type)
    if device.type != "cpu" and _fallback["on"] and _kernel(op, _cpu(), dtype):
        if op.view:
            raise NotImplementedError(
                f"{op.name}(): backend {b.name!r} has no kernel for the view op "
                f"{op.name}, and the CPU fallback cannot make a view of {device} memory; "
                f"the backend must implement {op.name}")
        warn_fallback_once(op.name, device.type)
        return _run_on_cpu(op, device, inputs, params)
    where = ", ".join(sorted(op.kernels)) or "no device"
    if per_dtype:
        raise NotImplementedError(
            f"{op.name}(): backend {b.name!r} has no {op.name} kernel for "
            f"{dtype.name} (it has {', '.join(d.name for d in per_dtype)}); convert the "
            f"inputs with .to(dtype)")
    raise NotImplementedError(
        f"Could not run '{op.name}' on device {device} (backend {b.name!r}): it has no "
        f"kernel for it and the op table has no composite for it. Devices with "
        f"{op.name}: {where}. Move the tensors with .cpu(), or opt in to running "
        f"missing ops on the CPU with fl.backends.set_cpu_fallback(True)")


def _cpu():
    from .devices import device
    return device("cpu")


def _run_on_cpu(op, device, inputs, params):
    """Run ``op`` on host copies of ``inputs`` and bring the result back to ``device``.

    An in-place row writes its result back into the device tensor, so a backend whose
    memory is not host memory loses no write. (A view cannot be faked by a copy: a
    view row without a kernel is an error before this is reached.)
    """
    global _below
    from ..frontend.tensor import _raw_to_device
    cpu = _cpu()
    _below += 1
    try:
        moved = [_raw_to_device(x, cpu) if isinstance(x, Tensor) else x for x in inputs]
        params = dict(params)
        if op.nin == 0:
            params["device"] = cpu
        if "gen" in params:  # the device's generator cannot drive the CPU's kernels
            from ..frontend.random import default_generator
            params["gen"] = default_generator(cpu)._native
        out = call(op, *moved, **params)
        if op.kind == "inplace":
            dst = inputs[0]
            back = _raw_to_device(moved[0], device)
            copy = _kernel(_COPY, device, dst._dtype)
            if copy is None:
                raise NotImplementedError(
                    f"{op.name}(): the CPU fallback cannot write its result back into "
                    f"{describe(dst)}: backend {_BACKENDS[device.type].name!r} has no "
                    f"copy_ kernel")
            _write(_COPY, copy, dst, (dst._data, back._data), _NO_PARAMS)
            return dst
        if isinstance(out, tuple):
            return tuple(_raw_to_device(o, device) if isinstance(o, Tensor) else o
                         for o in out)
        return _raw_to_device(out, device)
    finally:
        _below -= 1


def _rows():
    from .optable import OPS
    return OPS["cast"], OPS["copy_"]


_CAST, _COPY = _rows()
