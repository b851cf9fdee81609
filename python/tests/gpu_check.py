"""The scale-out job's GPU path, checked on a machine with CUDA (not run by CI: no GPU there).

  cd python && python3 -m tests.gpu_check [JOB_DIR]

Without JOB_DIR it writes a small job (tests/helpers.py's graph, a recipe with masks, 6-bit
least-squared-error QAT, zero-point activations, frozen BN and distillation). It then trains the
same 8 steps on 256 real training images on the CPU and on cuda:0 (one process each) and prints
one JSON object: the largest weight difference between the two results (float32 on different
kernels: expect ≲ 1e-3, not bit equality), whether the zeros are the same, and — with two or more
GPUs — the same for 2 processes over nccl against 1. Exit 1 when CUDA is missing or a difference
is above TOLERANCE.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Dict

import torch

from micronet_lab_torch.__main__ import main
from micronet_lab_torch.checkpoint import read_lab_checkpoint

from .helpers import CIFAR_DIR, random_state, small_graph, write_job

TOLERANCE = 1e-3
RECIPE = {
    "sparsity": 0.5,
    "weightBits": 6,
    "activationBits": 8,
    "weightGranularity": "channel",
    "quantMethod": "mse",
    "activationZeroPoint": True,
    "fineTune": {
        "batchSize": 32,
        "learningRate": 0.01,
        "qat": True,
        "freezeBatchNorm": True,
        "distill": {"weight": 0.5},
    },
}


def _train(job: str, out: str, *extra: str) -> Dict[str, torch.Tensor]:
    args = ["train", job, "--data", CIFAR_DIR, "--limit", "256", "--max-steps", "8"]
    args += ["--log-every", "100", "--out", out, *extra]
    if "--spawn" in extra:
        env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(__file__))}
        cmd = [sys.executable, "-m", "micronet_lab_torch", *args]
        subprocess.run(cmd, check=True, env=env, timeout=600)
    elif main(args) != 0:
        raise RuntimeError(f"train {' '.join(extra)} failed")
    return read_lab_checkpoint(os.path.join(job, out))[1]


def _compare(a: Dict[str, torch.Tensor], b: Dict[str, torch.Tensor]) -> Dict[str, object]:
    diff = max(float((a[k].double() - b[k].double()).abs().max()) for k in a)
    zeros = all(torch.equal(a[k] == 0, b[k] == 0) for k in a if k.endswith("weight"))
    return {"maxAbsDiff": diff, "sameZeros": zeros, "ok": diff <= TOLERANCE and zeros}


def run(job: str) -> Dict[str, object]:
    if not torch.cuda.is_available():
        return {"ok": False, "error": "this PyTorch sees no CUDA device"}
    cpu = _train(job, "cpu.safetensors", "--device", "cpu")
    gpu = _train(job, "cuda.safetensors", "--device", "cuda")
    out: Dict[str, object] = {"gpus": torch.cuda.device_count(), "cpuVsCuda": _compare(cpu, gpu)}
    if torch.cuda.device_count() >= 2:
        two = _train(job, "cuda2.safetensors", "--device", "cuda", "--spawn", "2")
        out["twoVsOneCuda"] = _compare(gpu, two)
    out["ok"] = all(v["ok"] for k, v in out.items() if isinstance(v, dict))
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1:
        result = run(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as d:
            graph = small_graph()
            write_job(d, graph, random_state(graph, seed=3), RECIPE)
            result = run(d)
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)
