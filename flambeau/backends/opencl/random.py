"""On-device random numbers: Philox 4x32-10, a counter-based generator.

Philox (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) maps a
128-bit counter and a 64-bit key to 128 random bits with ten cheap rounds, so every
work-item draws its own numbers from its index alone: no state to share, nothing to
copy from the host, and the same seed gives the same stream on every device.

A :class:`PhiloxGenerator` is the key (the seed) and a counter offset: each sampling
op uses the next block of counters (one per four 32-bit outputs) and advances the
offset, like PyTorch's CUDA generator. rand/randn/randint/bernoulli (and dropout,
which uses them) draw on the device; randperm sorts random keys; multinomial draws by
inverse CDF (with replacement) or by the Gumbel top-k trick (without).
"""

from __future__ import annotations

import numpy as np

from . import codegen
from .array import CTYPE, CLArray, contiguous_strides, empty
from .codegen import Spec, compute_ctype
from .elementwise import cast, copy_to_contiguous, misc
from .scans import row_kernel
from .shape import basic_index, view
from .sort import argsort_rows

__all__ = ["PhiloxGenerator", "kernels", "PHILOX"]

_I64, _U32 = np.dtype(np.int64), np.dtype(np.uint32)

# Random123's Philox4x32-10 (its known-answer test: counter 0, key 0 gives
# 6627e8d5 e169c58d bc57ac4c 9b00dbd8), and the counter a flambeau stream uses: the
# 64-bit block number in the low words.
PHILOX = r"""
uint4 philox(uint4 c, uint k0, uint k1) {
  for (int r = 0; r < 10; ++r) {
    uint h0 = mul_hi(0xD2511F53u, c.x), l0 = 0xD2511F53u * c.x;
    uint h1 = mul_hi(0xCD9E8D57u, c.z), l1 = 0xCD9E8D57u * c.z;
    c = (uint4)(h1 ^ c.y ^ k0, l1, h0 ^ c.w ^ k1, l0);
    k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
  }
  return c;
}
uint4 fl_bits(ulong ctr, uint k0, uint k1) {
  return philox((uint4)((uint)ctr, (uint)(ctr >> 32), 0u, 0u), k0, k1);
}
float fl_u01f(uint x) { return (x >> 8) * (1.0f / 16777216.0f); }
"""

# Each work-item turns one counter into four outputs; the body sets ``r[0..3]``.
_SAMPLE = """{pre}
__kernel void rng(long n, ulong ctr0, uint k0, uint k1, __global {ct} *o{args}) {{
  long g = get_global_id(0);
  if (4 * g >= n) return;
  uint4 bits = fl_bits(ctr0 + (ulong)g, k0, k1);
  uint u[4] = {{bits.x, bits.y, bits.z, bits.w}};
  {acc} r[4];
  {body}
  for (int t = 0; t < 4; ++t) if (4 * g + t < n) {{ {store} }}
}}
"""


class PhiloxGenerator:
    """The native generator of an OpenCL device: a 64-bit key and a counter."""

    def __init__(self, seed: int, dev):
        seed &= (1 << 64) - 1
        self.key = (seed & 0xFFFFFFFF, seed >> 32)
        self.offset = 0
        self.dev = dev

    def take(self, blocks: int) -> int:
        """Reserve ``blocks`` counters; returns the first."""
        start = self.offset
        self.offset += max(int(blocks), 0)
        return start


