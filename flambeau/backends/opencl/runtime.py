"""OpenCL devices: discovery, selection, and the per-device state kernels run on.

Which devices flambeau uses is decided once, the first time they are needed:

- ``FLAMBEAU_OPENCL_PLATFORM``: a platform index (``"0"``) or a case-insensitive part
  of its name (``"portable"``, ``"nvidia"``). Default: every platform.
- ``FLAMBEAU_OPENCL_DEVICES``: comma-separated device indices within the chosen
  platform(s), or parts of device names (``"0,2"``, ``"gpu"``). Default: every device.

or from Python, before tensors are made, with :func:`select` (``fl.opencl.select``).
GPUs come first, so ``opencl:0`` is a GPU wherever there is one.

Each device gets a context, one in-order command queue (so kernels that touch the
same buffer never need events), a buffer pool, and a cache of compiled kernels. POCL
keeps compiled kernels on disk in ``POCL_CACHE_DIR``; when that is unset we point it
under the user's cache directory before POCL starts, so later runs compile nothing.
"""

from __future__ import annotations

import os
import threading
import warnings

__all__ = ["cl", "DeviceState", "devices", "device", "select", "available",
           "init_error", "STATS", "LOCAL", "roundup", "extension_notes"]

LOCAL = 64            # one work-group size for every 1-D launch: POCL compiles a
                      # kernel once per work-group size, so we only ever use one


def _default_cache_dirs() -> None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                             ".cache")
    os.environ.setdefault("POCL_CACHE_DIR", os.path.join(base, "flambeau", "pocl"))


_default_cache_dirs()   # before pyopencl loads POCL, which reads it once

try:
    import pyopencl as cl
    import pyopencl.tools as _cl_tools
except ImportError as e:  # the plugin then registers nothing
    cl = None
    _IMPORT_ERROR: str | None = f"pyopencl is not installed ({e})"
else:
    _IMPORT_ERROR = None

# Counters a user (or a test) reads to see what the backend did: how many programs it
# compiled, kernels it launched, and how often data crossed to or from the host.
STATS = {"compiles": 0, "launches": 0, "host_reads": 0, "host_writes": 0,
         "size_reads": 0}

