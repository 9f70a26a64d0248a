"""Neural-network kernels: im2col (unfold), col2im (fold), constant padding.

Convolution and pooling are compositions of these with matmul and reductions, so a
backend that has these three kernels gets every conv and pool layer, with gradients.
"""

from __future__ import annotations


def _out_size(n, k, d, p, s):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def kernels(xp) -> dict:
    def unfold(x, kernel_size, dilation, padding, stride):
        n, c, h, w = x.shape
        (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel_size, dilation, padding, stride
        oh, ow = _out_size(h, kh, dh, ph, sh), _out_size(w, kw, dw, pw, sw)
        if ph or pw:
            x = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        s0, s1, s2, s3 = x.strides
        # windows as a strided view (no copy), then one copy into column layout
        win = xp.lib.stride_tricks.as_strided(
            x, (n, c, kh, kw, oh, ow), (s0, s1, s2 * dh, s3 * dw, s2 * sh, s3 * sw),
            writeable=False)
        return win.reshape(n, c * kh * kw, oh * ow)

    def fold(cols, output_size, kernel_size, dilation, padding, stride):
        n = cols.shape[0]
        (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = (output_size, kernel_size,
                                                           dilation, padding, stride)
        oh, ow = _out_size(h, kh, dh, ph, sh), _out_size(w, kw, dw, pw, sw)
        c = cols.shape[1] // (kh * kw)
        out = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
        blocks = cols.reshape(n, c, kh, kw, oh, ow)
        for i in range(kh):
            for j in range(kw):
                out[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                    j * dw:j * dw + sw * (ow - 1) + 1:sw] += blocks[:, :, i, j]
        return out[:, :, ph:ph + h, pw:pw + w].copy() if ph or pw else out

    def pad(x, pad, value=0):
        return xp.pad(x, pad, constant_values=value)

    return {"unfold": unfold, "fold": fold, "pad": pad}
