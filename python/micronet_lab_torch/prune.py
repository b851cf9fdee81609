"""Gradual magnitude pruning with kept masks, as the lab runs it (compress/sparsity/*.ts).

Prunable layers: conv2d, depthwise2d, dense (graph order); only their weight is pruned. A mask is
1 = kept, 0 = pruned, and existing zeros stay zero. For step k of T (targets s_k from
prune_targets): the global pool (layers without a layerSparsity entry) loses
round(s_k·P₀) − (already removed) more of its smallest non-zero |w| — P₀ = the pool's non-zeros
when the run started — ties broken by (layer order, index); a layer with its own target t ends the
step with max(its zeros, round(t_k·n)) zeros. The masks are re-applied after every optimizer step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List

import torch

from .ir import Graph
from .recipe import RecipeError


def js_round(x: float) -> int:
    """JavaScript's Math.round (half up), which the lab uses for counts."""
    return math.floor(x + 0.5)


def prune_targets(final: float, steps: int, kind: str) -> List[float]:
    """'agp': s_f·(1 − (1 − t/T)³); 'seed': 1 − (1 − r)^t with (1 − r)^T = 1 − s_f."""
    if not 0 <= final < 1:
        raise RecipeError(f"sparsity must be in [0, 1), got {final}")
    if kind not in ("agp", "seed"):
        raise RecipeError(f"pruneSchedule must be 'agp' or 'seed', got {kind!r}")
    keep = (1 - final) ** (1 / steps)
    out = []
    for t in range(1, steps + 1):
        if t == steps:
            out.append(final)
        elif kind == "agp":
            out.append(final * (1 - (1 - t / steps) ** 3))
        else:
            out.append(1 - keep**t)
    return out


def prunable_layers(graph: Graph) -> List[str]:
    return [n.name for n in graph.layers()]


def layer_targets(graph: Graph, recipe: dict, weights: Dict[str, torch.Tensor]) -> Dict[str, float]:
    """recipe.layerSparsity, plus recipe.sparsity spread per layer when allocation is 'uniform'."""
    layers = prunable_layers(graph)
    out = {}
    for name, t in (recipe.get("layerSparsity") or {}).items():
        if name not in layers:
            raise RecipeError(f"recipe.layerSparsity names '{name}', which is not a layer")
        out[name] = float(t)
    s = float(recipe.get("sparsity", 0))
    if recipe.get("sparsityAllocation") == "uniform" and s > 0:
        for name in layers:
            if name not in out:
                w = weights[f"{name}.weight"]
                n, z = w.numel(), int((w == 0).sum())
                out[name] = (z + s * (n - z)) / n
    return out


@dataclass
class PrunePlan:
    steps: int
    global_targets: List[float]
    layer_targets: Dict[str, List[float]]
    pool0: int


def plan(
    graph: Graph, recipe: dict, weights: Dict[str, torch.Tensor], steps: int, kind: str
) -> PrunePlan:
    targets = layer_targets(graph, recipe, weights)
    uniform = recipe.get("sparsityAllocation") == "uniform"
    s = 0.0 if uniform else float(recipe.get("sparsity", 0))
    return PrunePlan(
        steps=steps,
        global_targets=prune_targets(s, steps, kind),
        layer_targets={k: prune_targets(t, steps, kind) for k, t in targets.items()},
        pool0=_pool_size(graph, weights, targets),
    )


def _pool_size(graph: Graph, weights: Dict[str, torch.Tensor], targeted: Dict) -> int:
    return sum(
        int((weights[f"{n}.weight"] != 0).sum())
        for n in prunable_layers(graph)
        if n not in targeted
    )


def _mask_smallest(ws: List[torch.Tensor], remove: int) -> List[torch.Tensor]:
    """Masks zeroing the `remove` smallest non-zero |w| over the concatenation (ties in order)."""
    if not ws:
        return []
    flat = torch.cat([w.detach().reshape(-1).abs() for w in ws])
    keep = flat != 0
    if remove > 0:
        order = torch.sort(flat.masked_fill(~keep, float("inf")), stable=True).indices
        keep[order[:remove]] = False
    out, at = [], 0
    for w in ws:
        out.append(keep[at : at + w.numel()].reshape(w.shape).to(torch.float32))
        at += w.numel()
    return out


def step_masks(
    graph: Graph, p: PrunePlan, k: int, weights: Dict[str, torch.Tensor]
) -> Dict[str, torch.Tensor]:
    """Layer → mask (torch layout of its weight) of prune step k (0-based)."""
    layers = prunable_layers(graph)
    pool = [n for n in layers if n not in p.layer_targets]
    pool_now = _pool_size(graph, weights, p.layer_targets)
    want = js_round(p.global_targets[k] * p.pool0) - (p.pool0 - pool_now)
    remove = min(pool_now, max(0, want))
    masks = dict(zip(pool, _mask_smallest([weights[f"{n}.weight"] for n in pool], remove)))
    for name, sched in p.layer_targets.items():
        w = weights[f"{name}.weight"]
        zeros = int((w == 0).sum())
        z = max(zeros, js_round(sched[k] * w.numel()))
        masks[name] = _mask_smallest([w], z - zeros)[0]
    return {n: masks[n] for n in layers}


def apply_masks(weights: Dict[str, torch.Tensor], masks: Dict[str, torch.Tensor]) -> None:
    with torch.no_grad():
        for name, m in masks.items():
            weights[f"{name}.weight"].mul_(m)


def sparsity_of(masks: Dict[str, torch.Tensor]) -> float:
    n = sum(m.numel() for m in masks.values())
    kept = sum(float(m.sum()) for m in masks.values())
    return 0.0 if n == 0 else (n - kept) / n