def roundup(n: int, m: int = LOCAL) -> int:
    return max(-(-n // m) * m, m)


class DeviceState:
    """One OpenCL device as flambeau uses it: context, queue, pool, kernel cache.

    Attributes:
        index: its flambeau index (``opencl:<index>``).
        cl_device: the ``pyopencl.Device``.
        fp64, fp16: whether it has ``cl_khr_fp64`` / ``cl_khr_fp16``.
    """

    def __init__(self, index: int, cl_device):
        self.index = index
        self.cl_device = cl_device
        ext = cl_device.extensions.split()
        self.fp64 = "cl_khr_fp64" in ext or bool(getattr(cl_device, "double_fp_config", 0))
        self.fp16 = "cl_khr_fp16" in ext
        self.int64_atomics = "cl_khr_int64_base_atomics" in ext
        # float32 / and sqrt rounded like NumPy's where the device can (POCL can);
        # the option is an error on devices that cannot
        exact = cl.device_fp_config.CORRECTLY_ROUNDED_DIVIDE_SQRT
        self.build_options = ["-cl-fp32-correctly-rounded-divide-sqrt"] \
            if getattr(cl_device, "single_fp_config", 0) & exact else []
        self.name = cl_device.name.strip()
        self.platform_name = cl_device.platform.name.strip()
        self._ctx = None
        self._lock = threading.Lock()
        self._kernels: dict = {}
        self._programs: dict = {}
        self._scratch = None

    def __repr__(self) -> str:
        return f"<opencl:{self.index} {self.name!r} on {self.platform_name!r}>"

    def _open(self):
        # contexts are made lazily: importing flambeau must not start every device
        with self._lock:
            if self._ctx is None:
                ctx = cl.Context([self.cl_device])
                self.queue = cl.CommandQueue(ctx)
                self.pool = _cl_tools.MemoryPool(_cl_tools.ImmediateAllocator(self.queue))
                self._ctx = ctx
        return self._ctx

    @property
    def context(self):
        return self._ctx if self._ctx is not None else self._open()

    def alloc(self, nbytes: int):
        """A buffer of at least ``nbytes`` from the pool, rounded up to whole 8-byte
        words (never zero bytes): the narrow atomic adds work on aligned words."""
        if self._ctx is None:
            self._open()
        return self.pool.allocate(max((int(nbytes) + 7) & ~7, 8))

    @property
    def scratch(self):
        """A small buffer to pass where a kernel's pointer argument is unused."""
        if self._scratch is None:
            self._scratch = cl.Buffer(self.context, cl.mem_flags.READ_WRITE, 64)
        return self._scratch

    def kernel(self, program_key, make_source, name: str, arg_dtypes, options=None):
        """Kernel ``name`` of the program ``program_key``, built from ``make_source()``
        the first time any of its kernels is asked for.

        A program holds a *family* of kernels (say, every unary op for one dtype), so
        a run loads one cached program where it would load dozens: POCL spends ~60 ms
        per program even when its disk cache has the binary, but compiles a kernel's
        machine code only when that kernel is first launched. ``program_key`` names
        everything the source depends on; shapes and strides are kernel arguments, so
        one compiled kernel serves every shape. ``arg_dtypes`` lists the NumPy dtype of
        each scalar argument (``None`` for buffers and vectors), or a function that
        returns that list, so pyopencl sets arguments without inspecting them.
        ``options`` are added to the device's build options.
        """
        k = self._kernels.get((program_key, name))
        if k is None:
            prg = self._programs.get(program_key)
            if prg is None:
                src = make_source()
                if self.fp64:
                    src = "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n" + src
                if self.fp16:
                    src = "#pragma OPENCL EXTENSION cl_khr_fp16 : enable\n" + src
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # POCL's harmless compiler chatter
                    prg = cl.Program(self.context, src).build(
                        options=self.build_options + list(options or ()))
                STATS["compiles"] += 1
                self._programs[program_key] = prg
            k = cl.Kernel(prg, name)
            k.set_scalar_arg_dtypes(arg_dtypes() if callable(arg_dtypes) else arg_dtypes)
            self._kernels[(program_key, name)] = k
        return k

    def launch(self, kernel, nwork: int, args, local: int = LOCAL) -> None:
        """Run ``kernel`` over ``nwork`` work-items (rounded up to whole groups; the
        kernels check their bound)."""
        if nwork <= 0:
            return
        STATS["launches"] += 1
        kernel(self.queue, (roundup(nwork, local),), (local,), *args)

    def launch2(self, kernel, gsize: tuple, lsize: tuple, args) -> None:
        """Run ``kernel`` on an explicit N-D range (GEMM tiles)."""
        STATS["launches"] += 1
        kernel(self.queue, gsize, lsize, *args)

    def synchronize(self) -> None:
        if self._ctx is not None:
            self.queue.finish()


_STATE: dict = {"devices": None, "error": None}


def _platform_matches(spec: str, i: int, platform) -> bool:
    spec = spec.strip().lower()
    if spec.isdigit():  # an index, never a part of a name ("0" is in "RTX 4090")
        return int(spec) == i
    return spec in platform.name.lower() or spec in platform.vendor.lower()


def _device_matches(spec: str, i: int, dev) -> bool:
    spec = spec.strip().lower()
    if spec.isdigit():
        return int(spec) == i
    kind = cl.device_type.to_string(dev.type).lower()
    return spec in dev.name.lower() or spec in kind


def _discover(platform: str | None, devices: str | None) -> list:
    if cl is None:
        raise RuntimeError(_IMPORT_ERROR)
    try:
        platforms = cl.get_platforms()
    except cl.Error as e:  # no ICD loader or no platform installed
        raise RuntimeError(f"no OpenCL platform: {e}") from None
    found = []
    for pi, p in enumerate(platforms):
        if platform and not _platform_matches(platform, pi, p):
            continue
        try:
            devs = p.get_devices()
        except cl.Error:
            continue
        for di, d in enumerate(devs):
            if devices and not any(_device_matches(s, di, d) for s in devices.split(",")):
                continue
            is_gpu = bool(d.type & cl.device_type.GPU)
            found.append((not is_gpu, pi, di, d))
    found.sort(key=lambda t: t[:3])
    if not found:
        where = f" matching platform={platform!r} devices={devices!r}" \
            if platform or devices else ""
        raise RuntimeError(f"no OpenCL device{where}")
    return [DeviceState(i, t[3]) for i, t in enumerate(found)]


def select(platform: str | int | None = None, devices: str | list | None = None) -> list:
    """Choose the OpenCL devices flambeau uses, replacing the current choice.

    Args:
        platform: a platform index or a part of its name; ``None`` reads
            ``FLAMBEAU_OPENCL_PLATFORM`` (unset: every platform).
        devices: device indices or parts of names (a list, or a comma-separated
            string); ``None`` reads ``FLAMBEAU_OPENCL_DEVICES`` (unset: all).

    Returns:
        The selected devices, ``opencl:0`` first.

    Call it before making OpenCL tensors: tensors already made keep the buffers of the
    device they were made on, but ``opencl:N`` may then name another device.
    """
    if platform is None:
        platform = os.environ.get("FLAMBEAU_OPENCL_PLATFORM") or None
    if devices is None:
        devices = os.environ.get("FLAMBEAU_OPENCL_DEVICES") or None
    elif not isinstance(devices, str):
        devices = ",".join(str(d) for d in devices)
    try:
        found = _discover(None if platform is None else str(platform), devices)
    except RuntimeError as e:
        _STATE["devices"], _STATE["error"] = [], str(e)
        return []
    _STATE["devices"], _STATE["error"] = found, None
    return list(found)


def devices() -> list:
    """The selected devices (discovered on first call)."""
    if _STATE["devices"] is None:
        select()
    return _STATE["devices"]


def device(index: int) -> DeviceState:
    devs = devices()
    if not 0 <= index < len(devs):
        raise RuntimeError(f"device opencl:{index} does not exist: {len(devs)} OpenCL "
                           f"device(s) are selected")
    return devs[index]


def available() -> bool:
    return bool(devices())


def init_error() -> str | None:
    """Why no OpenCL device is available, or ``None``."""
    devices()
    return _STATE["error"]


def extension_notes(devs) -> dict:
    """dtype name -> why these devices cannot hold it (the extension they lack)."""
    notes = {}
    for ext, dt, attr in (("cl_khr_fp16", "float16", "fp16"),
                          ("cl_khr_fp64", "float64", "fp64")):
        lacking = [d for d in devs if not getattr(d, attr)]
        if lacking:
            names = ", ".join(f"opencl:{d.index} ({d.name})" for d in lacking)
            notes[dt] = f"{dt} needs the OpenCL extension {ext}, which {names} lacks"
    return notes
