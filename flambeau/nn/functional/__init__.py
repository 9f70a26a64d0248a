"""``flambeau.nn.functional``: the functional form of every layer (PyTorch's names)."""

from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d, fold, unfold
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool2d,
                      avg_pool1d, avg_pool2d, max_pool1d, max_pool2d)

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "fold", "unfold",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool2d",
           "avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d"]
