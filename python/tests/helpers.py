"""Shared test helpers: a small graph in the lab's IR, a job folder, where the data lives."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional

import torch

from micronet_lab_torch.checkpoint import write_lab_checkpoint
from micronet_lab_torch.ir import Graph, graph_from_json, list_params

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("MICRONET_SHARED", os.path.join(os.path.dirname(REPO), "shared"))
CIFAR_DIR = os.environ.get("CIFAR100_DIR", os.path.join(SHARED, "cifar-100-binary"))


def node(name: str, inputs: list, **spec: Any) -> Dict[str, Any]:
    return {"name": name, "inputs": inputs, "spec": spec}


def conv(
    name: str, x: str, cin: int, cout: int, k: int = 3, s: int = 1, pad: Any = None
) -> Dict[str, Any]:
    p = pad if pad is not None else [k // 2] * 4
    return node(
        name,
        [x],
        op="conv2d",
        inChannels=cin,
        outChannels=cout,
        kernel=k,
        stride=s,
        padding=p,
        bias=False,
    )


def bn(name: str, x: str, c: int) -> Dict[str, Any]:
    return node(name, [x], op="batchnorm", channels=c, eps=1e-5, momentum=0.1)


def small_graph(size: int = 32, classes: int = 100) -> Graph:
    """conv-bn-relu ×2 (the second stride 2), global mean, dense: the lab's tiny net, smaller."""
    nodes = [
        node("input", [], op="input", height=size, width=size, channels=3),
        conv("conv1", "input", 3, 8),
        bn("bn1", "conv1", 8),
        node("relu1", ["bn1"], op="activation", fn="relu"),
        conv("conv2", "relu1", 8, 16, s=2),
        bn("bn2", "conv2", 16),
        node("relu2", ["bn2"], op="activation", fn="relu"),
        node("avgpool", ["relu2"], op="globalavgpool", keepDims=False),
        node("fc", ["avgpool"], op="dense", inFeatures=16, outFeatures=classes, bias=True),
    ]
    raw = {
        "format": "micronet-lab-graph",
        "version": 1,
        "name": "small",
        "numClasses": classes,
        "nodes": nodes,
        "output": "fc",
    }
    return graph_from_json(json.dumps(raw))


def random_state(graph: Graph, seed: int = 0) -> Dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    state = {}
    for p in list_params(graph):
        if p.kind == "running_var":
            state[p.name] = torch.rand(p.shape, generator=g) + 0.5
        elif p.kind == "running_mean":
            state[p.name] = torch.randn(p.shape, generator=g) * 0.1
        else:
            state[p.name] = torch.randn(p.shape, generator=g) * 0.3
    return state


def write_job(
    path: str, graph: Graph, state: Dict[str, torch.Tensor], recipe: Optional[dict] = None
) -> None:
    os.makedirs(path, exist_ok=True)
    manifest = {
        "format": "micronet-lab-torch-job",
        "version": 1,
        "model": "model.safetensors",
        "recipe": "recipe.json",
    }
    with open(os.path.join(path, "job.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f)
    with open(os.path.join(path, "recipe.json"), "w", encoding="utf-8") as f:
        json.dump(recipe or {}, f)
    write_lab_checkpoint(os.path.join(path, "model.safetensors"), graph, state)
