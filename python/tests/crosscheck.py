"""The torch side of the lab ↔ torch cross-checks that src/core/io/torch-crosscheck.test.ts runs
(it writes the lab's inputs and results, this prints the differences as one JSON object):

  quant FILE  SigmaMax fake quantization: tensors x.<i> (the lab's channel-last [R, C] view), the
              lab's device values q.<i> and STE gradients g.<i> for upstream gradient dy.<i>,
              and its CPU (deployed) values cpu.<i>; metadata "cases": [{bits, lambda, channel}]
  mse FILE    least-squared-error exponents: as quant, plus the lab's binary points bp.<i>
              (metadata "cases": [{bits, channel}]); the torch side's exponents are printed
  asym FILE   zero-point exponents of value vectors v.<i> (metadata "cases": [{bits}]): prints
              torch's (bp, zeroPoint) per case
  calib DIR   activation calibration: model.safetensors, batches.safetensors (b.<i> NHWC),
              recipe.json; prints torch's quantizer per quantized layer input
  sgd DIR     fine-tuning steps: model.safetensors (start), batch.safetensors (x NHWC, y),
              case.json {recipe, steps, activationQuant}, lab.safetensors (the lab's result)
  logits DIR CKPT OUT  torch's eval logits of checkpoint CKPT (e.g. a training result) on the
              job's golden images, written to OUT as "logits" and "extra.<key>" (the lab then
              runs the same checkpoint and compares: the torch → lab direction)
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from micronet_lab_torch.checkpoint import (
    read_lab_checkpoint,
    read_safetensors,
    write_safetensors,
)  # noqa: E402
from micronet_lab_torch.model import build_model  # noqa: E402
from micronet_lab_torch.qat import calibrate  # noqa: E402
from micronet_lab_torch.quant import (  # noqa: E402
    fake_quant,
    fake_quant_sigma_max,
    mse_asymmetric,
    mse_bp,
)
from micronet_lab_torch.train import FineTuner  # noqa: E402


def _diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.double() - b.double()).abs().max()) if a.numel() else 0.0


def quant(path: str) -> Dict[str, Any]:
    t, meta = read_safetensors(path)
    out = []
    for i, case in enumerate(json.loads(meta["cases"])):
        x = torch.from_numpy(t[f"x.{i}"])
        per_channel = bool(case["channel"])
        view = x.t().contiguous() if per_channel else x  # channel-last [R, C] → channel first
        view.requires_grad_(True)
        q = fake_quant_sigma_max(view, int(case["bits"]), float(case["lambda"]), per_channel)
        dy = torch.from_numpy(t[f"dy.{i}"])
        q.backward(dy.t() if per_channel else dy)
        got_q = q.detach().t() if per_channel else q.detach()
        got_g = view.grad.t() if per_channel else view.grad
        out.append(
            {
                **case,
                "device": _diff(got_q, torch.from_numpy(t[f"q.{i}"])),
                "cpu": _diff(got_q, torch.from_numpy(t[f"cpu.{i}"])),
                "grad": _diff(got_g, torch.from_numpy(t[f"g.{i}"])),
                "clipped": int((got_g == 0).sum()),
            }
        )
    return {"cases": out}


def mse(path: str) -> Dict[str, Any]:
    t, meta = read_safetensors(path)
    out = []
    for i, case in enumerate(json.loads(meta["cases"])):
        x = torch.from_numpy(t[f"x.{i}"])
        per_channel = bool(case["channel"])
        view = (x.t() if per_channel else x).contiguous().requires_grad_(True)
        bp = mse_bp(view, int(case["bits"]), per_channel)
        q = fake_quant(view, int(case["bits"]), bp)
        dy = torch.from_numpy(t[f"dy.{i}"])
        q.backward(dy.t() if per_channel else dy)
        got_q = q.detach().t() if per_channel else q.detach()
        got_g = view.grad.t() if per_channel else view.grad
        out.append(
            {
                **case,
                "bp": bp.reshape(-1).tolist(),
                "values": _diff(got_q, torch.from_numpy(t[f"q.{i}"])),
                "grad": _diff(got_g, torch.from_numpy(t[f"g.{i}"])),
            }
        )
    return {"cases": out}


def asym(path: str) -> Dict[str, Any]:
    t, meta = read_safetensors(path)
    out = []
    for i, case in enumerate(json.loads(meta["cases"])):
        bp, z = mse_asymmetric(torch.from_numpy(t[f"v.{i}"]), int(case["bits"]))
        out.append({"bp": bp, "zeroPoint": z})
    return {"cases": out}


def calib(d: str) -> Dict[str, Any]:
    graph, state, _ = read_lab_checkpoint(os.path.join(d, "model.safetensors"))
    batches, _ = read_safetensors(os.path.join(d, "batches.safetensors"))
    with open(os.path.join(d, "recipe.json"), encoding="utf-8") as f:
        recipe = json.load(f)
    xs = [torch.from_numpy(batches[f"b.{i}"]) for i in range(len(batches))]
    return {"quant": calibrate(build_model(graph, state), recipe, xs)}


def sgd(d: str) -> Dict[str, Any]:
    with open(os.path.join(d, "case.json"), encoding="utf-8") as f:
        case = json.load(f)
    graph, state, _ = read_lab_checkpoint(os.path.join(d, "model.safetensors"))
    batch, _ = read_safetensors(os.path.join(d, "batch.safetensors"))
    x, y = torch.from_numpy(batch["x"]), torch.from_numpy(batch["y"]).long()
    tuner = FineTuner(graph, state, case["recipe"])
    tuner.prune_step(0)
    tuner.quantizers(None, case.get("activationQuant") or {})
    opt = tuner.optimizer()
    losses = [tuner.step(opt, x, y) for _ in range(int(case["steps"]))]
    _, lab, _ = read_lab_checkpoint(os.path.join(d, "lab.safetensors"))
    mine = tuner.model.state_dict()
    diffs = {k: _diff(mine[k], lab[k]) for k in mine}
    moved = {k: _diff(state[k], lab[k]) for k in mine}
    worst = max(diffs, key=lambda k: diffs[k])
    zeros = all(torch.equal(mine[k] == 0, lab[k] == 0) for k in mine if k.endswith("weight"))
    return {
        "maxAbsDiff": diffs[worst],
        "worst": worst,
        "maxMoved": max(moved.values()),
        "sameZeros": zeros,
        "losses": losses,
    }


def logits(job_dir: str, ckpt: str, out: str) -> Dict[str, Any]:
    golden, _ = read_safetensors(os.path.join(job_dir, "golden.safetensors"))
    graph, state, _ = read_lab_checkpoint(ckpt)
    with torch.no_grad():
        main, extra = build_model(graph, state).eval()(torch.from_numpy(golden["images"]))
    tensors = {"logits": main.numpy(), **{f"extra.{k}": v.numpy() for k, v in extra.items()}}
    write_safetensors(out, tensors)
    return {"out": out, "tensors": sorted(tensors)}


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    commands = {
        "quant": quant,
        "mse": mse,
        "asym": asym,
        "calib": calib,
        "sgd": sgd,
        "logits": logits,
    }
    print(json.dumps(commands[cmd](*args)))
