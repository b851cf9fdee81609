"""CIFAR-100 binary version (train.bin / test.bin: records of 1 coarse label byte, 1 fine label
byte, 3072 pixel bytes CHW) as the lab reads and normalises it (src/core/data/normalize.ts):
x = f32(u8/255), then f32(f32(x − mean)/std) per channel, float32 throughout — bit-exact with
torchvision's ToTensor + Normalize and with the lab's batches. Batches are NHWC, as the lab's.

Augmentation (off by default, as the lab's recipe runs fine-tune without it): 'standard' =
pad-4 random crop + horizontal flip, drawn per (seed, epoch, image index), so every process of a
distributed run draws the same offsets for the same image whatever its shard.
"""

from __future__ import annotations

import os
from typing import Iterator, Optional, Sequence, Tuple

import numpy as np
import torch

RECORD = 3074
MEAN = (0.5071, 0.4867, 0.4408)
STD = (0.2675, 0.2565, 0.2761)


class CifarSplit:
    """One split in memory: images uint8 [N, 3, 32, 32] and fine labels int64 [N]."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        self.images = images
        self.labels = labels

    def __len__(self) -> int:
        return int(self.labels.shape[0])


def find_bin(path: str, split: str) -> str:
    """`path` itself (a .bin file) or `<path>/<split>.bin` (also under cifar-100-binary/)."""
    if os.path.isfile(path):
        return path
    for d in (path, os.path.join(path, "cifar-100-binary")):
        f = os.path.join(d, f"{split}.bin")
        if os.path.isfile(f):
            return f
    raise FileNotFoundError(f"no {split}.bin in {path}")


def load_split(path: str, split: str = "train", limit: Optional[int] = None) -> CifarSplit:
    """The first `limit` records (all when None) of `split` under `path`."""
    f = find_bin(path, split)
    size = os.path.getsize(f)
    if size % RECORD:
        raise ValueError(f"{f}: {size} bytes is not a whole number of {RECORD}-byte records")
    n = size // RECORD if limit is None else min(limit, size // RECORD)
    raw = np.fromfile(f, dtype=np.uint8, count=n * RECORD).reshape(n, RECORD)
    labels = torch.from_numpy(raw[:, 1].astype(np.int64))
    if int(labels.max()) > 99:
        raise ValueError(f"{f}: fine label out of range")
    images = torch.from_numpy(np.ascontiguousarray(raw[:, 2:]).reshape(n, 3, 32, 32))
    return CifarSplit(images, labels)


def normalize(images: torch.Tensor) -> torch.Tensor:
    """uint8 [N,3,32,32] → float32 NHWC [N,32,32,3], the lab's normalisation."""
    x = images.to(torch.float32) / 255.0
    mean = torch.tensor(MEAN, dtype=torch.float32).reshape(1, 3, 1, 1)
    std = torch.tensor(STD, dtype=torch.float32).reshape(1, 3, 1, 1)
    return ((x - mean) / std).permute(0, 2, 3, 1).contiguous()


def augment_params(n: int, seed: int, epoch: int) -> torch.Tensor:
    """[n, 3] int: (dy, dx) ∈ [0, 8]² and flip ∈ {0, 1} for every image index of an epoch."""
    g = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
    offs = torch.randint(0, 9, (n, 2), generator=g)
    flip = torch.randint(0, 2, (n, 1), generator=g)
    return torch.cat([offs, flip], dim=1)


def augment(images: torch.Tensor, params: torch.Tensor) -> torch.Tensor:
    """Zero-pad 4, crop at (dy, dx), then flip: uint8 [B,3,32,32] (the lab's pad-crop + flip)."""
    padded = torch.nn.functional.pad(images, (4, 4, 4, 4))
    out = torch.empty_like(images)
    for i in range(images.shape[0]):
        dy, dx, flip = (int(v) for v in params[i])
        crop = padded[i, :, dy : dy + 32, dx : dx + 32]
        out[i] = crop.flip(-1) if flip else crop
    return out


def batch(
    split: CifarSplit, idx: Sequence[int], aug: Optional[torch.Tensor] = None
) -> Tuple[torch.Tensor, torch.Tensor]:
    """(x NHWC float32, y int64) for the given record indices."""
    ix = torch.as_tensor(list(idx), dtype=torch.long)
    imgs = split.images[ix]
    if aug is not None:
        imgs = augment(imgs, aug[ix])
    return normalize(imgs), split.labels[ix]


def eval_batches(split: CifarSplit, size: int = 100) -> Iterator[Tuple[torch.Tensor, torch.Tensor]]:
    for s in range(0, len(split), size):
        yield batch(split, range(s, min(len(split), s + size)))
