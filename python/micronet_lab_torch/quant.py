"""Fixed point as the lab defines it: SigmaMax and least-squared-error ('mse') exponents and the
straight-through estimator (src/core/compress/quant/sigma-max.ts, exponents.ts, fake-quant.ts,
quantize-weights.ts).

  f_max = |mean| + λ·std        (std unbiased; 0 for a single value)
  M     = ceil(log2 f_max)      (exact; f_max = 0 → M = 0)
  bp    = bits − 1 − M         (clamped to [−126, 126])
  q(x)  = round(clamp(x·2^bp, −2^(bits−1), 2^(bits−1) − 1))·2^−bp   (round half to even)

Per channel: one bp per output channel. The lab stores weights channel-last ([kh,kw,in,out],
[in,out], [C]); in PyTorch layouts the output channel is dim 0 (OIHW, [C,1,k,k], [out,in], [C]),
so channel c is ``x[c]`` here — the same values. Statistics are float64 sums, as the deployed
quantizer (quantize-weights.ts tensorStats) computes them. The STE passes the incoming gradient
where x·2^bp lies inside the clamp range (bounds included), 0 outside; the exponent gets none.
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import torch

MAX_ABS_BINARY_POINT = 126


def level_range(bits: int) -> Tuple[int, int]:
    if not (isinstance(bits, int) and 2 <= bits <= 16):
        raise ValueError(f"quantization bits must be an integer in 2–16, got {bits}")
    half = 2 ** (bits - 1)
    return -half, half - 1


def ceil_log2(f: torch.Tensor) -> torch.Tensor:
    """Smallest integer M with f ≤ 2^M for f > 0 (exact, via frexp: f = m·2^e, m ∈ [0.5, 1))."""
    m, e = torch.frexp(f)
    return torch.where(m == 0.5, e - 1, e).to(torch.float64)


def sigma_max_bp(x: torch.Tensor, bits: int, lam: float, per_channel: bool) -> torch.Tensor:
    """Binary point(s) of x: a scalar, or one per channel (dim 0) — float64 integers."""
    level_range(bits)
    if not lam > 0:
        raise ValueError(f"SigmaMax lambda must be > 0, got {lam}")
    v = x.detach().to(torch.float64)
    v = v.reshape(v.shape[0], -1) if per_channel else v.reshape(1, -1)
    n = v.shape[1]
    mean = v.mean(dim=1)
    if n > 1:
        std = torch.sqrt((v - mean[:, None]).square().sum(dim=1) / (n - 1))
    else:
        std = torch.zeros_like(mean)
    f_max = mean.abs() + lam * std
    m = torch.where(
        f_max > 0, ceil_log2(torch.where(f_max > 0, f_max, torch.ones_like(f_max))), 0.0
    )
    bp = (bits - 1 - m).clamp(-MAX_ABS_BINARY_POINT, MAX_ABS_BINARY_POINT)
    return bp if per_channel else bp[0]


def _scale_shape(bp: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return bp.reshape((-1,) + (1,) * (x.dim() - 1)) if bp.dim() == 1 else bp


class _FakeQuant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, up, down, lo: float, hi: float):  # type: ignore[override]
        scaled = x * up
        ctx.save_for_backward((scaled >= lo) & (scaled <= hi))
        return torch.round(scaled.clamp(lo, hi)) * down

    @staticmethod
    def backward(ctx, dy):  # type: ignore[override]
        (inside,) = ctx.saved_tensors
        return dy * inside.to(dy.dtype), None, None, None, None


def fake_quant(
    x: torch.Tensor, bits: int, bp: torch.Tensor, levels: Optional[Tuple[int, int]] = None
) -> torch.Tensor:
    """q(x) with the clipped STE; `bp` a scalar or one per channel (dim 0) of x."""
    lo, hi = levels or level_range(bits)
    bp = _scale_shape(torch.as_tensor(bp, dtype=torch.float64), x)
    up = torch.pow(2.0, bp).to(x.dtype)
    down = torch.pow(2.0, -bp).to(x.dtype)
    return _FakeQuant.apply(x, up, down, float(lo), float(hi))


def fake_quant_sigma_max(x: torch.Tensor, bits: int, lam: float, per_channel: bool) -> torch.Tensor:
    """fake_quant with the SigmaMax bp recomputed from x itself (QAT weights, every forward)."""
    return fake_quant(x, bits, sigma_max_bp(x, bits, lam, per_channel))


def quantize_sigma_max(x: torch.Tensor, bits: int, lam: float, per_channel: bool) -> torch.Tensor:
    """Post-training quantization of one tensor (no gradient): quantize-weights.ts quantizeTensor."""
    with torch.no_grad():
        return fake_quant_sigma_max(x, bits, lam, per_channel)


# ---- Least-squared-error exponents (the lab's quant/exponents.ts, quantMethod 'mse') ----------
#
# bp_nc = the largest bp at which nothing clips; the search runs over [bp_nc, bp_nc + 32]
# (∩ [−126, 126]) and keeps the bp with the smallest Σ (q(x) − x)² (float64), ties to the smallest
# bp. A channel (tensor) of zeros gets bits − 1. With a zero point (activations, unsigned codes
# u ∈ [0, 2^bits − 1], value (u − z)·2^−bp), z = ceil(−min·2^bp) (0 if min ≥ 0, at most 2^bits − 1).

MSE_SEARCH_SPAN = 32


def _no_clip_bp(lo_v: torch.Tensor, hi_v: torch.Tensor, bits: int) -> torch.Tensor:
    """Per row: the largest bp in [−126, 126] with hi_v·2^bp ≤ 2^(bits−1)−1 and lo_v·2^bp ≥ −2^(bits−1)."""
    lo, hi = level_range(bits)
    a = torch.maximum(hi_v, -lo_v)
    safe = torch.where(a > 0, a, torch.ones_like(a))
    bp = (bits - 1 - ceil_log2(safe)).clamp(-MAX_ABS_BINARY_POINT, MAX_ABS_BINARY_POINT)

    def fits(b: torch.Tensor) -> torch.Tensor:
        s = torch.pow(2.0, b)
        return (hi_v * s <= hi) & (lo_v * s >= lo)

    for _ in range(4 * MAX_ABS_BINARY_POINT):
        up = (bp < MAX_ABS_BINARY_POINT) & fits(bp + 1)
        down = (bp > -MAX_ABS_BINARY_POINT) & ~fits(bp)
        if not bool(up.any() or down.any()):
            break
        bp = bp + up.to(bp.dtype) - down.to(bp.dtype)
    return torch.where(a > 0, bp, torch.full_like(bp, bits - 1.0))


def mse_bp(x: torch.Tensor, bits: int, per_channel: bool) -> torch.Tensor:
    """The least-squared-error binary point(s) of x: a scalar, or one per channel (dim 0)."""
    lo, hi = level_range(bits)
    v = x.detach().to(torch.float64)
    v = v.reshape(v.shape[0], -1) if per_channel else v.reshape(1, -1)
    vmin = v.min(dim=1).values.clamp(max=0.0)
    vmax = v.max(dim=1).values.clamp(min=0.0)
    start = _no_clip_bp(vmin, vmax, bits)
    errors = []
    for k in range(MSE_SEARCH_SPAN + 1):
        bp = (start + k).clamp(max=MAX_ABS_BINARY_POINT)[:, None]
        q = torch.round((v * torch.pow(2.0, bp)).clamp(lo, hi)) * torch.pow(2.0, -bp)
        errors.append((q - v).square().sum(dim=1))
    best = torch.stack(errors, dim=1).argmin(dim=1).to(torch.float64)  # first minimum: smallest bp
    zero = (vmin == 0) & (vmax == 0)
    bp = torch.where(zero, torch.full_like(start, bits - 1.0), start + best)
    bp = bp.clamp(max=MAX_ABS_BINARY_POINT)
    return bp if per_channel else bp[0]


def zero_point_for(vmin: float, bits: int, bp: int) -> int:
    z = math.ceil(-vmin * 2.0**bp) if vmin < 0 else 0
    return min(2**bits - 1, z)


def _asym_levels(vmin: float, bits: int, bp: int) -> Tuple[int, int]:
    z = zero_point_for(vmin, bits, bp)
    return -z, 2**bits - 1 - z


def mse_asymmetric(values: torch.Tensor, bits: int) -> Tuple[int, int]:
    """(bp, zero point) of unsigned codes minimising the squared error of `values`."""
    level_range(bits)
    v = values.detach().to(torch.float64).reshape(-1)
    vmin, vmax = min(0.0, float(v.min())), max(0.0, float(v.max()))
    if vmin == 0 and vmax == 0:
        return bits - 1, 0

    def fits(bp: int) -> bool:
        lo, hi = _asym_levels(vmin, bits, bp)
        return vmax * 2.0**bp <= hi and vmin * 2.0**bp >= lo

    start = int(_no_clip_bp(torch.tensor([vmin]), torch.tensor([vmax]), bits)[0])
    while start < MAX_ABS_BINARY_POINT and fits(start + 1):
        start += 1
    best, best_err = start, math.inf
    for bp in range(start, min(MAX_ABS_BINARY_POINT, start + MSE_SEARCH_SPAN) + 1):
        lo, hi = _asym_levels(vmin, bits, bp)
        q = torch.round((v * 2.0**bp).clamp(lo, hi)) * 2.0**-bp
        err = float((q - v).square().sum())
        if err < best_err:
            best, best_err = bp, err
    return best, zero_point_for(vmin, bits, best)
