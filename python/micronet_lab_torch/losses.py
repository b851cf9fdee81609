"""The lab's training losses (train/loss.ts, train/distillation.ts, train/train-step.ts).

  head loss = CE(labels, s), or with distillation
              (1 − w)·CE(labels, s) + w·T²·mean_n KL(softmax(t/T) ‖ softmax(s/T))
  total     = head loss of the main output + Σ_key weight_key · head loss of extra output key
The teacher's logits are constants (computed without gradient, in eval mode).
"""

from __future__ import annotations

from typing import Dict, Optional

import torch
import torch.nn.functional as F


def distillation_loss(
    student: torch.Tensor,
    teacher: torch.Tensor,
    labels: torch.Tensor,
    temperature: float,
    weight: float,
) -> torch.Tensor:
    parts = []
    if weight < 1:
        parts.append(F.cross_entropy(student, labels) * (1 - weight))
    if weight > 0:
        log_q = F.log_softmax(student / temperature, dim=1)
        log_p = F.log_softmax(teacher.detach() / temperature, dim=1)
        kl = (log_p.exp() * (log_p - log_q)).sum(dim=1)
        parts.append(kl.mean() * (weight * temperature * temperature))
    return parts[0] if len(parts) == 1 else parts[0] + parts[1]


def head_loss(
    logits: torch.Tensor,
    teacher: Optional[torch.Tensor],
    labels: torch.Tensor,
    distill: Optional[Dict[str, float]],
) -> torch.Tensor:
    if distill is None or teacher is None:
        return F.cross_entropy(logits, labels)
    return distillation_loss(
        logits, teacher, labels, float(distill["temperature"]), float(distill["weight"])
    )


def total_loss(
    out: torch.Tensor,
    extra: Dict[str, torch.Tensor],
    teacher: Optional[tuple],
    labels: torch.Tensor,
    distill: Optional[Dict[str, float]],
    extra_weights: Dict[str, float],
) -> tuple:
    """(total, main) for one batch."""
    t_main, t_extra = teacher if teacher is not None else (None, {})
    main = head_loss(out, t_main, labels, distill)
    total = main
    for key, w in extra_weights.items():
        if key not in extra:
            raise KeyError(f"extra output '{key}' missing from the forward")
        if w > 0:
            total = total + w * head_loss(extra[key], t_extra.get(key), labels, distill)
    return total, main
