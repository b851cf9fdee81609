"""An interpreter of the lab's graph IR as a torch.nn.Module (the lab's forward.ts in PyTorch).

Parameters live in nested submodules named after the node path, so ``state_dict()`` keys are the
lab's (and PyTorch's) names, e.g. ``layer1.0.conv1.weight``, in PyTorch layouts. The module takes
NHWC images (the lab's normalised batches) and returns ``(logits, extra)`` with ``extra`` the
graph's extra outputs (e.g. ``{"exit": exit_logits}``).

Hooks, all optional, make the same interpreter run the recipe's compression (qat.py):
``param_hook(name, tensor)`` rewrites a parameter as a node reads it (fake quantization),
``input_hook(node, inputs)`` rewrites a node's inputs (activation fake quantization) and
``folds`` (conv → BN) runs frozen batch norms folded into their convs (qat-folded.ts).
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

import torch
from torch import nn

from . import ops
from .ir import Graph, GraphError, Node, list_params

ParamHook = Callable[[str, torch.Tensor], torch.Tensor]
InputHook = Callable[[Node, List[torch.Tensor]], List[torch.Tensor]]
Output = Tuple[torch.Tensor, Dict[str, torch.Tensor]]


def _child(root: nn.Module, path: List[str]) -> nn.Module:
    m = root
    for part in path:
        if part not in m._modules:
            m.add_module(part, nn.Module())
        nxt = m._modules[part]
        assert nxt is not None
        m = nxt
    return m


class GraphModule(nn.Module):
    def __init__(self, graph: Graph) -> None:
        super().__init__()
        self.graph = graph
        self.frozen_bn = False
        self.param_hook: Optional[ParamHook] = None
        self.input_hook: Optional[InputHook] = None
        self.folds: Dict[str, Node] = {}
        self.folded_bns: set = set()
        self.affine_hook: Optional[ParamHook] = None
        self.quantized_bns: set = set()
        self.bn_reduce: Optional[ops.Reducer] = None
        self.generator: Optional[torch.Generator] = None
        for p in list_params(graph):
            holder = _child(self, p.node.split("."))
            t = torch.zeros(p.shape, dtype=torch.float32)
            if p.trainable:
                holder.register_parameter(p.kind, nn.Parameter(t))
            else:
                holder.register_buffer(p.kind, t)
        self._refresh_tensors()

    def _refresh_tensors(self) -> None:
        self._tensors = dict(self.named_parameters())
        self._tensors.update(dict(self.named_buffers()))

    def _apply(self, fn, *args, **kwargs):  # type: ignore[override]
        # .to(device) / .double() replace the buffers (and may replace parameters): read them anew.
        out = super()._apply(fn, *args, **kwargs)
        self._refresh_tensors()
        return out

    def tensor(self, name: str) -> torch.Tensor:
        t = self._tensors.get(name)
        if t is None:
            raise GraphError(f"missing parameter '{name}'")
        return t

    def param(self, name: str) -> torch.Tensor:
        """A parameter as the forward reads it (through the fold and the param hook)."""
        node, kind = name.rsplit(".", 1)
        bn = self.folds.get(node)
        t = self._folded(node, kind, bn) if bn is not None else self.tensor(name)
        return self.param_hook(name, t) if self.param_hook else t

    def _folded(self, conv: str, kind: str, bn: Node) -> torch.Tensor:
        """W' = W·s per output channel, b' = (b − μ)·s + β, s = γ / sqrt(σ² + ε) (qat-folded.ts)."""
        g = self.tensor(f"{bn.name}.weight")
        s = g / torch.sqrt(self.tensor(f"{bn.name}.running_var") + float(bn.spec["eps"]))
        if kind == "weight":
            return self.tensor(f"{conv}.weight") * s.reshape(-1, 1, 1, 1)
        mean = self.tensor(f"{bn.name}.running_mean")
        has_bias = f"{conv}.bias" in self._tensors
        centred = self.tensor(f"{conv}.bias") - mean if has_bias else -mean
        return centred * s + self.tensor(f"{bn.name}.bias")

    def _bias(self, node: Node) -> Optional[torch.Tensor]:
        if node.spec.get("bias") or node.name in self.folds:
            return self.param(f"{node.name}.bias")
        return None

    def _batchnorm(self, node: Node, x: torch.Tensor) -> torch.Tensor:
        if node.name in self.folded_bns:
            return x  # folded into its conv
        s, n = node.spec, node.name
        mean, var = self.tensor(f"{n}.running_mean"), self.tensor(f"{n}.running_var")
        if self.training and not self.frozen_bn:
            gamma, beta = self.param(f"{n}.weight"), self.param(f"{n}.bias")
            return ops.batchnorm_train(
                x, gamma, beta, (mean, var), float(s["eps"]), float(s["momentum"]), self.bn_reduce
            )
        if self.affine_hook is not None and f"{n}.weight" in self.quantized_bns:
            return self._affine_bn(node, x)
        gamma, beta = self.param(f"{n}.weight"), self.param(f"{n}.bias")
        return ops.batchnorm_eval(x, gamma, beta, mean, var, float(s["eps"]))

    def _affine_bn(self, node: Node, x: torch.Tensor) -> torch.Tensor:
        """A quantized, unfolded BN as deployed (quantize-weights.ts): s_q = q(γ/sqrt(σ²+ε)),
        t_q = q(β − μ·s_q), y = x·s_q + t_q."""
        n, hook = node.name, self.affine_hook
        assert hook is not None
        var = self.tensor(f"{n}.running_var") + float(node.spec["eps"])
        s = hook(f"{n}.weight", self.tensor(f"{n}.weight") / torch.sqrt(var))
        t = hook(f"{n}.bias", self.tensor(f"{n}.bias") - self.tensor(f"{n}.running_mean") * s)
        return x * ops._channel(s, x) + ops._channel(t, x)

    def run_node(self, node: Node, ins: List[torch.Tensor]) -> torch.Tensor:
        s, x = node.spec, ins[0]
        op = node.op
        if op in ("conv2d", "depthwise2d"):
            groups = int(s["channels"]) if op == "depthwise2d" else 1
            w = self.param(f"{node.name}.weight")
            return ops.conv2d(x, w, self._bias(node), int(s["stride"]), s["padding"], groups)
        if op == "dense":
            return torch.nn.functional.linear(
                x, self.param(f"{node.name}.weight"), self._bias(node)
            )
        if op == "batchnorm":
            return self._batchnorm(node, x)
        if op == "activation":
            return ops.activation(x, str(s["fn"]))
        if op == "add":
            return x + ins[1]
        if op == "mul":
            return x * ins[1]
        if op == "avgpool":
            return ops.avgpool(x, int(s["size"]), int(s["stride"]), bool(s["ceil"]))
        if op == "globalavgpool":
            return ops.global_avgpool(x, bool(s["keepDims"]))
        if op == "padchannels":
            return ops.pad_channels(x, int(s["channels"]), int(s.get("front", 0)))
        if op == "shakedrop":
            if not self.training:
                return x * (1 - float(s["p"]))
            return ops.shakedrop_train(x, float(s["p"]), self.generator)
        if op == "scale":
            return x * float(s["factor"])
        if op == "flatten":
            return ops.flatten_nhwc(x)
        if op == "upsample":
            return ops.upsample_nearest(x, int(s["height"]), int(s["width"]))
        if op == "concat":
            return torch.cat(ins, dim=1)
        raise GraphError(f"node '{node.name}': op '{op}' cannot be run")

    def forward(self, x_nhwc: torch.Tensor) -> Output:  # type: ignore[override]
        spec = self.graph.input_node().spec
        want = (int(spec["height"]), int(spec["width"]), int(spec["channels"]))
        if x_nhwc.dim() != 4 or tuple(x_nhwc.shape[1:]) != want:
            raise GraphError(f"input must be [N,{','.join(map(str, want))}] (NHWC)")
        values: Dict[str, torch.Tensor] = {}
        for node in self.graph.nodes:
            if node.op == "input":
                values[node.name] = x_nhwc.permute(0, 3, 1, 2)
                continue
            ins = [values[i] for i in node.inputs]
            if self.input_hook is not None:
                ins = self.input_hook(node, ins)
            values[node.name] = self.run_node(node, ins)
        extra = {k: _nhwc(values[v]) for k, v in self.graph.extra_outputs.items()}
        return _nhwc(values[self.graph.output]), extra


def _nhwc(t: torch.Tensor) -> torch.Tensor:
    return t.permute(0, 2, 3, 1) if t.dim() == 4 else t


def build_model(graph: Graph, state: Optional[Dict[str, torch.Tensor]] = None) -> GraphModule:
    """A GraphModule for `graph`, loaded from a state_dict (torch layouts) when given."""
    m = GraphModule(graph)
    if state is not None:
        load_state(m, state)
    return m


def load_state(m: GraphModule, state: Dict[str, torch.Tensor]) -> None:
    """Copies every graph parameter from `state` (num_batches_tracked and extras ignored)."""
    problems = []
    with torch.no_grad():
        for name, t in m._tensors.items():
            src = state.get(name)
            if src is None or tuple(src.shape) != tuple(t.shape):
                got = "missing" if src is None else f"shape {list(src.shape)}"
                problems.append(f"'{name}' {got}, expected {list(t.shape)}")
                continue
            t.copy_(src.to(torch.float32))
    if problems:
        raise GraphError(f"state does not fit graph '{m.graph.name}': {'; '.join(problems[:5])}")
