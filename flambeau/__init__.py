"""flambeau: a deep-learning framework with a pluggable dispatcher.

Use it like PyTorch::

    import flambeau as fl
    x = fl.randn(3, 4)
    y = (x @ x.T).relu().sum()
"""

from __future__ import annotations

from .dispatcher.devices import device
from .dispatcher.dtypes import (DType as dtype, bfloat16, bool_ as bool, finfo, float16,
                                float32, float64, get_default_dtype, iinfo, int8, int16,
                                int32, int64, promote_types, set_default_dtype, uint8)
from .dispatcher.dtype_rules import result_type
from .dispatcher.dtypes import cdouble, cfloat, complex64, complex128
from .frontend.complex_ops import *  # noqa: F401,F403
from . import fft  # noqa: F401
from .frontend.tensor import Size, Tensor
from .frontend.creation import (arange, as_tensor, asarray, empty, empty_like, eye,
                                from_dlpack, from_numpy, full, full_like, linspace, ones,
                                ones_like, scalar_tensor, tensor, zeros, zeros_like)
from .frontend.elementwise import *  # noqa: F401,F403
from .frontend.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled, no_grad, set_grad_enabled)
from .frontend.indexing import (argsort, argwhere, gather, index_put, index_select,
                                masked_fill,
                                masked_select, nonzero, scatter, scatter_add, sort,
                                take_along_dim, topk, unique)
from .frontend.linalg import bmm, dot, einsum, ger, inner, matmul, mm, mv, outer
from .frontend.random import (Generator, bernoulli, initial_seed, manual_seed,
                              multinomial, normal, rand, rand_like, randint, randint_like,
                              randn, randn_like, randperm, seed)
from .frontend.reductions import *  # noqa: F401,F403
from .frontend.shape_ops import *  # noqa: F401,F403
from . import autograd, backends, composites, plugins, profiler
from . import distributed, nn, optim, utils
from .backends.opencl import api as opencl
from .serialization import load, save
from .plugins.manager import load_entry_points as _load_entry_points

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64

_load_entry_points()

__version__ = "0.1.0"
