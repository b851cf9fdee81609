"""safetensors files and the lab's own checkpoint layout (src/core/io/lab-checkpoint.ts).

safetensors: 8-byte little-endian header length N, N bytes of JSON
``{name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}``, then the data buffer.
A lab checkpoint is a safetensors file of the network's PyTorch state_dict (F32, torch layouts,
plus an I64 ``num_batches_tracked`` per batch norm) whose metadata is
``{"format": "micronet-lab", "version": "1", "graph": <graph JSON>, "info": <JSON object>}``.
The lab's ``inspect`` / ``eval`` / ``--model`` read such a file as they read their own.
Read and written with numpy only (no safetensors package needed).
"""

from __future__ import annotations

import json
import struct
from typing import Any, Dict, Optional, Tuple

import numpy as np
import torch

from .ir import Graph, graph_from_json, list_params

LAB_FORMAT = "micronet-lab"
_DTYPES = {
    "F64": np.float64,
    "F32": np.float32,
    "I64": np.int64,
    "I32": np.int32,
    "U8": np.uint8,
    "I8": np.int8,
    "BOOL": np.bool_,
}
_NAMES = {np.dtype(v): k for k, v in _DTYPES.items()}


class CheckpointError(ValueError):
    pass


def read_safetensors(path: str) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    """(tensors, metadata) of a safetensors file; arrays are little-endian copies."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise CheckpointError(f"{path}: too short for a safetensors header")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise CheckpointError(f"{path}: header length {n} runs past the end of the file")
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", None) or {}
    base = 8 + n
    out: Dict[str, np.ndarray] = {}
    for name, e in header.items():
        dt = _DTYPES.get(e["dtype"])
        if dt is None:
            raise CheckpointError(f"{path}: tensor '{name}' has unsupported dtype {e['dtype']}")
        begin, end = e["data_offsets"]
        arr = np.frombuffer(data[base + begin : base + end], dtype=np.dtype(dt).newbyteorder("<"))
        out[name] = arr.reshape(e["shape"]).astype(dt, copy=True)
    return out, meta


def write_safetensors(
    path: str, tensors: Dict[str, np.ndarray], metadata: Optional[Dict[str, str]] = None
) -> int:
    """Writes tensors (sorted by name) and string metadata; returns the file size."""
    header: Dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = metadata
    chunks = []
    offset = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        dtype = _NAMES.get(a.dtype)
        if dtype is None:
            raise CheckpointError(f"tensor '{name}': unsupported dtype {a.dtype}")
        raw = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {
            "dtype": dtype,
            "shape": list(a.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)
    return 8 + len(text) + offset


def read_lab_checkpoint(path: str) -> Tuple[Graph, Dict[str, torch.Tensor], Dict[str, Any]]:
    """(graph, state_dict in torch layouts, info) of a lab checkpoint."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != LAB_FORMAT or "graph" not in meta:
        raise CheckpointError(f"{path}: not a MicroNet Lab checkpoint (no format/graph metadata)")
    if meta.get("version") != "1":
        raise CheckpointError(f"{path}: unsupported lab checkpoint version {meta.get('version')}")
    graph = graph_from_json(meta["graph"])
    info = json.loads(meta["info"]) if "info" in meta else {}
    state = {k: torch.from_numpy(v) for k, v in tensors.items()}
    return graph, state, info


def write_lab_checkpoint(
    path: str, graph: Graph, state: Dict[str, torch.Tensor], info: Optional[Dict[str, Any]] = None
) -> int:
    """The lab's checkpoint of `state` (every graph parameter, F32) with the graph and info."""
    tensors: Dict[str, np.ndarray] = {}
    for p in list_params(graph):
        t = state.get(p.name)
        if t is None or tuple(t.shape) != p.shape:
            raise CheckpointError(f"state lacks '{p.name}' with shape {list(p.shape)}")
        tensors[p.name] = t.detach().cpu().to(torch.float32).contiguous().numpy()
        if p.kind == "running_var":
            tensors[f"{p.node}.num_batches_tracked"] = np.zeros((), dtype=np.int64)
    meta = {
        "format": LAB_FORMAT,
        "version": "1",
        "graph": graph.to_json(),
        "info": json.dumps(info or {}),
    }
    return write_safetensors(path, tensors, meta)
