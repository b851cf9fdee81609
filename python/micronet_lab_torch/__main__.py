"""``python -m micronet_lab_torch <command>``; prints one JSON object on stdout.

  check DIR [--tolerance T]
      the job's network on its golden images against the lab's logits; exit 1 (and "ok": false)
      when any logit differs by more than T (default the job's, 1e-4).
  train DIR --data <cifar dir|train.bin> [--epochs N] [--spawn K] [--limit N] [--seed S]
        [--max-steps N] [--augment] [--out result.safetensors] [--device auto|cpu|cuda]
      fine-tunes under the job's recipe and writes DIR/<out> (a lab checkpoint) and
      DIR/result.json. --spawn K runs K processes (DDP over gloo) via torch.multiprocessing;
      under torchrun (RANK / WORLD_SIZE set) each process joins the group from the environment.
      --device auto (default): one GPU per process and nccl when CUDA is available, else CPU
      and gloo.
Errors: {"error": "..."} on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import List, Optional

from . import ddp
from .job import check
from .train import TrainConfig, worker_main


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m micronet_lab_torch")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="compare with the lab's golden logits")
    c.add_argument("dir")
    c.add_argument("--tolerance", type=float, default=0.0)
    t = sub.add_parser("train", help="fine-tune under the job's recipe (DDP)")
    t.add_argument("dir")
    t.add_argument("--data", required=True)
    t.add_argument("--epochs", type=int)
    t.add_argument("--spawn", type=int, default=1)
    t.add_argument("--limit", type=int)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--max-steps", type=int)
    t.add_argument("--augment", action="store_true")
    t.add_argument("--out", default="result.safetensors")
    t.add_argument("--log-every", type=int, default=10)
    t.add_argument("--device", default="auto", choices=list(ddp.DEVICES))
    return p


def _train(a: argparse.Namespace) -> dict:
    cfg = TrainConfig(
        job_dir=a.dir,
        data=a.data,
        epochs=a.epochs,
        limit=a.limit,
        seed=a.seed,
        max_steps=a.max_steps,
        augment=a.augment,
        out=a.out,
        log_every=a.log_every,
        device=a.device,
    )
    if ddp.launched_by_torchrun():
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        summary = worker_main(rank, world, None, cfg)
        if rank != 0:
            sys.exit(0)
        return summary
    if a.spawn < 1:
        raise ValueError(f"--spawn must be ≥ 1, got {a.spawn}")
    if a.spawn == 1:
        return worker_main(0, 1, None, cfg)
    ddp.spawn(a.spawn, worker_main, cfg)
    with open(os.path.join(a.dir, "result.json"), encoding="utf-8") as f:
        return json.load(f)


def main(argv: Optional[List[str]] = None) -> int:
    a = _parser().parse_args(argv)
    try:
        if a.command == "check":
            r = check(a.dir, a.tolerance)
            print(json.dumps(r))
            return 0 if r["ok"] else 1
        print(json.dumps(_train(a)))
        return 0
    except Exception as e:  # one JSON error line, as the lab's CLI
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
