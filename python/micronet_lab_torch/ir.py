"""The lab's graph IR (src/core/graph/ir.ts) as plain Python objects.

A graph is an ordered list of nodes (topological), each naming its inputs; parameters are named
``f"{node}.{kind}"`` exactly as PyTorch's state_dict names them. Activations in the lab are NHWC;
this package runs NCHW and converts at the edges (see ops.py). Parameter shapes here are the
PyTorch (state_dict) layouts, which is what the lab's checkpoints store.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

OPS = (
    "input",
    "conv2d",
    "depthwise2d",
    "dense",
    "batchnorm",
    "activation",
    "add",
    "mul",
    "avgpool",
    "globalavgpool",
    "padchannels",
    "shakedrop",
    "scale",
    "flatten",
    "upsample",
    "concat",
)
LAYER_OPS = ("conv2d", "depthwise2d", "dense")
ACTIVATIONS = ("relu", "relu6", "sigmoid", "swish", "hswish")

Padding = Union[str, Tuple[int, int, int, int]]


class GraphError(ValueError):
    """A graph this package cannot run (unknown op, bad input, missing node)."""


@dataclass
class Node:
    name: str
    inputs: List[str]
    spec: Dict[str, Any]

    @property
    def op(self) -> str:
        return str(self.spec["op"])


@dataclass
class Graph:
    name: str
    num_classes: int
    nodes: List[Node]
    output: str
    extra_outputs: Dict[str, str] = field(default_factory=dict)
    raw: Dict[str, Any] = field(default_factory=dict)

    def node(self, name: str) -> Node:
        for n in self.nodes:
            if n.name == name:
                return n
        raise GraphError(f"graph '{self.name}' has no node '{name}'")

    def input_node(self) -> Node:
        found = [n for n in self.nodes if n.op == "input"]
        if len(found) != 1:
            raise GraphError(f"graph '{self.name}' needs exactly one input node")
        return found[0]

    def layers(self) -> List[Node]:
        return [n for n in self.nodes if n.op in LAYER_OPS]

    def to_json(self) -> str:
        return json.dumps(self.raw, separators=(",", ":"))


def graph_from_json(value: Union[str, Dict[str, Any]]) -> Graph:
    """Parses the lab's graph JSON (the `graph` metadata of a lab checkpoint)."""
    raw = json.loads(value) if isinstance(value, str) else value
    if raw.get("format") != "micronet-lab-graph" or raw.get("version") != 1:
        raise GraphError("not a micronet-lab-graph (version 1) description")
    nodes = [Node(n["name"], list(n["inputs"]), dict(n["spec"])) for n in raw["nodes"]]
    seen: set = set()
    for n in nodes:
        if n.op not in OPS:
            raise GraphError(f"node '{n.name}': unknown op '{n.op}'")
        for i in n.inputs:
            if i not in seen:
                raise GraphError(f"node '{n.name}': input '{i}' is not an earlier node")
        seen.add(n.name)
    g = Graph(
        name=str(raw["name"]),
        num_classes=int(raw["numClasses"]),
        nodes=nodes,
        output=str(raw["output"]),
        extra_outputs=dict(raw.get("extraOutputs") or {}),
        raw=raw,
    )
    for out in [g.output, *g.extra_outputs.values()]:
        if out not in seen:
            raise GraphError(f"graph output '{out}' is not a node")
    return g


@dataclass
class ParamInfo:
    name: str
    node: str
    op: str
    kind: str
    shape: Tuple[int, ...]
    trainable: bool


def node_params(node: Node) -> List[ParamInfo]:
    """Parameters and buffers of one node in state_dict order, PyTorch shapes (params.ts)."""
    s = node.spec

    def p(kind: str, shape: Tuple[int, ...]) -> ParamInfo:
        trainable = kind in ("weight", "bias")
        return ParamInfo(f"{node.name}.{kind}", node.name, node.op, kind, shape, trainable)

    if node.op == "conv2d":
        k = int(s["kernel"])
        w = p("weight", (int(s["outChannels"]), int(s["inChannels"]), k, k))
        return [w, p("bias", (int(s["outChannels"]),))] if s["bias"] else [w]
    if node.op == "depthwise2d":
        k, c = int(s["kernel"]), int(s["channels"])
        w = p("weight", (c, 1, k, k))
        return [w, p("bias", (c,))] if s["bias"] else [w]
    if node.op == "dense":
        w = p("weight", (int(s["outFeatures"]), int(s["inFeatures"])))
        return [w, p("bias", (int(s["outFeatures"]),))] if s["bias"] else [w]
    if node.op == "batchnorm":
        c = int(s["channels"])
        return [p(k, (c,)) for k in ("weight", "bias", "running_mean", "running_var")]
    return []


def list_params(graph: Graph) -> List[ParamInfo]:
    return [p for n in graph.nodes for p in node_params(n)]


def same_padding(size: int, kernel: int, stride: int) -> Tuple[int, int]:
    """TF 'same' along one axis: total = max((ceil(size/s) − 1)·s + k − size, 0), total//2 first."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def explicit_padding(
    padding: Padding, h: int, w: int, kernel: int, stride: int
) -> Tuple[int, int, int, int]:
    """IR padding → [top, bottom, left, right] for an input of h × w."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        t, b = same_padding(h, kernel, stride)
        left, r = same_padding(w, kernel, stride)
        return (t, b, left, r)
    if isinstance(padding, (list, tuple)) and len(padding) == 4:
        t, b, left, r = (int(v) for v in padding)
        return (t, b, left, r)
    raise GraphError(f"bad padding {padding!r}")


def folded_batch_norms(graph: Graph) -> Dict[str, str]:
    """BN name → conv it folds into: a conv2d / depthwise2d whose only consumer is that BN and
    which is no graph output (qat.ts foldedBatchNorms / inference-graph.ts foldablePairs)."""
    uses: Dict[str, float] = {}
    for n in graph.nodes:
        for i in n.inputs:
            uses[i] = uses.get(i, 0) + 1
    for o in [graph.output, *graph.extra_outputs.values()]:
        uses[o] = math.inf
    by_name = {n.name: n for n in graph.nodes}
    out: Dict[str, str] = {}
    for n in graph.nodes:
        if n.op != "batchnorm":
            continue
        src: Optional[Node] = by_name.get(n.inputs[0])
        if src and src.op in ("conv2d", "depthwise2d") and uses.get(src.name) == 1:
            out[n.name] = src.name
    return out
