"""The recipe's fine-tuning as one process of a data-parallel job (the lab's
compress/pipeline/run-recipe.ts up to compression; the lab itself compresses, evaluates and
scores the result):

  for each prune step k of fineTune.pruneSteps:
    masks from the current weights (prune.py), applied;
    with fineTune.qat: quantizers on (weights by recipe.quantMethod; activations calibrated);
    fineTune.epochs epochs (of fineTune.epochImages records each, as the lab windows them) of SGD (momentum, L2 weight decay, constant or cosine lr per step as
    fineTune.lrSchedule; a fresh optimizer per step; pad-crop + flip with fineTune.augment
    'standard' or --augment) on batches of fineTune.batchSize images split over the processes, losses as in
    losses.py (distillation from the uncompressed network, the early-exit head's term), masks
    re-applied after every optimizer step;
  rank 0 writes DIR/result.safetensors (lab checkpoint), DIR/result.json (the summary) and
  DIR/result.recipe.json (the recipe without its sparsity fields: what the lab's final
  compression takes, the zeros being in the result already).

Batches: a DistributedSampler (shuffle, seed + k, set_epoch) shards every epoch's permutation by
rank; process r's i-th batch is its i-th run of B/K indices, so the K local batches of a step are
exactly the global batch one process would take. A trailing partial global batch is dropped.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from . import data as cifar
from . import ddp, prune
from .checkpoint import write_lab_checkpoint
from .job import load_job
from .losses import total_loss
from .ir import Graph
from .model import build_model
from .qat import ActQuant, calibrate, enable_activation_quant, enable_weight_quant
from .recipe import check_supported, fine_tune_of, lr_at


# Already applied as zeros in the result: the lab's final compression must not prune again.
SPARSITY_FIELDS = ("sparsity", "layerSparsity", "sparsityAllocation")


@dataclass
class TrainConfig:
    job_dir: str
    data: str
    epochs: Optional[int] = None
    limit: Optional[int] = None
    seed: int = 0
    max_steps: Optional[int] = None
    augment: bool = False
    out: str = "result.safetensors"
    log_every: int = 10
    device: str = "auto"


def _log(rank: int, obj: Dict[str, Any]) -> None:
    if rank == 0:
        print(json.dumps(obj), file=sys.stderr, flush=True)


def epoch_size(size: int, epoch_images: Optional[int]) -> int:
    return size if epoch_images is None else min(size, epoch_images)


def epoch_window(size: int, epoch_images: Optional[int], epoch: int) -> List[int]:
    """Records of epoch `epoch` (the lab's train/batching.ts windowOrder before its shuffle): all
    of them, or with fineTune.epochImages = n < size the n records (epoch·n + i) mod size, so
    consecutive epochs walk through the whole set."""
    n = epoch_size(size, epoch_images)
    start = (epoch * n) % size
    return [(start + i) % size for i in range(n)]


def _calibration_batches(
    split: cifar.CifarSplit, seed: int, device: torch.device, size: int = 64
) -> Iterable[torch.Tensor]:
    order = torch.randperm(len(split), generator=torch.Generator().manual_seed(seed)).tolist()
    for s in range(0, len(order), size):
        yield cifar.batch(split, order[s : s + size])[0].to(device)


class FineTuner:
    """The model, teacher, masks and losses of a recipe's fine-tuning, one step at a time."""

    def __init__(
        self,
        graph: Graph,
        state: Dict[str, torch.Tensor],
        recipe: Dict[str, Any],
        device: torch.device = torch.device("cpu"),
    ) -> None:
        check_supported(recipe)
        self.graph, self.recipe, self.device = graph, recipe, device
        self.ft = fine_tune_of(recipe)
        self.model = build_model(graph, state).to(device).train()
        self.teacher = (
            build_model(graph, state).to(device).eval() if self.ft.distill is not None else None
        )
        self.extra_weights = {
            k: self.ft.exit_loss_weight for k in graph.extra_outputs if k == "exit"
        }
        self.weights = dict(self.model.named_parameters())
        self.plan = prune.plan(
            graph, recipe, self.weights, self.ft.prune_steps, self.ft.prune_schedule
        )
        self.masks: Dict[str, torch.Tensor] = {}
        self.act_quant: ActQuant = {}
        self.net: torch.nn.Module = self.model

    def prune_step(self, k: int) -> float:
        """Masks of prune step k from the current weights, applied; returns their sparsity."""
        self.masks = prune.step_masks(self.graph, self.plan, k, self.weights)
        prune.apply_masks(self.weights, self.masks)
        return prune.sparsity_of(self.masks)

    def quantizers(
        self, calibration: Optional[Iterable[torch.Tensor]], act: Optional[ActQuant] = None
    ) -> None:
        """fineTune.qat: weight quantizers on, activation quantizers calibrated (or given)."""
        self.model.frozen_bn = self.ft.freeze_bn
        if not self.ft.qat:
            return
        enable_weight_quant(self.model, self.recipe, self.ft.freeze_bn)
        self.model.input_hook = None
        self.act_quant = (
            act if act is not None else calibrate(self.model, self.recipe, calibration or [])
        )
        enable_activation_quant(self.model, self.act_quant)

    def optimizer(self) -> torch.optim.Optimizer:
        ft = self.ft
        return torch.optim.SGD(
            self.model.parameters(), lr=ft.lr, momentum=ft.momentum, weight_decay=ft.weight_decay
        )

    def step(self, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor) -> float:
        """One SGD step on (x NHWC, y); masks re-applied after it; returns the main loss."""
        x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
        teacher = None
        if self.teacher is not None:
            with torch.no_grad():
                teacher = self.teacher(x)
        out, extra = self.net(x)
        total, main = total_loss(out, extra, teacher, y, self.ft.distill, self.extra_weights)
        opt.zero_grad(set_to_none=True)
        total.backward()
        opt.step()
        prune.apply_masks(self.weights, self.masks)
        return float(main.detach())


class Worker:
    def __init__(self, rank: int, world: int, cfg: TrainConfig) -> None:
        self.rank, self.world, self.cfg = rank, world, cfg
        job = load_job(cfg.job_dir)
        self.device = ddp.device_for(rank, cfg.device)
        self.tuner = t = FineTuner(job.graph, job.state, job.recipe, self.device)
        if t.ft.batch_size % world:
            raise ValueError(
                f"fineTune.batchSize {t.ft.batch_size} does not split over {world} processes"
            )
        self.local = t.ft.batch_size // world
        t.model.generator = torch.Generator().manual_seed(cfg.seed * 7919 + rank)
        self.split = cifar.load_split(cfg.data, "train", cfg.limit)
        self.epochs = t.ft.epochs if cfg.epochs is None else cfg.epochs
        self.steps = 0
        self.train_seconds = 0.0
        self.losses: List[float] = []
        if world > 1:
            t.model.bn_reduce = ddp.bn_reducer(dist.new_group(list(range(world))))
            unused = any(w == 0 for w in t.extra_weights.values())
            t.net = DistributedDataParallel(
                t.model,
                device_ids=[self.device.index] if self.device.type == "cuda" else None,
                broadcast_buffers=False,
                find_unused_parameters=unused,
            )

    def run(self) -> Dict[str, Any]:
        started = time.perf_counter()
        t = self.tuner
        for k in range(t.plan.steps):
            sparsity = t.prune_step(k)
            _log(
                self.rank,
                {"stage": "prune", "step": k + 1, "steps": t.plan.steps, "sparsity": sparsity},
            )
            t.quantizers(_calibration_batches(self.split, self.cfg.seed + k, self.device))
            if not self._fine_tune(k):
                break
        return self._summary(time.perf_counter() - started)

    def _fine_tune(self, k: int) -> bool:
        t, batch_size = self.tuner, self.tuner.ft.batch_size
        opt = t.optimizer()
        sampler = DistributedSampler(
            range(epoch_size(len(self.split), t.ft.epoch_images)),
            num_replicas=self.world,
            rank=self.rank,
            shuffle=True,
            seed=self.cfg.seed + k,
        )
        for epoch in range(self.epochs):
            sampler.set_epoch(epoch)
            window = epoch_window(len(self.split), t.ft.epoch_images, epoch)
            order = [window[j] for j in sampler]
            aug = (
                cifar.augment_params(len(self.split), self.cfg.seed + k, epoch)
                if self.cfg.augment or t.ft.augment
                else None
            )
            per_epoch = len(window) // batch_size
            for b in range(per_epoch):
                if self.cfg.max_steps is not None and self.steps >= self.cfg.max_steps:
                    return False
                began = time.perf_counter()
                for g in opt.param_groups:
                    g["lr"] = lr_at(t.ft, epoch * per_epoch + b, self.epochs * per_epoch)
                x, y = cifar.batch(self.split, order[b * self.local : (b + 1) * self.local], aug)
                self.losses.append(t.step(opt, x, y))
                self.train_seconds += time.perf_counter() - began
                self.steps += 1
                if self.steps % self.cfg.log_every == 0:
                    _log(
                        self.rank,
                        {
                            "stage": "fine-tune",
                            "step": k + 1,
                            "epoch": epoch,
                            "batches": self.steps,
                            "loss": self.losses[-1],
                        },
                    )
        return True

    def _summary(self, seconds: float) -> Dict[str, Any]:
        t = self.tuner
        out = os.path.join(self.cfg.job_dir, self.cfg.out)
        n = self.steps * t.ft.batch_size
        busy = self.train_seconds
        summary = {
            "out": out,
            "steps": self.steps,
            "processes": self.world,
            "batchSize": t.ft.batch_size,
            "images": n,
            "seconds": seconds,
            "trainSeconds": busy,
            "stepsPerSecond": self.steps / busy if busy > 0 else None,
            "imagesPerSecond": n / busy if busy > 0 else None,
            "lastLoss": self.losses[-1] if self.losses else None,
            "sparsity": prune.sparsity_of(t.masks),
            "torch": torch.__version__,
            "device": str(self.device),
        }
        if self.rank == 0:
            info = {
                "trainedBy": "micronet_lab_torch",
                "recipe": t.recipe,
                "activationQuant": t.act_quant,
                **summary,
            }
            summary["bytes"] = write_lab_checkpoint(out, t.graph, t.model.state_dict(), info)
            compress = {k: v for k, v in t.recipe.items() if k not in SPARSITY_FIELDS}
            with open(
                os.path.join(self.cfg.job_dir, "result.recipe.json"), "w", encoding="utf-8"
            ) as f:
                json.dump(compress, f, indent=2)
            with open(os.path.join(self.cfg.job_dir, "result.json"), "w", encoding="utf-8") as f:
                json.dump(summary, f, indent=2)
        return summary


def worker_main(
    rank: int, world: int, init_method: Optional[str], cfg: TrainConfig
) -> Dict[str, Any]:
    ddp.init(rank, world, init_method, ddp.device_for(rank, cfg.device))
    try:
        torch.manual_seed(cfg.seed)
        return Worker(rank, world, cfg).run()
    finally:
        ddp.shutdown()
