"""PyTorch's side of `npm run bench -- --only train-speed` (bench/train-speed.ts, issue 13).

The same measurements as the lab's, on the same network and images, in the same bench run:
evaluation of test images 100..1,099 (batch 100, after a warm-up batch), training at batch 32 on
augmented training images (SGD with momentum, the first step untimed), and the gradient plus one
exact Hessian-vector product on the first 64 test images in passes of 16, BN in eval mode, timed
two ways: one double-backprop pass per batch (torch.autograd.grad with create_graph=True, then the
gradient of g·v — the gradient comes with the HVP) and, as the lab's bench does, a separate
gradient pass first. The network is the lab's job folder (`micronet-lab export-torch`) run by the
lab's PyTorch runner (python/micronet_lab_torch: a graph interpreter, not OSI-AI's own code).

usage: python3 bench/torch-speed.py JOB_DIR CIFAR_DIR THREADS  → one JSON line on stdout
"""

import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from micronet_lab_torch.data import augment_params, batch, load_split  # noqa: E402
from micronet_lab_torch.job import load_job  # noqa: E402
from micronet_lab_torch.model import build_model  # noqa: E402


def logits_of(out):
    return out[0] if isinstance(out, tuple) else out


def main(job_dir: str, data: str, threads: int) -> None:
    torch.set_num_threads(threads)
    job = load_job(job_dir)
    m = build_model(job.graph, job.state)
    test = load_split(data, "test", 1100)
    m.eval()
    with torch.no_grad():
        m(batch(test, range(100))[0])
        t0 = time.perf_counter()
        for s in range(100, 1100, 100):
            m(batch(test, range(s, s + 100))[0])
        eval_s = time.perf_counter() - t0
    params = [p for p in m.parameters() if p.requires_grad]
    gen = torch.Generator().manual_seed(0)
    v = [torch.randn(p.shape, generator=gen) for p in params]

    def grad_hvp(separate: bool) -> float:
        t0 = time.perf_counter()
        for s in range(0, 64, 16):
            x, y = batch(test, range(s, s + 16))
            if separate:
                torch.autograd.grad(F.cross_entropy(logits_of(m(x)), y), params, allow_unused=True)
            loss = F.cross_entropy(logits_of(m(x)), y)
            g = torch.autograd.grad(loss, params, create_graph=True, allow_unused=True)
            dot = sum((gi * vi).sum() for gi, vi in zip(g, v) if gi is not None)
            torch.autograd.grad(dot, params, allow_unused=True)
        return time.perf_counter() - t0

    grad_hvp(False)  # warm-up
    one_pass = grad_hvp(False)
    separate = grad_hvp(True)
    m.train()
    train = load_split(data, "train", 32 * 5)
    aug = augment_params(len(train), 0, 0)
    opt = torch.optim.SGD(params, lr=1e-4, momentum=0.9)
    t0 = 0.0
    for i in range(5):
        if i == 1:
            t0 = time.perf_counter()
        x, y = batch(train, range(i * 32, i * 32 + 32), aug)
        opt.zero_grad()
        F.cross_entropy(logits_of(m(x)), y).backward()
        opt.step()
    train_ips = 4 * 32 / (time.perf_counter() - t0)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": threads,
                "eval1000Seconds": eval_s,
                "trainImagesPerSecond": train_ips,
                "hvp64OnePassSeconds": one_pass,
                "gradHvp64Seconds": separate,
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__ or "")
        sys.exit(2)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
