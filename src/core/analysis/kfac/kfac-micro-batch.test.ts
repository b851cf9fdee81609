// Micro-batched K-FAC (issue 13, item 4): batches of 10 run as micro-batches of ≤ 3 (4 + 3 + 3)
// give the whole-batch factors A and G (per-micro-batch means weighted by size), the same
// sampled labels (true Fisher), the same EKFAC sums, eigenvalues and saliencies, on the OSI-like
// block network (3×3 stem, 1×1 convs, SE convs with bias, dense head); a lowered memory budget
// splits automatically; nothing leaks. Tolerance: 1e-5 of each array's largest entry.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { passBytesPerImage } from '../../train/pass-memory';
import { syntheticSource } from '../../train/synthetic-source';
import { CLASSES, osiLikeGraph, randomNetwork } from '../hessian/networks.test-helpers';
import { kfacAnalysis } from './kfac-analysis';
import type { KfacLayer, KfacOptions } from './kfac-types';

const TOL = 1e-5;

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Largest relative difference over every compared array of every layer. */
function worst(split: KfacLayer[], whole: KfacLayer[]): number {
  expect(split.map((l) => l.name)).toEqual(whole.map((l) => l.name));
  let w = 0;
  split.forEach((l, i) => {
    const o = whole[i]!;
    const pairs: [ArrayLike<number>, ArrayLike<number>][] = [
      [l.factors!.A, o.factors!.A],
      [l.factors!.G, o.factors!.G],
      [l.factors!.ekfac, o.factors!.ekfac],
      [l.eigA, o.eigA],
      [l.eigG, o.eigG],
      [l.rowSaliency, o.rowSaliency],
      [l.colSaliency, o.colSaliency],
    ];
    for (const [a, b] of pairs) w = Math.max(w, maxRelDiff(a, b));
  });
  return w;
}

describe('micro-batched K-FAC', () => {
  const source = syntheticSource({ size: 24, numClasses: CLASSES, imageShape: [8, 8, 3], seed: 4 });

  it('factors, labels, EKFAC and saliencies equal the whole batch (parts of ≤ 3 of 10)', async () => {
    const net = randomNetwork(osiLikeGraph(), 2);
    const tensors = tf.memory().numTensors;
    const base: KfacOptions = {
      net,
      source,
      batches: 2,
      batchSize: 10,
      seed: 5,
      keepFactors: true,
    };
    try {
      const whole = await kfacAnalysis(base);
      const split = await kfacAnalysis({ ...base, microBatch: 3 });
      expect([whole.microBatch, split.microBatch]).toEqual([10, 3]);
      expect(split.samples).toBe(20);
      const rel = worst(split.layers, whole.layers);
      console.log(
        `[micro-batch kfac] ${whole.layers.length} layers: max relative Δ ${rel.toExponential(2)}`,
      );
      expect(whole.layers.length).toBeGreaterThanOrEqual(5);
      expect(rel).toBeLessThan(TOL);
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      net.dispose();
    }
  });

  it('a lowered memory budget splits each batch automatically (empirical Fisher)', async () => {
    const net = randomNetwork(osiLikeGraph(), 3);
    const tensors = tf.memory().numTensors;
    const perImage = passBytesPerImage(net.graph, 'fisher');
    const base: KfacOptions = {
      net,
      source,
      batches: 1,
      batchSize: 8,
      seed: 1,
      fisher: 'empirical',
      keepFactors: true,
    };
    try {
      const whole = await kfacAnalysis(base);
      const split = await kfacAnalysis({ ...base, memoryBudget: 2 * perImage });
      expect(split.microBatch).toBe(2);
      expect(worst(split.layers, whole.layers)).toBeLessThan(TOL);
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      net.dispose();
    }
  });
});
