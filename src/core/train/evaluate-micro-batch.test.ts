// Micro-batched evaluation (issue 13, item 4): a batch run as micro-batches (explicit, or picked
// by a lowered memory budget from the network's graph) gives the whole batch's top-1, top-5 and
// loss — plain and with the early-exit rule — in more, smaller steps; nothing leaks.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Network } from '../graph/network';
import { buildTinyNet } from '../models/tiny';
import { evaluateWithEarlyExit } from './early-exit';
import { evaluate } from './evaluate';
import { passBytesPerImage } from './pass-memory';
import { syntheticSource } from './synthetic-source';

const source = syntheticSource({ size: 23, numClasses: 5, imageShape: [8, 8, 3], seed: 3 });

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('micro-batched evaluation', () => {
  it('evaluate: a batch of 23 in micro-batches of ≤ 4 (explicit) or ≤ 6 (budget) = whole', async () => {
    const graph = buildTinyNet({ inputSize: 8, numClasses: 5 });
    const net = Network.fromInit(graph, 2);
    try {
      const whole = await evaluate(net, source, { batchSize: 23 });
      const steps: number[] = [];
      const split = await evaluate(net, source, {
        batchSize: 23,
        microBatch: 4,
        onProgress: (p) => steps.push(p.done),
      });
      expect(steps).toEqual([4, 8, 12, 16, 20, 23]);
      const budget = 6.5 * passBytesPerImage(graph, 'forward');
      const autoSteps: number[] = [];
      const auto = await evaluate(net, source, {
        batchSize: 23,
        memoryBudget: budget,
        onProgress: (p) => autoSteps.push(p.done),
      });
      expect(autoSteps).toEqual([6, 12, 18, 23]);
      for (const r of [split, auto]) {
        expect(r.top1).toBe(whole.top1);
        expect(r.top5).toBe(whole.top5);
        expect(r.loss).toBeCloseTo(whole.loss, 5);
        expect(r.n).toBe(23);
      }
    } finally {
      net.dispose();
    }
  });

  it('evaluateWithEarlyExit: micro-batches give the same per-image decisions', async () => {
    const graph = buildTinyNet({ inputSize: 8, numClasses: 5 });
    const withExit = { ...graph, extraOutputs: { exit: graph.output } };
    const net = Network.fromInit(withExit, 4);
    try {
      const o = { batchSize: 23, threshold: 0.3, inferenceRewrite: false };
      const whole = await evaluateWithEarlyExit(net, source, o);
      const split = await evaluateWithEarlyExit(net, source, { ...o, microBatch: 5 });
      expect(split.predEarlyExit).toEqual(whole.predEarlyExit);
      expect(split.exitMask).toEqual(whole.exitMask);
      expect(split.top1EarlyExit).toBe(whole.top1EarlyExit);
      expect(split.loss).toBeCloseTo(whole.loss, 5);
    } finally {
      net.dispose();
    }
  });
});
