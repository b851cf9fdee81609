// Micro-batched Hessian (issue 13, item 4): a batch run as micro-batches gives the whole batch's
// loss, gradient and exact Hessian-vector product (sizes weighted n_p / N), on the OSI-like
// block network (BN in eval mode: records do not interact); the automatic split follows a
// lowered memory budget; nothing leaks. Tolerance: float32 rounding, 1e-5 of the largest entry.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { passBytesPerImage } from '../../train/pass-memory';
import { exactHvp, lossGradient, lossValue, modelLayout } from './hvp';
import { mainOutputGraph, networkLossModel } from './network-loss';
import { hessianSpectrum } from './spectrum';
import { osiLikeGraph, randomBatches, randomNetwork } from './networks.test-helpers';
import { gaussian } from './vectors';
import { makeRng } from '../../util/rng';

const TOL = 1e-5;

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe('micro-batched Hessian-vector products', () => {
  it('equal the whole-batch loss, gradient and Hv (batches 7 and 5 in parts of ≤ 3)', async () => {
    const before = tf.memory().numTensors;
    const net = randomNetwork(osiLikeGraph(), 3);
    const batches = randomBatches([7, 5], 4);
    const whole = networkLossModel(net, batches);
    const split = networkLossModel(net, batches, { microBatch: 3 });
    try {
      expect(whole.terms).toHaveLength(2);
      expect(split.terms.map((t) => Math.round(t.weight * 12))).toEqual([3, 2, 2, 3, 2]);
      expect([whole.microBatch, split.microBatch]).toEqual([7, 3]);
      expect(split.count).toBe(12);
      expect(await lossValue(split)).toBeCloseTo(await lossValue(whole), 6);
      expect(maxRelDiff(await lossGradient(split), await lossGradient(whole))).toBeLessThan(TOL);
      const v = gaussian(modelLayout(whole).n, makeRng(5));
      const hvWhole = await exactHvp(whole, v);
      const hvSplit = await exactHvp(split, v);
      const rel = maxRelDiff(hvSplit, hvWhole);
      console.log(`[micro-batch hvp] max |ΔHv| / max |Hv| = ${rel.toExponential(2)}`);
      expect(rel).toBeLessThan(TOL);
    } finally {
      whole.dispose();
      split.dispose();
      net.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('hessianSpectrum splits by a lowered memory budget and keeps its result', async () => {
    const before = tf.memory().numTensors;
    const net = randomNetwork(osiLikeGraph(), 6);
    const batches = randomBatches([8], 7);
    const perRecord = passBytesPerImage(mainOutputGraph(net.graph), 'hvp');
    const o = { net, batches, topK: 2, lanczosSteps: 10, probes: 1, densitySteps: 4, seed: 1 };
    try {
      const whole = await hessianSpectrum(o);
      const split = await hessianSpectrum({ ...o, memoryBudget: 2.5 * perRecord });
      expect(whole.microBatch).toBe(8);
      expect(split.microBatch).toBe(2);
      for (let i = 0; i < 2; i++)
        expect(Math.abs(split.top[i]! - whole.top[i]!)).toBeLessThan(1e-4 * whole.top[0]!);
      expect(Math.abs(split.trace - whole.trace)).toBeLessThan(1e-4 * Math.abs(whole.trace));
    } finally {
      net.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
