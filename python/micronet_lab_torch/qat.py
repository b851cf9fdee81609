"""Quantization-aware fine-tuning on a GraphModule (the lab's quant/qat.ts, qat-weights.ts,
qat-folded.ts, calibrate.ts, calibration-stats.ts):

- every quantized parameter (recipe.quant_param_bits) is fake-quantized in every forward, per
  tensor or per output channel (recipe.weightGranularity), straight-through gradients. Its binary
  point: quantMethod 'sigmamax' — recomputed from the current values in every forward; 'mse' —
  the least-squared-error search (quant.mse_bp), HELD between refreshes as qat-weights.ts does:
  the first training forward refreshes, then every DEFAULT_REFRESH_EVERY training forwards, and
  an eval forward after any training forward refreshes first (exponents computed from the values
  the forward reads, so folded weights give folded exponents);
- every quantized layer input is fake-quantized with a calibrated, fixed binary point:
  ``calibrate`` runs the eval forward (weights fake-quantized, activations not) over
  recipe.calibrationBatches batches, keeps an EMA (0.9·old + 0.1·batch, the first batch sets
  it) of each input's mean and unbiased std, and takes bp = SigmaMax(mean, std, activationLambda);
  with activationMethod 'mse' the bp minimising the squared error over every ⌈size / 16384⌉-th
  value of each batch's input (flattened channel-last, as the lab's NHWC tensors), and with
  activationZeroPoint the (bp, zero point) of unsigned codes doing so (quant.mse_asymmetric);
- with fineTune.freezeBatchNorm the foldable batch norms are folded into their convs from the live
  tensors (running statistics fixed) and the folded weights are what gets quantized; the other
  quantized BNs run in the deployed affine form, q(γ/sqrt(σ²+ε)) and q(β − μ·s_q).
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Optional, Tuple

import torch

from .ir import Node, folded_batch_norms
from .model import GraphModule
from .quant import (
    ceil_log2,
    fake_quant,
    fake_quant_sigma_max,
    level_range,
    mse_asymmetric,
    mse_bp,
)
from .recipe import (
    DEFAULT_CALIBRATION_BATCHES,
    activation_lambda,
    activation_method,
    check_supported,
    quant_param_bits,
    quantized_inputs,
    weight_lambda,
    weight_method,
)

CALIBRATION_MOMENTUM = 0.9
DEFAULT_REFRESH_EVERY = 100
MSE_SAMPLE = 16384
ActQuant = Dict[str, Dict[str, float]]


class HeldExponents:
    """'mse' weight exponents held between refreshes (qat-weights.ts, see the module header)."""

    def __init__(self, bits: Dict[str, int], per_channel: bool, every: int) -> None:
        if not (isinstance(every, int) and every >= 1):
            raise ValueError(f"QAT refreshEvery must be an integer ≥ 1, got {every!r}")
        self.bits, self.per_channel, self.every = bits, per_channel, every
        self.held: Dict[str, torch.Tensor] = {}
        self.held_affine: Dict[str, torch.Tensor] = {}
        self.since: float = math.inf
        self.trained = True
        self.refreshes = 0

    def refresh(self) -> None:
        self.held.clear()
        self.held_affine.clear()
        self.since, self.trained = 0, False
        self.refreshes += 1

    def before_forward(self, module: torch.nn.Module, _inputs: Any) -> None:
        if module.training:
            if self.since >= self.every:
                self.refresh()
            self.since += 1
            self.trained = True
        elif self.trained:
            self.refresh()

    def _q(self, held: Dict[str, torch.Tensor], name: str, t: torch.Tensor) -> torch.Tensor:
        b = self.bits.get(name)
        if b is None:
            return t
        bp = held.get(name)
        if bp is None:
            bp = held[name] = mse_bp(t, b, self.per_channel)
        return fake_quant(t, b, bp)

    def param(self, name: str, t: torch.Tensor) -> torch.Tensor:
        return self._q(self.held, name, t)

    def affine(self, name: str, t: torch.Tensor) -> torch.Tensor:
        return self._q(self.held_affine, name, t)


def enable_weight_quant(
    model: GraphModule, recipe: dict, freeze_bn: bool, refresh_every: int = DEFAULT_REFRESH_EVERY
) -> Dict[str, int]:
    """Installs the parameter hooks; returns parameter → bits."""
    check_supported(recipe)
    bits = quant_param_bits(model.graph, recipe)
    if freeze_bn:
        model.frozen_bn = True
        folds = folded_batch_norms(model.graph)
        model.folds = {conv: model.graph.node(bn) for bn, conv in folds.items()}
        model.folded_bns = set(folds)
        for conv in model.folds:
            if f"{conv}.weight" in bits:
                bits[f"{conv}.bias"] = bits[f"{conv}.weight"]
    lam = weight_lambda(recipe)
    per_channel = recipe.get("weightGranularity") == "channel"
    old = getattr(model, "held_exponents_handle", None)
    if old is not None:
        old.remove()
        model.held_exponents_handle = None
    if weight_method(recipe) == "mse":
        held = HeldExponents(bits, per_channel, refresh_every)
        model.held_exponents = held
        model.held_exponents_handle = model.register_forward_pre_hook(held.before_forward)
        model.param_hook, model.affine_hook = held.param, held.affine
    else:

        def hook(name: str, t: torch.Tensor) -> torch.Tensor:
            b = bits.get(name)
            return t if b is None else fake_quant_sigma_max(t, b, lam, per_channel)

        model.param_hook = hook
        model.affine_hook = hook
    model.quantized_bns = {
        f"{n.name}.weight"
        for n in model.graph.nodes
        if n.op == "batchnorm" and f"{n.name}.weight" in bits
    }
    return bits


def enable_activation_quant(model: GraphModule, act: ActQuant) -> None:
    def hook(node: Node, inputs: List[torch.Tensor]) -> List[torch.Tensor]:
        q = act.get(node.name)
        if q is None:
            return inputs
        bits = int(q["bits"])
        levels = activation_levels(bits, q.get("zeroPoint"))
        return [fake_quant(t, bits, torch.tensor(float(q["bp"])), levels) for t in inputs]

    model.input_hook = hook


def activation_levels(bits: int, zero_point: Optional[float]) -> Tuple[int, int]:
    """Signed levels, or with a zero point z the unsigned codes shifted: [−z, 2^bits − 1 − z]."""
    if zero_point is None:
        return level_range(bits)
    z = int(zero_point)
    if z != zero_point or not 0 <= z <= 2**bits - 1:
        raise ValueError(f"zero point must be an integer in [0, {2**bits - 1}], got {zero_point}")
    return -z, 2**bits - 1 - z


def channel_last_sample(t: torch.Tensor) -> torch.Tensor:
    """Every ⌈size / MSE_SAMPLE⌉-th value of t flattened in the lab's NHWC order (float32)."""
    v = t.detach()
    v = v.permute(0, 2, 3, 1) if v.dim() == 4 else v
    flat = v.reshape(-1)
    stride = max(1, math.ceil(flat.numel() / MSE_SAMPLE))
    return flat[::stride].to(torch.float32).clone()


