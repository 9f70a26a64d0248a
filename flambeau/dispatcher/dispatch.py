"""The one path of an op: resolve device and dtype, run the layers, call the kernel.

``call(op, *inputs, **params)`` is what every frontend function ends in. Inputs are
tensors, Python scalars (for ops that take them) or ``None``; params are plain Python
values passed to the kernel by keyword. Layers (autograd first) sit above the backend:
a layer that wants an op gets it with a ``redispatch`` callable for the layer below.
"""

from __future__ import annotations

from .dtype_rules import RULES, result_type
from .dtypes import DType, bool_, int64, iinfo
from .registry import _BACKENDS, _fallback, dtype_note, warn_fallback_once
from .shapes import broadcast_shapes, describe

__all__ = ["call", "layers", "push_layer", "wrap", "set_tensor_type", "Tensor"]

# The frontend's tensor class; set by flambeau.frontend.tensor at import.
Tensor = None

# Dispatch layers above the backend, first consulted first. Each has
# ``wants(tensors) -> bool`` and ``handle(op, inputs, params, redispatch)``.
layers: list = []

_ELEMENTWISE = frozenset(("unary", "binary", "ternary"))
_MULTI_OUT_INDEX_DTYPE = int64


def set_tensor_type(cls) -> None:
    global Tensor
    Tensor = cls


def push_layer(layer) -> None:
    """Install a dispatch layer above the ones already there (e.g. a profiler).

    A layer whose ``requires_grad_only`` attribute is true (autograd) only ever wants
    ops with an input that requires grad, so the fast paths below may skip it.
    """
    global _fast
    layers.insert(0, layer)
    _fast = all(getattr(x, "requires_grad_only", False) for x in layers)
    _grad_layers[:] = [x for x in layers if getattr(x, "requires_grad_only", False)]


# True while every layer only wants ops whose inputs require grad: then the short
# paths below run the kernel themselves and let those layers ``record`` afterwards.
_fast = True
_grad_layers: list = []


def _record(op, inputs, params, out):
    for layer in _grad_layers:
        layer.record(op, inputs, params, out)


def inplace(target, compute, write, operands=()):
    """Set ``target`` to ``compute(target)`` through ``write``; a layer that tracks
    graphs (autograd) takes over when it must record the write."""
    for layer in _grad_layers:
        if layer.wants_inplace(target, operands):
            return layer.record_inplace(target, compute, write)
    write(compute(target))
    return target


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
    t = _new(Tensor)
    t._data = k(a._data, nb)
    t._dtype = c[1]
    t._device = dev
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
    t = _new(Tensor)
    t._data = k(a._data)
    t._dtype = c[1]
    t._device = dev
    if a._requires_grad:
        _record(op, (a,), _NO_PARAMS, t)
    return t


_NO_PARAMS: dict = {}


def create(op, dtype: DType, device, **params):
    """Run a creation or sampling op (no tensor inputs) of ``dtype`` on ``device``."""
    per_dtype = op.kernels.get(device.type)
    k = per_dtype.get(dtype) if per_dtype is not None else None
    if k is None:
        return call(op, dtype=dtype, device=device, **params)
    t = _new(Tensor)
    t._data = k(dtype=dtype, index=device.index or 0, **params)
    t._dtype = dtype
    t._device = device
    return t
_new = object.__new__


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
    if dtype is bool_:
        return bool(x)
    x = int(x)
    info = iinfo(dtype)
    if not info.min <= x <= info.max:
        # PyTorch wraps out-of-range integers the way a C cast does
        span = info.max - info.min + 1
        x = (x - info.min) % span + info.min
    return x


def wrap(native, dtype: DType, device):
    t = _new(Tensor)
    t._data = native
    t._dtype = dtype
    t._device = device
    return t


def _kernel(op, device, dtype):
    per_dtype = op.kernels.get(device.type)
    if per_dtype is not None:
        k = per_dtype.get(dtype)
        if k is not None:
            return k
    return None


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
        f"kernel for it. Devices with {op.name}: {where}. Move the tensors with "
        f".cpu(), or opt in to running missing ops on the CPU with "
        f"fl.backends.set_cpu_fallback(True)")


def _cpu():
    from .devices import device
    return device("cpu")


def _run_on_cpu(op, device, inputs, params):
    cpu = _cpu()
    moved = [x.to(cpu) if isinstance(x, Tensor) else x for x in inputs]
    out = call(op, *moved, **params)
    if isinstance(out, tuple):
        return tuple(o.to(device) if isinstance(o, Tensor) else o for o in out)
    return out.to(device)


def call(op, *inputs, **params):
    """Run ``op`` on ``inputs`` through the layers and the kernel table.

    Args:
        op: a row of the op table (:mod:`flambeau.dispatcher.optable`).
        *inputs: tensors, Python scalars (where the op takes them) or ``None``.
        **params: keyword parameters for the kernel, already validated by the frontend.

    Returns:
        A tensor, or a tuple of tensors/``None`` for multi-output ops.
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
    for layer in layers:
        if layer.wants(tensors):
            return layer.handle(op, inputs, params,
                                lambda: _backend(op, inputs, params, device, compute,
                                                 out_dtype))
    return _backend(op, inputs, params, device, compute, out_dtype)


def _cast_input(x, dtype):
    if x is None:
        return None
    if isinstance(x, Tensor):
        if x._dtype is dtype:
            return x
        from .optable import OPS
        return call(OPS["cast"], x, dtype=dtype)
    return _scalar_for(x, dtype)


def _backend(op, inputs, params, device, compute, out_dtype):
    k = _kernel(op, device, compute)
    if k is None:
        return _missing_kernel(op, device, compute, inputs, params)
    natives = [x._data if isinstance(x, Tensor) else x for x in inputs]
    if op.nin == 0:
        params["index"] = device.index or 0
    return _wrap_result(op, k(*natives, **params), out_dtype, device,
                        inputs[0] if inputs else None, params)


def _wrap_result(op, res, out_dtype, device, src, params):
    if res.__class__ is tuple:
        first = wrap(res[0], out_dtype, device)
        rest = tuple(None if r is None else wrap(r, _MULTI_OUT_INDEX_DTYPE, device)
                     for r in res[1:])
        return (first,) + rest
    out = _new(Tensor)
    out._data = res
    out._dtype = out_dtype
    out._device = device
    if op.view:
        mark_view(out, src, op, params)
    return out


def mark_view(out, src, op, params) -> None:
    """Record that ``out`` shares ``src``'s memory: the root for version counting, and
    the chain of view ops from the root that autograd replays for in-place writes."""
    out._base = src._base if src._base is not None else src
    out._view_chain = src.__dict__.get("_view_chain", ()) + ((op, params),)
