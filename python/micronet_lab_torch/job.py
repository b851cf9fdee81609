"""The job folder the lab's ``export-torch`` writes, and the golden-logits check.

  DIR/job.json            manifest: {"format": "micronet-lab-torch-job", "version": 1,
                          "model", "recipe", "golden" (file names), "tolerance", ...}
  DIR/model.safetensors   the network, in the lab's checkpoint layout
  DIR/recipe.json         the recipe
  DIR/golden.safetensors  images (normalised, NHWC), labels, and the lab's logits on them:
                          "logits" (main output) and "extra.<key>" per extra output (e.g. exit)
  DIR/micronet_lab_torch/ a copy of this package
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Dict

import torch

from .checkpoint import read_lab_checkpoint, read_safetensors
from .ir import Graph
from .model import build_model

JOB_FORMAT = "micronet-lab-torch-job"
DEFAULT_TOLERANCE = 1e-4


class JobError(ValueError):
    pass


@dataclass
class Job:
    dir: str
    manifest: Dict[str, Any]
    graph: Graph
    state: Dict[str, torch.Tensor]
    info: Dict[str, Any]
    recipe: Dict[str, Any]

    def path(self, key: str, default: str) -> str:
        return os.path.join(self.dir, str(self.manifest.get(key, default)))


def load_job(job_dir: str) -> Job:
    manifest_file = os.path.join(job_dir, "job.json")
    if not os.path.isfile(manifest_file):
        raise JobError(
            f"{job_dir}: no job.json (write the folder with `micronet-lab export-torch`)"
        )
    with open(manifest_file, encoding="utf-8") as f:
        manifest = json.load(f)
    if manifest.get("format") != JOB_FORMAT:
        raise JobError(f"{manifest_file}: format is not {JOB_FORMAT!r}")
    model_file = os.path.join(job_dir, manifest.get("model", "model.safetensors"))
    graph, state, info = read_lab_checkpoint(model_file)
    recipe_file = os.path.join(job_dir, manifest.get("recipe", "recipe.json"))
    recipe: Dict[str, Any] = {}
    if os.path.isfile(recipe_file):
        with open(recipe_file, encoding="utf-8") as f:
            recipe = json.load(f)
    return Job(job_dir, manifest, graph, state, info, recipe)


def check(job_dir: str, tolerance: float = 0.0) -> Dict[str, Any]:
    """Runs the network on the golden images (eval mode) and compares with the lab's logits."""
    job = load_job(job_dir)
    tol = tolerance or float(job.manifest.get("tolerance", DEFAULT_TOLERANCE))
    tensors, _ = read_safetensors(job.path("golden", "golden.safetensors"))
    model = build_model(job.graph, job.state).eval()
    with torch.no_grad():
        logits, extra = model(torch.from_numpy(tensors["images"]))
    diffs = {"logits": _max_diff(logits, tensors["logits"])}
    for key, t in extra.items():
        want = tensors.get(f"extra.{key}")
        if want is None:
            raise JobError(f"golden file has no 'extra.{key}' for the graph's extra output")
        diffs[f"extra.{key}"] = _max_diff(t, want)
    worst = max(diffs.values())
    return {
        "ok": worst <= tol,
        "model": job.graph.name,
        "images": int(tensors["images"].shape[0]),
        "maxAbsDiff": diffs,
        "tolerance": tol,
        "torch": torch.__version__,
    }


def _max_diff(got: torch.Tensor, want: Any) -> float:
    w = torch.from_numpy(want)
    if tuple(got.shape) != tuple(w.shape):
        raise JobError(f"shape {list(got.shape)} != golden {list(w.shape)}")
    return float((got - w).abs().max())
