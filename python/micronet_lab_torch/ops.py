"""Per-op kernels of the IR on NCHW tensors, with the lab's exact semantics (kernels.ts, forward.ts).

Layout: the lab runs NHWC; here rank-4 activations are NCHW and rank-2 ones [N, F], so "the
channel axis" is always dim 1. Ops whose result depends on the layout convert explicitly:
``flatten`` flattens in NHWC order (a dense layer after it sees the lab's feature order).
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple

import torch
import torch.nn.functional as F

from .ir import GraphError, Padding, explicit_padding

# Sums a tensor over all processes (differentiably); identity in a single process.
Reducer = Callable[[torch.Tensor], torch.Tensor]


def conv2d(
    x: torch.Tensor,
    w: torch.Tensor,
    b: Optional[torch.Tensor],
    stride: int,
    padding: Padding,
    groups: int = 1,
) -> torch.Tensor:
    """Conv with TF 'same' (asymmetric: the extra pixel goes bottom/right), 'valid' or explicit
    [top, bottom, left, right] padding; weights OIHW (depthwise: [C, 1, k, k], groups = C)."""
    k = int(w.shape[-1])
    t, bo, le, r = explicit_padding(padding, int(x.shape[2]), int(x.shape[3]), k, stride)
    if t or bo or le or r:
        x = F.pad(x, (le, r, t, bo))
    return F.conv2d(x, w, b, stride=stride, groups=groups)


def batchnorm_eval(
    x: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    mean: torch.Tensor,
    var: torch.Tensor,
    eps: float,
) -> torch.Tensor:
    """As the lab: x·scale + shift, scale = γ·rsqrt(var + ε), shift = β − mean·scale."""
    scale = gamma * torch.rsqrt(var + eps)
    shift = beta - mean * scale
    return x * _channel(scale, x) + _channel(shift, x)


def _channel(v: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """A [C] vector shaped to broadcast along dim 1 of x."""
    return v.reshape((1, -1) + (1,) * (x.dim() - 2))


def _reduce_dims(x: torch.Tensor) -> Tuple[int, ...]:
    return (0,) + tuple(range(2, x.dim()))


def batchnorm_train(
    x: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    running: Tuple[torch.Tensor, torch.Tensor],
    eps: float,
    momentum: float,
    reduce: Optional[Reducer] = None,
) -> torch.Tensor:
    """Batch statistics (biased variance, two passes) over every axis but the channel one, and
    the PyTorch running-stat update (unbiased variance, new = (1 − m)·old + m·batch). With
    `reduce` the statistics are those of the global batch over all processes (sync BN)."""
    dims = _reduce_dims(x)
    count = torch.tensor(float(x.numel() // x.shape[1]), dtype=x.dtype, device=x.device)
    total = x.sum(dim=dims)
    if reduce is not None:
        total, count = reduce(total), reduce(count)
    mean = total / count
    centred = x - _channel(mean, x)
    sq = centred.square().sum(dim=dims)
    if reduce is not None:
        sq = reduce(sq)
    var = sq / count
    n = float(count.item())
    if n < 2:
        raise GraphError(f"batchnorm: training needs more than 1 value per channel, got {n:g}")
    with torch.no_grad():
        rm, rv = running
        rm.mul_(1 - momentum).add_(mean.detach(), alpha=momentum)
        rv.mul_(1 - momentum).add_(var.detach() * (n / (n - 1)), alpha=momentum)
    y = centred * _channel(torch.rsqrt(var + eps), x)
    return y * _channel(gamma, x) + _channel(beta, x)


def activation(x: torch.Tensor, fn: str) -> torch.Tensor:
    if fn == "relu":
        return torch.relu(x)
    if fn == "relu6":
        return F.hardtanh(x, 0.0, 6.0)
    if fn == "sigmoid":
        return torch.sigmoid(x)
    if fn == "swish":
        return x * torch.sigmoid(x)
    if fn == "hswish":
        return x * (F.hardtanh(x + 3.0, 0.0, 6.0) / 6.0)
    raise GraphError(f"unknown activation '{fn}'")


def avgpool(x: torch.Tensor, size: int, stride: int, ceil: bool) -> torch.Tensor:
    """PyTorch AvgPool2d(padding=0, ceil_mode): overhanging windows average their in-bounds
    pixels, which is also the lab's divisor."""
    return F.avg_pool2d(x, size, stride, padding=0, ceil_mode=ceil)


def global_avgpool(x: torch.Tensor, keep_dims: bool) -> torch.Tensor:
    return x.mean(dim=(2, 3), keepdim=keep_dims)


def pad_channels(x: torch.Tensor, channels: int, front: int) -> torch.Tensor:
    c = int(x.shape[1])
    back = channels - c - front
    if back < 0:
        raise GraphError(f"padchannels: cannot pad {c} channels (+{front} front) to {channels}")
    pads = [0, 0] * (x.dim() - 2) + [front, back]
    return F.pad(x, pads)


def flatten_nhwc(x: torch.Tensor) -> torch.Tensor:
    """[N,C,H,W] → [N, H·W·C] in the lab's NHWC element order."""
    if x.dim() == 4:
        x = x.permute(0, 2, 3, 1)
    return x.reshape(x.shape[0], -1)


def upsample_nearest(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Nearest resize with the IR's index rule src = floor(dst·in/out), in exact integers."""
    h, w = int(x.shape[2]), int(x.shape[3])
    rows = torch.tensor([(i * h) // height for i in range(height)], dtype=torch.long)
    cols = torch.tensor([(j * w) // width for j in range(width)], dtype=torch.long)
    return x.index_select(2, rows.to(x.device)).index_select(3, cols.to(x.device))


class _ShakeDrop(torch.autograd.Function):
    """y = x·gate_fwd[n]; dL/dx = dL/dy·gate_bwd[n] (kernels.ts shakeDropTrain)."""

    @staticmethod
    def forward(ctx, x, fwd, bwd):  # type: ignore[override]
        ctx.save_for_backward(bwd)
        return x * fwd

    @staticmethod
    def backward(ctx, dy):  # type: ignore[override]
        (bwd,) = ctx.saved_tensors
        return dy * bwd, None, None


def shakedrop_train(x: torch.Tensor, p: float, gen: Optional[torch.Generator]) -> torch.Tensor:
    """Per sample: keep with prob 1 − p, else α ~ U(−1,1) forward and β ~ U(0,1) backward."""
    n = int(x.shape[0])
    u = torch.rand((n, 3), generator=gen)
    keep = u[:, 0] < 1 - p
    fwd = torch.where(keep, torch.ones(n), 2 * u[:, 1] - 1)
    bwd = torch.where(keep, torch.ones(n), u[:, 2])
    shape = (n,) + (1,) * (x.dim() - 1)
    return _ShakeDrop.apply(x, fwd.reshape(shape).to(x), bwd.reshape(shape).to(x))