def sigma_max_bp_of(mean: float, std: float, bits: int, lam: float) -> int:
    level_range(bits)
    f = abs(mean) + lam * std
    m = 0 if f == 0 else int(ceil_log2(torch.tensor(f, dtype=torch.float64)))
    bp = bits - 1 - m
    if abs(bp) > 126:
        raise ValueError(f"SigmaMax: f_max {f} gives binary point {bp}, outside [−126, 126]")
    return bp


def calibrate(model: GraphModule, recipe: dict, batches: Iterable[torch.Tensor]) -> ActQuant:
    """Layer → {bits, bp, mean, std[, zeroPoint]} of every quantized layer input (module header)."""
    layers = quantized_inputs(model.graph, recipe)
    if not layers:
        return {}
    limit = int(recipe.get("calibrationBatches", DEFAULT_CALIBRATION_BATCHES))
    mse = activation_method(recipe) == "mse"
    ema: Dict[str, List[float]] = {}
    samples: Dict[str, List[torch.Tensor]] = {name: [] for name in layers}
    batch_stats: Dict[str, List[float]] = {}

    def observe(node: Node, inputs: List[torch.Tensor]) -> List[torch.Tensor]:
        if node.name in layers:
            v = inputs[0].detach().to(torch.float64)
            std = float(v.std()) if v.numel() > 1 else 0.0
            batch_stats[node.name] = [float(v.mean()), std]
            if mse:
                samples[node.name].append(channel_last_sample(inputs[0]))
        return inputs

    was_training, saved = model.training, model.input_hook
    model.eval()
    model.input_hook = observe
    seen = 0
    try:
        with torch.no_grad():
            for x in batches:
                if seen >= limit:
                    break
                batch_stats.clear()
                model(x)
                for name, stats in batch_stats.items():
                    ema[name] = _ema(ema.get(name), stats)
                seen += 1
    finally:
        model.input_hook = saved
        model.train(was_training)
    if seen == 0:
        raise ValueError("calibrate: no batches, but some layer inputs are quantized")
    return {
        name: _activation_quant(recipe, bits, ema[name], samples[name])
        for name, bits in layers.items()
    }


def _ema(old: Optional[List[float]], batch: List[float]) -> List[float]:
    m = CALIBRATION_MOMENTUM
    return list(batch) if old is None else [m * o + (1 - m) * b for o, b in zip(old, batch)]


def _activation_quant(
    recipe: dict, bits: int, stats: List[float], samples: List[torch.Tensor]
) -> Dict[str, float]:
    mean, std = stats
    out: Dict[str, float] = {"bits": bits, "mean": mean, "std": std}
    if recipe.get("activationZeroPoint"):
        bp, z = mse_asymmetric(torch.cat(samples), bits)
        return {**out, "bp": bp, "zeroPoint": z}
    if activation_method(recipe) == "mse":
        return {**out, "bp": int(mse_bp(torch.cat(samples), bits, False))}
    return {**out, "bp": sigma_max_bp_of(mean, std, bits, activation_lambda(recipe))}
