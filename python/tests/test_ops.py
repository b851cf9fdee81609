"""The interpreter's op semantics, where they differ from PyTorch's defaults (ops.py)."""

from __future__ import annotations

import os
import tempfile
import unittest

import torch

from micronet_lab_torch import ops
from micronet_lab_torch.checkpoint import read_lab_checkpoint, write_lab_checkpoint
from micronet_lab_torch.ir import same_padding
from micronet_lab_torch.model import build_model

from .helpers import random_state, small_graph


class OpsTest(unittest.TestCase):
    def test_same_padding_puts_the_extra_pixel_bottom_right(self) -> None:
        self.assertEqual(same_padding(32, 3, 2), (0, 1))
        self.assertEqual(same_padding(31, 3, 2), (1, 1))
        self.assertEqual(same_padding(8, 1, 1), (0, 0))
        x = torch.randn(1, 1, 4, 4)
        w = torch.ones(1, 1, 3, 3)
        y = ops.conv2d(x, w, None, 2, "same")
        self.assertEqual(tuple(y.shape), (1, 1, 2, 2))
        self.assertAlmostEqual(float(y[0, 0, 0, 0]), float(x[0, 0, 0:3, 0:3].sum()), places=5)
        self.assertAlmostEqual(float(y[0, 0, 1, 1]), float(x[0, 0, 2:4, 2:4].sum()), places=5)

    def test_avgpool_ceil_averages_in_bounds_pixels_only(self) -> None:
        x = torch.arange(25.0).reshape(1, 1, 5, 5)
        y = ops.avgpool(x, 2, 2, True)
        self.assertEqual(tuple(y.shape), (1, 1, 3, 3))
        self.assertAlmostEqual(float(y[0, 0, 2, 2]), 24.0)
        self.assertAlmostEqual(float(y[0, 0, 0, 2]), (4 + 9) / 2)

    def test_upsample_uses_the_floor_index_rule(self) -> None:
        x = torch.arange(32.0).reshape(1, 1, 1, 32).expand(1, 1, 32, 32)
        y = ops.upsample_nearest(x, 63, 63)
        cols = [int(v) for v in y[0, 0, 0]]
        self.assertEqual(cols[:6], [0, 0, 1, 1, 2, 2])
        self.assertEqual(cols[-1], 31)
        self.assertEqual(cols, [(j * 32) // 63 for j in range(63)])

    def test_flatten_is_in_nhwc_order(self) -> None:
        x = torch.arange(12.0).reshape(1, 3, 2, 2)  # NCHW
        self.assertEqual(ops.flatten_nhwc(x)[0, :3].tolist(), [0.0, 4.0, 8.0])

    def test_pad_channels_front_and_back(self) -> None:
        y = ops.pad_channels(torch.ones(2, 3, 4, 4), 7, 2)
        self.assertEqual([float(y[0, c].sum()) for c in range(7)], [0, 0, 16, 16, 16, 0, 0])

    def test_shakedrop_uses_forward_and_backward_gates(self) -> None:
        x = torch.ones(64, 2, requires_grad=True)
        g = torch.Generator().manual_seed(1)
        y = ops.shakedrop_train(x, 0.5, g)
        y.sum().backward()
        dropped = y[:, 0] != 1
        self.assertTrue(bool(dropped.any()))
        self.assertTrue(bool((y[dropped, 0].abs() <= 1).all()))
        self.assertTrue(
            bool((x.grad[dropped, 0] >= 0).all()) and bool((x.grad[dropped, 0] <= 1).all())
        )
        self.assertTrue(bool((x.grad[~dropped, 0] == 1).all()))

    def test_train_bn_matches_torch_and_updates_running_stats(self) -> None:
        x = torch.randn(8, 5, 4, 4) * 3 + 1
        g, b = torch.rand(5), torch.randn(5)
        rm, rv, rm2, rv2 = torch.zeros(5), torch.ones(5), torch.zeros(5), torch.ones(5)
        y = ops.batchnorm_train(x, g, b, (rm, rv), 1e-3, 0.1)
        want = torch.nn.functional.batch_norm(x, rm2, rv2, g, b, True, 0.1, 1e-3)
        self.assertLess(float((y - want).abs().max()), 1e-5)
        self.assertLess(float((rv - rv2).abs().max()), 1e-6)

    def test_lab_checkpoint_round_trip(self) -> None:
        graph = small_graph()
        state = random_state(graph)
        with tempfile.TemporaryDirectory() as d:
            f = os.path.join(d, "m.safetensors")
            write_lab_checkpoint(f, graph, state, {"note": "x"})
            g2, s2, info = read_lab_checkpoint(f)
        self.assertEqual(g2.to_json(), graph.to_json())
        self.assertEqual(info, {"note": "x"})
        for k, v in state.items():
            self.assertTrue(torch.equal(s2[k], v), k)
        m = build_model(g2, s2).eval()
        out, extra = m(torch.randn(2, 32, 32, 3))
        self.assertEqual(tuple(out.shape), (2, 100))
        self.assertEqual(extra, {})


if __name__ == "__main__":
    unittest.main()
