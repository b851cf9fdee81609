"""Processes for data-parallel training: DistributedDataParallel over nccl on GPUs (one GPU per
process: cuda:LOCAL_RANK) or gloo on CPUs, started either by torchrun (env://: RANK, WORLD_SIZE,
LOCAL_RANK, MASTER_ADDR, MASTER_PORT) or by ``--spawn K`` with torch.multiprocessing (a file
rendezvous in a temporary folder). ``--device auto`` (the default) takes the GPUs when CUDA is
available, else the CPU.

Batch norm in training normalises with the statistics of the GLOBAL batch (sync BN: per-channel
sums all-reduced in a group of their own, differentiably), so K processes with B/K images each
compute what one process computes with B images, up to float summation order.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Callable, Optional

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


class _AllReduceSum(torch.autograd.Function):
    """Sum over processes; its gradient is the sum of the processes' gradients."""

    @staticmethod
    def forward(ctx, x, group):  # type: ignore[override]
        ctx.group = group
        y = x.clone()
        dist.all_reduce(y, group=group)
        return y

    @staticmethod
    def backward(ctx, dy):  # type: ignore[override]
        g = dy.contiguous().clone()
        dist.all_reduce(g, group=ctx.group)
        return g, None


def bn_reducer(group: Any) -> Callable[[torch.Tensor], torch.Tensor]:
    return lambda t: _AllReduceSum.apply(t, group)


def launched_by_torchrun() -> bool:
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


DEVICES = ("auto", "cpu", "cuda")


def device_for(rank: int, requested: str = "auto") -> torch.device:
    """The device process `rank` trains on: cuda:LOCAL_RANK (torchrun) or cuda:rank (--spawn)
    when CUDA is asked for or available (auto), else the CPU. One GPU per process: NCCL refuses
    two processes on one GPU, so a process without a GPU of its own is an error."""
    if requested not in DEVICES:
        raise ValueError(f"--device must be one of {', '.join(DEVICES)}, got {requested!r}")
    if requested == "cpu" or (requested == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise ValueError("--device cuda: this PyTorch sees no CUDA device")
    local = int(os.environ.get("LOCAL_RANK", rank))
    count = torch.cuda.device_count()
    if local >= count:
        raise ValueError(
            f"process {rank} (local rank {local}) has no GPU of its own: {count} visible —"
            f" start at most {count} processes per machine"
        )
    return torch.device("cuda", local)


def backend_for(device: torch.device) -> str:
    return "nccl" if device.type == "cuda" else "gloo"


def init(rank: int, world: int, init_method: Optional[str], device: torch.device) -> None:
    """Joins the process group (nccl on GPUs, gloo on CPUs) when more than one process runs."""
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(
            backend_for(device), init_method=init_method or "env://", rank=rank, world_size=world
        )


def shutdown() -> None:
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def threads_per_process(world: int, threads: int) -> int:
    """Each of `world` processes gets its share of the parent's intra-op threads (at least 1):
    oversubscribed OpenMP threads spin against each other on a busy machine."""
    return max(1, threads // max(1, world))


def _entry(
    rank: int, world: int, threads: int, init_method: str, fn: Callable[..., Any], args: tuple
) -> None:
    torch.set_num_threads(threads)
    fn(rank, world, init_method, *args)


def spawn(world: int, fn: Callable[..., Any], *args: Any) -> None:
    """Runs fn(rank, world, init_method, *args) in `world` processes (rank 0 included) and waits."""
    with tempfile.TemporaryDirectory(prefix="mnl-torch-") as tmp:
        init_method = f"file://{os.path.join(tmp, 'rendezvous')}"
        threads = threads_per_process(world, torch.get_num_threads())
        mp.spawn(_entry, args=(world, threads, init_method, fn, args), nprocs=world, join=True)
