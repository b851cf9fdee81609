// Micro-batched training steps (cpu backend, synthetic data): without batch norm one step of a
// batch of 8 in micro-batches of 3 gives the whole batch's weights (plain CE, and distillation +
// an extra-output loss + label smoothing); with batch norm it runs without leaks and the running
// mean is the whole batch's; the automatic size is reported and a bad microBatch is refused.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Graph, Weights } from '../graph/ir';
import { Network } from '../graph/network';
import { GraphBuilder } from '../models/graph-builder';
import { exitNetGraph } from '../compress/pipeline/pipeline.test-helpers';
import { networkModel } from './network-model';
import { syntheticSource } from './synthetic-source';
import { train, type TrainOptions, type TrainResult } from './trainer';
import type { DistillOptions } from './types';

const source = syntheticSource({ size: 16, numClasses: 3, seed: 9 });

/** conv-relu ×2 with an exit head after the first, no batch norm. */
function noBnGraph(): Graph {
  const b = new GraphBuilder();
  const x1 = b.relu('relu1', b.conv('conv1', b.input(8), { in: 3, out: 4, k: 3, bias: true }));
  const exit = b.head('exitpool', 'exitfc', x1, 4, 3);
  const x2 = b.relu('relu2', b.conv('conv2', x1, { in: 4, out: 6, k: 3, stride: 2, bias: true }));
  return { ...b.build('no-bn', 3, b.head('pool', 'fc', x2, 6, 3)), extraOutputs: { exit } };
}

async function oneStep(
  graph: Graph,
  microBatch: number | undefined,
  extra: Partial<TrainOptions> = {},
): Promise<{ weights: Weights; result: TrainResult }> {
  const net = Network.fromInit(graph, 5);
  try {
    const result = await train({
      model: networkModel(net),
      source,
      epochs: 1,
      batchSize: 8,
      schedule: { kind: 'constant', lr: 0.5 },
      sgd: { momentum: 0.9, weightDecay: 5e-4 },
      seed: 3,
      augment: false,
      maxSteps: 1,
      microBatch,
      ...extra,
    });
    return { weights: await net.toWeightsAsync(), result };
  } finally {
    net.dispose();
  }
}

function maxDiff(a: Weights, b: Weights, key: (name: string) => boolean = () => true): number {
  let d = 0;
  for (const [name, t] of a) {
    if (!key(name)) continue;
    const u = b.get(name)!.data;
    t.data.forEach((v, i) => (d = Math.max(d, Math.abs(v - u[i]!))));
  }
  return d;
}

describe('micro-batched training steps', () => {
  it('without batch norm: micro-batches of 3 equal the whole batch of 8 (< 1e-6)', async () => {
    const before = tf.memory().numTensors;
    const whole = await oneStep(noBnGraph(), undefined);
    const eight = await oneStep(noBnGraph(), 8);
    const split = await oneStep(noBnGraph(), 3);
    expect(whole.result.microBatch).toBe(8); // cpu: no automatic split
    expect(split.result.microBatch).toBe(3);
    expect(maxDiff(whole.weights, eight.weights)).toBe(0);
    const init = Network.fromInit(noBnGraph(), 5);
    expect(maxDiff(whole.weights, init.toWeights())).toBeGreaterThan(1e-3); // it did train
    init.dispose();
    expect(maxDiff(whole.weights, split.weights)).toBeLessThan(1e-6);
    expect(split.result.lastLoss).toBeCloseTo(whole.result.lastLoss, 5);
    expect(split.result.lastAcc).toBe(whole.result.lastAcc);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('with distillation, an extra-output loss and label smoothing: still equal (< 1e-6)', async () => {
    const teacherNet = Network.fromInit(noBnGraph(), 77);
    const distill: DistillOptions = {
      teacher: (x) => {
        const r = teacherNet.forward(x, { training: false });
        return { logits: r.output, extra: r.extra };
      },
      temperature: 3,
      weight: 0.7,
    };
    const losses = { distill, extraLossWeights: { exit: 0.4 }, labelSmoothing: 0.1 };
    const before = tf.memory().numTensors;
    const whole = await oneStep(noBnGraph(), undefined, losses);
    const split = await oneStep(noBnGraph(), 3, losses);
    expect(maxDiff(whole.weights, split.weights)).toBeLessThan(1e-6);
    expect(split.result.lastLoss).toBeCloseTo(whole.result.lastLoss, 5);
    expect(tf.memory().numTensors).toBe(before);
    teacherNet.dispose();
  });

  it('with batch norm: runs, leaks nothing; running mean pooled as the whole batch', async () => {
    const before = tf.memory().numTensors;
    const whole = await oneStep(exitNetGraph(), undefined, { extraLossWeights: { exit: 1 } });
    const split = await oneStep(exitNetGraph(), 3, { extraLossWeights: { exit: 1 } });
    expect(tf.memory().numTensors).toBe(before);
    expect(split.result.status).toBe('completed');
    expect(Number.isFinite(split.result.lastLoss)).toBe(true);
    // bn1 sees the same inputs either way (bn2's inputs went through bn1's ghost batch norm)
    expect(maxDiff(whole.weights, split.weights, (n) => n === 'bn1.running_mean')).toBeLessThan(
      1e-6,
    );
    // pooled variance: the whole batch's up to each part's unbiased correction (1 / 192 here)
    expect(maxDiff(whole.weights, split.weights, (n) => n === 'bn1.running_var')).toBeLessThan(
      2e-3,
    );
    // ghost batch norm: the update differs from the whole batch's
    expect(maxDiff(whole.weights, split.weights, (n) => n === 'conv1.weight')).toBeGreaterThan(0);
  });

  it('refuses a microBatch that is not an integer ≥ 1, naming it', async () => {
    await expect(oneStep(noBnGraph(), 0)).rejects.toThrow(/microBatch must be .* got 0/);
    await expect(oneStep(noBnGraph(), 2.5)).rejects.toThrow(/got 2.5/);
  });
});
