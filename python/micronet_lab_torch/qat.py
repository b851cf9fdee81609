"""Quantization-aware fine-tuning on a GraphModule (the lab's quant/qat.ts, qat-weights.ts,
qat-folded.ts, calibrate.ts), SigmaMax exponents only:

- every quantized parameter (recipe.quant_param_bits) is fake-quantized in every forward with its
  SigmaMax binary point recomputed from the current values, per tensor or per output channel
  (recipe.weightGranularity), straight-through gradients;
- every quantized layer input is fake-quantized with a calibrated, fixed binary point:
  ``calibrate`` runs the eval forward (weights fake-quantized, activations not) over
  recipe.calibrationBatches batches, keeps an EMA (0.9·old + 0.1·batch, the first batch sets
  it) of each input's mean and unbiased std, and takes bp = SigmaMax(mean, std, activationLambda);
- with fineTune.freezeBatchNorm the foldable batch norms are folded into their convs from the live
  tensors (running statistics fixed) and the folded weights are what gets quantized; the other
  quantized BNs run in the deployed affine form, q(γ/sqrt(σ²+ε)) and q(β − μ·s_q).
"""

from __future__ import annotations

from typing import Dict, Iterable, List

import torch

from .ir import Node, folded_batch_norms
from .model import GraphModule
from .quant import ceil_log2, fake_quant, fake_quant_sigma_max, level_range
from .recipe import (
    DEFAULT_CALIBRATION_BATCHES,
    activation_lambda,
    check_supported,
    quant_param_bits,
    quantized_inputs,
    weight_lambda,
)

CALIBRATION_MOMENTUM = 0.9
ActQuant = Dict[str, Dict[str, float]]


def enable_weight_quant(model: GraphModule, recipe: dict, freeze_bn: bool) -> Dict[str, int]:
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
        return [fake_quant(t, int(q["bits"]), torch.tensor(float(q["bp"]))) for t in inputs]

    model.input_hook = hook


def sigma_max_bp_of(mean: float, std: float, bits: int, lam: float) -> int:
    level_range(bits)
    f = abs(mean) + lam * std
    m = 0 if f == 0 else int(ceil_log2(torch.tensor(f, dtype=torch.float64)))
    bp = bits - 1 - m
    if abs(bp) > 126:
        raise ValueError(f"SigmaMax: f_max {f} gives binary point {bp}, outside [−126, 126]")
    return bp


def calibrate(model: GraphModule, recipe: dict, batches: Iterable[torch.Tensor]) -> ActQuant:
    """Layer → {bits, bp, mean, std} of every quantized layer input (see the module header)."""
    layers = quantized_inputs(model.graph, recipe)
    if not layers:
        return {}
    limit = int(recipe.get("calibrationBatches", DEFAULT_CALIBRATION_BATCHES))
    ema: Dict[str, List[float]] = {}
    batch_stats: Dict[str, List[float]] = {}

    def observe(node: Node, inputs: List[torch.Tensor]) -> List[torch.Tensor]:
        if node.name in layers:
            v = inputs[0].detach().to(torch.float64)
            std = float(v.std()) if v.numel() > 1 else 0.0
            batch_stats[node.name] = [float(v.mean()), std]
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
                m = CALIBRATION_MOMENTUM
                for name, (mean, std) in batch_stats.items():
                    old = ema.get(name)
                    ema[name] = (
                        [mean, std]
                        if old is None
                        else [
                            m * old[0] + (1 - m) * mean,
                            m * old[1] + (1 - m) * std,
                        ]
                    )
                seen += 1
    finally:
        model.input_hook = saved
        model.train(was_training)
    if seen == 0:
        raise ValueError("calibrate: no batches, but some layer inputs are quantized")
    lam = activation_lambda(recipe)
    return {
        name: {
            "bits": bits,
            "bp": sigma_max_bp_of(*ema[name], bits, lam),
            "mean": ema[name][0],
            "std": ema[name][1],
        }
        for name, bits in layers.items()
    }
