"""``flambeau.nn.functional``: the functional form of every layer (PyTorch's names)."""

from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d, fold, unfold
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool2d,
                      avg_pool1d, avg_pool2d, max_pool1d, max_pool2d)
from .activation import (celu, celu_, elu, elu_, gelu, glu, hardshrink, hardsigmoid,
                         hardswish, hardtanh, hardtanh_, leaky_relu, leaky_relu_, log_softmax,
                         logsigmoid, mish, prelu, relu, relu6, relu_, selu, selu_, sigmoid,
                         silu, softmax, softmin, softplus, softshrink, softsign, tanh,
                         tanhshrink, threshold, threshold_)
from .attention import multi_head_attention_forward, scaled_dot_product_attention
from .dropout import (alpha_dropout, dropout, dropout1d, dropout2d, dropout3d,
                      feature_alpha_dropout)
from .linear import bilinear, linear
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                   gaussian_nll_loss, kl_div, nll_loss, poisson_nll_loss)
from .loss_margin import (cosine_embedding_loss, hinge_embedding_loss, margin_ranking_loss,
                          multi_margin_loss, multilabel_soft_margin_loss, soft_margin_loss,
                          triplet_margin_loss)
from .loss_regression import huber_loss, l1_loss, mse_loss, smooth_l1_loss
from .misc import cosine_similarity, interpolate, pad, pairwise_distance, upsample
from .normalization import (batch_norm, group_norm, instance_norm, layer_norm,
                            local_response_norm, normalize, rms_norm)
from .sparse import embedding, one_hot

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "fold", "unfold",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool2d",
           "avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d"]
__all__ += [  # activation, attention, dropout, linear, losses, misc, normalisation, sparse
    "celu", "celu_", "elu", "elu_", "gelu", "glu", "hardshrink", "hardsigmoid", "hardswish",
    "hardtanh", "hardtanh_", "leaky_relu", "leaky_relu_", "log_softmax", "logsigmoid",
    "mish", "prelu", "relu", "relu6", "relu_", "selu", "selu_", "sigmoid", "silu",
    "softmax", "softmin", "softplus", "softshrink", "softsign", "tanh", "tanhshrink",
    "threshold", "threshold_",
    "multi_head_attention_forward", "scaled_dot_product_attention",
    "alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d",
    "feature_alpha_dropout",
    "bilinear", "linear",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "gaussian_nll_loss", "kl_div", "nll_loss", "poisson_nll_loss",
    "cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss",
    "multi_margin_loss", "multilabel_soft_margin_loss", "soft_margin_loss",
    "triplet_margin_loss",
    "huber_loss", "l1_loss", "mse_loss", "smooth_l1_loss",
    "cosine_similarity", "interpolate", "pad", "pairwise_distance", "upsample",
    "batch_norm", "group_norm", "instance_norm", "layer_norm", "local_response_norm",
    "normalize", "rms_norm",
    "embedding", "one_hot"]
