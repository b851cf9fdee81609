// Micro-batched calibration statistics (issue 13, item 4): a batch of 400 run in micro-batches
// of ≤ 61 (58 + 57 × 6) gives the whole batch's mean and unbiased std of every quantized layer
// input (combined in float64; tolerance 1e-6 relative) and the same strided MSE sample (stride 5
// on conv1's 76,800 input values, continued across micro-batch boundaries that are not multiples
// of 5), and the same quantizers end to end, also when a lowered memory budget picks the split.
// Nothing leaks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { passBytesPerImage } from '../../train/pass-memory';
import { calibrateActivations } from './calibrate';
import { batchStats, combineParts, MSE_SAMPLE } from './calibration-stats';
import { quantizedInputs } from './layer-bits';
import { randomBatches, randomBnNetwork, tinyGraph } from './nets.test-helpers';

function close(a: number, b: number, scale: number): void {
  expect(Math.abs(a - b)).toBeLessThan(1e-6 * scale);
}

describe('micro-batched calibration statistics', () => {
  it('combining two parts gives the statistics of their union', () => {
    const a = [1, 2, 4];
    const b = [-3, 0.5];
    const stats = (v: number[]) => {
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      const ss = v.reduce((s, x) => s + (x - mean) ** 2, 0);
      return { count: v.length, mean, std: Math.sqrt(ss / (v.length - 1)) };
    };
    const got = combineParts(stats(a), stats(b));
    const want = stats([...a, ...b]);
    close(got.mean, want.mean, 1);
    close(got.std, want.std, 1);
    expect(got.count).toBe(5);
  });

  it('a batch of 400 in parts of ≤ 61: same means, stds and strided samples', async () => {
    const before = tf.memory().numTensors;
    const net = randomBnNetwork(tinyGraph(), 2);
    const [x] = randomBatches(1, [400, 8, 8, 3], 3);
    const layers = quantizedInputs(net.graph, { activationBits: 8 });
    const o = { graph: net.graph, params: net.lookup() };
    try {
      const whole = await batchStats(o, x!, layers, true);
      const split = await batchStats({ ...o, microBatch: 61 }, x!, layers, true);
      expect([...split.keys()]).toEqual([...whole.keys()]);
      for (const [name, w] of whole) {
        const s = split.get(name)!;
        close(s.mean, w.mean, Math.abs(w.mean) + w.std);
        close(s.std, w.std, w.std);
        expect(s.sample!.length).toBe(w.sample!.length);
        expect(w.sample!.length).toBeLessThanOrEqual(MSE_SAMPLE);
        for (let i = 0; i < w.sample!.length; i++) close(s.sample![i]!, w.sample![i]!, 1);
      }
      expect(whole.get('conv1')!.sample!.length).toBe((400 * 8 * 8 * 3) / 5);
    } finally {
      tf.dispose(x!);
      net.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('calibrateActivations under a lowered memory budget gives the same quantizers', async () => {
    const before = tf.memory().numTensors;
    const net = randomBnNetwork(tinyGraph(), 4);
    const batches = randomBatches(2, [24, 8, 8, 3], 5);
    const recipe = { activationBits: 6, activationMethod: 'mse' as const };
    const o = { graph: net.graph, params: net.lookup(), batches, recipe };
    try {
      const whole = await calibrateActivations(o);
      const budget = 5 * passBytesPerImage(net.graph, 'forward');
      const split = await calibrateActivations({ ...o, memoryBudget: budget });
      for (const [name, w] of Object.entries(whole)) {
        const s = split[name]!;
        expect(s.bp).toBe(w.bp);
        close(s.mean, w.mean, Math.abs(w.mean) + w.std);
        close(s.std, w.std, w.std);
      }
    } finally {
      tf.dispose(batches);
      net.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
