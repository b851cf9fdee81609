"""Quantizers, masks and schedules as the lab defines them (quant.py, prune.py)."""

from __future__ import annotations

import math
import unittest

import torch

from micronet_lab_torch import prune
from micronet_lab_torch.recipe import RecipeError, check_supported, fine_tune_of, lr_at
from micronet_lab_torch.quant import ceil_log2, fake_quant, fake_quant_sigma_max, sigma_max_bp
from micronet_lab_torch.model import build_model
from micronet_lab_torch.train import epoch_window

from .helpers import random_state, small_graph


class QuantTest(unittest.TestCase):
    def test_ceil_log2_is_exact_at_powers_of_two(self) -> None:
        f = torch.tensor(
            [1.0, 2.0, 3.0, 0.5, 0.75, 2.0**-30, 2.0**-30 * 1.0000001], dtype=torch.float64
        )
        self.assertEqual(ceil_log2(f).tolist(), [0, 1, 2, -1, 0, -30, -29])

    def test_sigma_max_bp_per_tensor(self) -> None:
        x = torch.tensor([0.5, -0.25, 0.125, 0.0])
        mean, std = float(x.double().mean()), float(x.double().std())
        f = abs(mean) + 10 * std
        m = int(torch.ceil(torch.log2(torch.tensor(f))))
        self.assertEqual(int(sigma_max_bp(x, 8, 10.0, False)), 7 - m)

    def test_per_channel_is_per_tensor_on_each_output_channel(self) -> None:
        w = torch.randn(4, 3, 3, 3) * torch.tensor([0.01, 0.1, 1.0, 10.0]).reshape(4, 1, 1, 1)
        q = fake_quant_sigma_max(w, 6, 10.0, True)
        for c in range(4):
            self.assertTrue(torch.equal(q[c], fake_quant_sigma_max(w[c], 6, 10.0, False)))

    def test_round_half_to_even_and_clipped_ste(self) -> None:
        x = torch.tensor([0.5, 1.5, 2.5, -0.5, 200.0, -200.0, 127.0, -128.0], requires_grad=True)
        y = fake_quant(x, 8, torch.tensor(0.0))
        self.assertEqual(y.tolist(), [0.0, 2.0, 2.0, -0.0, 127.0, -128.0, 127.0, -128.0])
        y.sum().backward()
        self.assertEqual(x.grad.tolist(), [1, 1, 1, 1, 0, 0, 1, 1])


class PruneTest(unittest.TestCase):
    def test_schedules(self) -> None:
        self.assertEqual(prune.prune_targets(0.51, 2, "seed")[1], 0.51)
        self.assertAlmostEqual(prune.prune_targets(0.51, 2, "seed")[0], 0.3, places=12)
        agp = prune.prune_targets(0.8, 4, "agp")
        self.assertAlmostEqual(agp[0], 0.8 * (1 - 0.75**3))
        self.assertEqual(agp[-1], 0.8)

    def test_global_masks_keep_zeros_and_remove_the_smallest(self) -> None:
        graph = small_graph()
        w = {k: v for k, v in random_state(graph).items() if k.endswith("weight")}
        w["conv1.weight"].view(-1)[:10] = 0
        p = prune.plan(graph, {"sparsity": 0.5}, w, 1, "seed")
        masks = prune.step_masks(graph, p, 0, w)
        pool = torch.cat([w[f"{n}.weight"].reshape(-1) for n in ("conv1", "conv2", "fc")])
        nonzero = int((pool != 0).sum())
        kept = sum(int(m.sum()) for m in masks.values())
        self.assertEqual(kept, nonzero - prune.js_round(0.5 * nonzero))
        self.assertEqual(float(masks["conv1"].view(-1)[:10].sum()), 0.0)
        smallest_kept = min(float(w[f"{n}.weight"][m.bool()].abs().min()) for n, m in masks.items())
        largest_cut = max(float(w[f"{n}.weight"][~m.bool()].abs().max()) for n, m in masks.items())
        self.assertLessEqual(largest_cut, smallest_kept)

    def test_layer_targets_and_uniform_allocation(self) -> None:
        graph = small_graph()
        w = {k: v for k, v in random_state(graph).items() if k.endswith("weight")}
        p = prune.plan(graph, {"sparsity": 0.5, "sparsityAllocation": "uniform"}, w, 1, "seed")
        masks = prune.step_masks(graph, p, 0, w)
        for name, m in masks.items():
            self.assertEqual(int(m.numel() - m.sum()), prune.js_round(0.5 * m.numel()), name)


class FineTuneFieldsTest(unittest.TestCase):
    def test_cosine_lr_as_the_lab_schedule(self) -> None:
        ft = fine_tune_of(
            {"fineTune": {"learningRate": 0.01, "lrSchedule": "cosine", "minLearningRate": 0.001}}
        )
        # train/schedule.ts: min + (lr − min)·½(1 + cos(π·step/total)) with no warm-up
        self.assertAlmostEqual(lr_at(ft, 0, 8), 0.01, places=15)
        self.assertAlmostEqual(lr_at(ft, 4, 8), 0.0055, places=15)
        self.assertAlmostEqual(
            lr_at(ft, 7, 8), 0.001 + 0.009 * 0.5 * (1 + math.cos(7 * math.pi / 8))
        )
        self.assertEqual(lr_at(fine_tune_of({"fineTune": {"learningRate": 0.2}}), 5, 8), 0.2)

    def test_epoch_windows_as_the_lab_walks_the_training_set(self) -> None:
        # train/batching.ts windowOrder: records (epoch·n + i) mod size, i < n (then shuffled)
        self.assertEqual(epoch_window(10, 4, 0), [0, 1, 2, 3])
        self.assertEqual(epoch_window(10, 4, 1), [4, 5, 6, 7])
        self.assertEqual(epoch_window(10, 4, 2), [8, 9, 0, 1])
        self.assertEqual(epoch_window(5, None, 3), [0, 1, 2, 3, 4])
        self.assertEqual(epoch_window(5, 9, 1), [0, 1, 2, 3, 4])  # more than there are: all
        self.assertEqual(fine_tune_of({"fineTune": {"epochImages": 4}}).epoch_images, 4)
        with self.assertRaisesRegex(RecipeError, "epochImages must be an integer ≥ 2, got 0"):
            fine_tune_of({"fineTune": {"epochImages": 0}})

    def test_moved_modules_read_their_moved_tensors(self) -> None:
        # .to(device) replaces buffers: the forward must read the moved ones (CUDA path)
        graph = small_graph()
        m = build_model(graph, random_state(graph, seed=1)).double()
        for name, t in [*m.named_parameters(), *m.named_buffers()]:
            self.assertIs(m.tensor(name), t, name)
            self.assertEqual(m.tensor(name).dtype, torch.float64, name)

    def test_augment_standard_is_honoured_and_seed_refused(self) -> None:
        self.assertTrue(fine_tune_of({"fineTune": {"augment": "standard"}}).augment)
        self.assertFalse(fine_tune_of({"fineTune": {"augment": "none"}}).augment)
        with self.assertRaisesRegex(RecipeError, "augment 'seed'"):
            check_supported({"fineTune": {"augment": "seed"}})


if __name__ == "__main__":
    unittest.main()
