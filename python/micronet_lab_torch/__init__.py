"""MicroNet Lab's network and recipe in PyTorch: an interpreter of the lab's graph IR
(model.GraphModule), the recipe's compression (prune, quant, qat), the CIFAR-100 binary loader
(data), DDP fine-tuning (train, ddp) and the lab's checkpoint layout (checkpoint). torch + numpy
only. See README.md beside this file."""

from .checkpoint import read_lab_checkpoint, write_lab_checkpoint
from .ir import Graph, graph_from_json
from .model import GraphModule, build_model

__all__ = [
    "Graph",
    "GraphModule",
    "build_model",
    "graph_from_json",
    "read_lab_checkpoint",
    "write_lab_checkpoint",
]
