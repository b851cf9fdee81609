"""The recipe fields the torch runner honours (src/core/recipe/recipe.ts, compress/quant/layer-bits.ts).

Supported: sparsity, layerSparsity, sparsityAllocation, weightBits, activationBits, layerBits,
weightGranularity, quantMethod and activationMethod ('sigmamax' | 'mse'), activationZeroPoint,
lambda, activationLambda, calibrationBatches, foldBN, exitThreshold (recorded)
and fineTune {epochs, learningRate, batchSize, momentum, weightDecay, qat, pruneSteps,
pruneSchedule, distill, exitLossWeight, freezeBatchNorm, lrSchedule, minLearningRate, augment
'none' | 'standard', epochImages}. Counting-only fields (countingProfile,
freebie) change nothing in training. Refused with a message: fineTune.augment 'seed'
(AutoAugment) and structured `prune` (run the lab's `prune` first, then export that network).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from .ir import Graph, Node, folded_batch_norms

NOT_QUANTIZED = 32
DEFAULT_WEIGHT_LAMBDA = 10.0
DEFAULT_ACTIVATION_LAMBDA = 18.0
DEFAULT_CALIBRATION_BATCHES = 8
DISTILL_DEFAULTS = {"temperature": 4.0, "weight": 0.9}


class RecipeError(ValueError):
    pass


def check_supported(recipe: Dict[str, Any]) -> None:
    for key in ("quantMethod", "activationMethod"):
        if recipe.get(key, "sigmamax") not in ("sigmamax", "mse"):
            raise RecipeError(f"recipe.{key} must be 'sigmamax' or 'mse', got {recipe[key]!r}")
    if recipe.get("activationZeroPoint") and activation_method(recipe) != "mse":
        raise RecipeError(
            "recipe.activationZeroPoint needs activationMethod (or quantMethod) 'mse', got"
            f" {activation_method(recipe)!r}"
        )
    if (recipe.get("fineTune") or {}).get("augment", "none") not in ("none", "standard"):
        raise RecipeError(
            "recipe.fineTune.augment 'seed' (AutoAugment): the torch runner supports"
            " 'none' and 'standard' (pad-4 crop + flip)"
        )
    if recipe.get("prune") is not None:
        raise RecipeError("recipe.prune (structured pruning): run the lab's `prune` first")


def weight_method(recipe: Dict[str, Any]) -> str:
    return str(recipe.get("quantMethod", "sigmamax"))


def activation_method(recipe: Dict[str, Any]) -> str:
    return str(recipe.get("activationMethod", weight_method(recipe)))


def _bits(v: Any, where: str) -> int:
    if not (isinstance(v, int) and (2 <= v <= 16 or v == 32)):
        raise RecipeError(f"{where} must be an integer in 2–16 or 32, got {v!r}")
    return v


def weight_bits_of(recipe: Dict[str, Any], layer: str) -> int:
    own = (recipe.get("layerBits") or {}).get(layer) or {}
    if "weight" in own:
        return _bits(own["weight"], f"recipe.layerBits[{layer!r}].weight")
    return _bits(recipe.get("weightBits", NOT_QUANTIZED), "recipe.weightBits")


def activation_bits_of(recipe: Dict[str, Any], layer: str) -> int:
    own = (recipe.get("layerBits") or {}).get(layer) or {}
    if "activation" in own:
        return _bits(own["activation"], f"recipe.layerBits[{layer!r}].activation")
    return _bits(recipe.get("activationBits", NOT_QUANTIZED), "recipe.activationBits")


def quant_param_bits(graph: Graph, recipe: Dict[str, Any]) -> Dict[str, int]:
    """Parameter → bits of every weight / bias QAT fake-quantizes (qat.ts qatParamBits): each
    layer's at its weight bits; unfolded batch norms' γ, β at weightBits; folded BNs stay float."""
    layers = {n.name for n in graph.layers()}
    for k in recipe.get("layerBits") or {}:
        if k not in layers:
            raise RecipeError(
                f"recipe.layerBits names '{k}', which is not a layer of '{graph.name}'"
            )
    folded = set(folded_batch_norms(graph)) if recipe.get("foldBN", True) else set()
    out: Dict[str, int] = {}
    for n in graph.nodes:
        bits = _node_bits(n, recipe, folded)
        if bits == NOT_QUANTIZED:
            continue
        out[f"{n.name}.weight"] = bits
        if n.op == "batchnorm" or n.spec.get("bias"):
            out[f"{n.name}.bias"] = bits
    return out


def _node_bits(n: Node, recipe: Dict[str, Any], folded: set) -> int:
    if n.op in ("conv2d", "depthwise2d", "dense"):
        return weight_bits_of(recipe, n.name)
    if n.op == "batchnorm" and n.name not in folded:
        return _bits(recipe.get("weightBits", NOT_QUANTIZED), "recipe.weightBits")
    return NOT_QUANTIZED


def quantized_inputs(graph: Graph, recipe: Dict[str, Any]) -> Dict[str, int]:
    """Layer → activation bits of its input, for the layers whose input is quantized."""
    out = {}
    for n in graph.layers():
        bits = activation_bits_of(recipe, n.name)
        if bits != NOT_QUANTIZED:
            out[n.name] = bits
    return out


@dataclass
class FineTune:
    epochs: int = 1
    lr: float = 1e-3
    batch_size: int = 32
    momentum: float = 0.9
    weight_decay: float = 5e-4
    qat: bool = False
    prune_steps: int = 1
    prune_schedule: str = "seed"
    distill: Optional[Dict[str, float]] = None
    exit_loss_weight: float = 1.0
    freeze_bn: bool = False
    lr_schedule: str = "constant"
    min_lr: float = 0.0
    augment: bool = False
    epoch_images: Optional[int] = None
    extra: Dict[str, Any] = field(default_factory=dict)


def fine_tune_of(recipe: Dict[str, Any]) -> FineTune:
    ft = recipe.get("fineTune") or {}
    d = ft.get("distill")
    distill = None if d is None else {**DISTILL_DEFAULTS, **d}
    return FineTune(
        epochs=int(ft.get("epochs", 1)),
        lr=float(ft.get("learningRate", 1e-3)),
        batch_size=int(ft.get("batchSize", 32)),
        momentum=float(ft.get("momentum", 0.9)),
        weight_decay=float(ft.get("weightDecay", 5e-4)),
        qat=bool(ft.get("qat", False)),
        prune_steps=int(ft.get("pruneSteps", 1)),
        prune_schedule=str(ft.get("pruneSchedule", "seed")),
        distill=distill,
        exit_loss_weight=float(ft.get("exitLossWeight", 1.0)),
        freeze_bn=bool(ft.get("freezeBatchNorm", False)),
        lr_schedule=str(ft.get("lrSchedule", "constant")),
        min_lr=float(ft.get("minLearningRate", 0.0)),
        augment=ft.get("augment", "none") == "standard",
        epoch_images=_epoch_images(ft.get("epochImages")),
    )


def _epoch_images(v: Any) -> Optional[int]:
    if v is None:
        return None
    if not (isinstance(v, int) and not isinstance(v, bool) and v >= 2):
        raise RecipeError(f"recipe.fineTune.epochImages must be an integer ≥ 2, got {v!r}")
    return v


def lr_at(ft: FineTune, step: int, total: int) -> float:
    """The learning rate of step `step` (0-based) of a phase of `total` (train/schedule.ts)."""
    if ft.lr_schedule != "cosine":
        return ft.lr
    t = min(1.0, step / max(1, total))
    return ft.min_lr + (ft.lr - ft.min_lr) * 0.5 * (1.0 + math.cos(math.pi * t))


def weight_lambda(recipe: Dict[str, Any]) -> float:
    return float(recipe.get("lambda", DEFAULT_WEIGHT_LAMBDA))


def activation_lambda(recipe: Dict[str, Any]) -> float:
    return float(recipe.get("activationLambda", DEFAULT_ACTIVATION_LAMBDA))