def _draw(gen: PhiloxGenerator, key, shape, dtype, acc: str, body: str,
          params=(), pre: str = "") -> CLArray:
    """A new array of ``shape`` filled by ``body`` (which sets ``r[0..3]`` from the
    words ``u[0..3]``; ``params`` are ``(C type, name, value)`` kernel arguments)."""
    dev = gen.dev
    dtype = np.dtype(dtype)
    out = empty(shape, dtype, dev)
    n = out.size
    if n == 0:
        return out
    extra = "".join(f", {t} {a}" for t, a, _ in params)

    def source():
        return PHILOX + _SAMPLE.format(
            pre=pre, ct=CTYPE[dtype.name], args=extra, acc=acc, body=body,
            store=codegen.store_stmt("o", "4 * g + t", "r[t]", dtype))
    nblk = -(-n // 4)
    arg_dt = [_I64, np.dtype(np.uint64), _U32, _U32, None] + [_NP[t] for t, _, _ in params]
    k = dev.kernel(("rng", key, dtype.name), source, "rng", arg_dt)
    dev.launch(k, nblk, [n, gen.take(nblk), gen.key[0], gen.key[1], out.buf,
                         *(v for _, _, v in params)])
    return out


_NP = {"double": np.dtype(np.float64), "float": np.dtype(np.float32),
       "long": np.dtype(np.int64), "ulong": np.dtype(np.uint64)}

# A second, independent block for outputs that need more than 32 bits: same counter,
# another key.
_MORE_BITS = ("uint4 more = fl_bits(ctr0 + (ulong)g, k0 ^ 0xA511E9B3u, k1 ^ 0x63D83595u); "
              "uint w[4] = {more.x, more.y, more.z, more.w};")


def _uniform(shape, low, high, dtype, gen):
    dtype = np.dtype(dtype)
    if dtype == np.float64:  # 53-bit uniforms
        x = "((u[t] >> 5) * 67108864.0 + (w[t] >> 6)) * (1.0 / 9007199254740992.0)"
        pre_bits, acc = _MORE_BITS, "double"
    else:
        x, pre_bits, acc = "fl_u01f(u[t])", "", "float"
    body = f"""{pre_bits}
  for (int t = 0; t < 4; ++t) {{
    r[t] = lo + (hi - lo) * {x};
    if (r[t] >= hi) r[t] = lo;  /* rounding may reach hi; keep [lo, hi) */
  }}"""
    return _draw(gen, "uniform", shape, dtype, acc, body,
                 ((acc, "lo", low), (acc, "hi", high)))


def uniform(shape, low, high, dtype, gen, index=0):
    return _uniform(shape, low, high, dtype.name, gen)


def normal(shape, mean, std, dtype, gen, index=0):
    w = "double" if np.dtype(dtype.name) == np.float64 else "float"
    # Box-Muller: two uniforms (the first kept away from 0) give two normals
    body = f"""for (int t = 0; t < 4; t += 2) {{
    {w} u1 = ((u[t] >> 8) + 1) * ({w})(1.0 / 16777217.0), u2 = fl_u01f(u[t + 1]);
    {w} rad = sqrt(-2 * log(u1)), th = ({w})6.283185307179586 * u2;
    r[t] = mean + sd * rad * cos(th); r[t + 1] = mean + sd * rad * sin(th); }}"""
    return _draw(gen, "normal", shape, dtype.name, w, body,
                 ((w, "mean", mean), (w, "sd", std)))


def randint(shape, low, high, dtype, gen, index=0):
    span = int(high) - int(low)
    # bits scaled into the range with a multiply-high: no division, negligible bias
    if span <= 1 << 32:
        body = "for (int t = 0; t < 4; ++t) r[t] = lo + (long)(((ulong)u[t] * span) >> 32);"
        key = "randint32"
    else:
        body = _MORE_BITS + (" for (int t = 0; t < 4; ++t) "
                             "r[t] = lo + (long)mul_hi(((ulong)u[t] << 32) | w[t], span);")
        key = "randint64"
    return _draw(gen, key, shape, dtype.name, "long", body,
                 (("long", "lo", int(low)), ("ulong", "span", np.uint64(span))))


def random_keys(gen, n) -> CLArray:
    """``n`` random non-negative int64 keys (randperm shuffles by sorting them)."""
    body = _MORE_BITS + (" for (int t = 0; t < 4; ++t) "
                         "r[t] = (long)(((ulong)(u[t] >> 1) << 32) | w[t]);")
    return _draw(gen, "keys", (n,), np.int64, "long", body)


def randperm(n, dtype, gen, index=0):
    keys = random_keys(gen, n)
    perm = argsort_rows(keys.view((1, n), (n, 1)), descending=False).view((n,), (1,))
    return perm if dtype.name == "int64" else cast(perm, dtype)


def bernoulli(p: CLArray, gen) -> CLArray:
    u = _uniform(p.shape, 0.0, 1.0, p.dtype, gen)
    return misc("lt_flag", p.dtype, [p, u])


def multinomial(probs: CLArray, num_samples, replacement, gen) -> CLArray:
    n = probs.shape[-1]
    rows = probs.size // max(n, 1)
    p = view(copy_to_contiguous(probs), (rows, n))
    ct = compute_ctype(p.dtype)
    if replacement:
        cdf = row_kernel("cumsum", p, 1)
        u = _uniform((rows, num_samples), 0.0, 1.0, p.dtype, gen)
        out = _inverse_cdf(cdf, u, rows, n, num_samples)
    else:
        # Gumbel top-k: the k largest of log(p) + Gumbel noise are a draw without
        # replacement; zero-probability categories get -inf and are never taken
        u = _uniform((rows, n), 0.0, 1.0, p.dtype, gen)
        dt = p.dtype.name
        gumbel = Spec("gumbel", "(a > 0 ? log(a) - log(-log(b + (ACC)1e-20)) : -INFINITY)"
                      .replace("ACC", ct), (dt, dt), dt)
        keys = codegen.run(gumbel, [p, u])
        order = argsort_rows(keys, descending=True)
        out = copy_to_contiguous(basic_index(order, (slice(None), slice(0, num_samples))))
    shape = probs.shape[:-1] + (num_samples,)
    return out.view(shape, contiguous_strides(shape))


def _inverse_cdf(cdf: CLArray, u: CLArray, rows, n, s) -> CLArray:
    dev = cdf.dev
    out = empty((rows, s), _I64, dev)
    ct = CTYPE[cdf.dtype.name]
    src = codegen.load_macro("LC", "cdf", cdf.dtype) + codegen.load_macro(
        "LU", "u", u.dtype) + f"""
__kernel void icdf(long total, long n, long s, __global const {ct} *cdf,
                   __global const {ct} *u, __global long *o) {{
  long g = get_global_id(0);
  if (g >= total) return;
  long row = g / s;
  {compute_ctype(cdf.dtype)} x = LU(g) * LC(row * n + n - 1);
  long lo = 0, hi = n - 1;
  while (lo < hi) {{
    long mid = (lo + hi) / 2;
    if (LC(row * n + mid) > x) hi = mid; else lo = mid + 1;
  }}
  o[g] = lo;
}}
"""
    k = dev.kernel(("icdf", cdf.dtype.name), lambda: src, "icdf",
                   [_I64, _I64, _I64, None, None, None])
    dev.launch(k, rows * s, [rows * s, n, s, cdf.buf, u.buf, out.buf])
    return out


def kernels() -> dict:
    return {"uniform": uniform, "normal": normal, "randint": randint, "randperm": randperm,
            "bernoulli": bernoulli, "multinomial": multinomial}
