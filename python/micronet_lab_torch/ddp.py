"""Processes for data-parallel training: DistributedDataParallel over the gloo backend (CPU; use
nccl on GPUs), started either by torchrun (env://: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT)
or by ``--spawn K`` with torch.multiprocessing (a file rendezvous in a temporary folder).

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


def init(rank: int, world: int, init_method: Optional[str]) -> None:
    """Joins the process group (gloo) when more than one process runs."""
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(
            "gloo", init_method=init_method or "env://", rank=rank, world_size=world
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
