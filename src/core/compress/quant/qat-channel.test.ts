// QAT with per-channel exponents (SigmaMax on the device, MSE held on the CPU) and zero-point
// activations: the eval forward equals quantizeNetwork's deployed model (unfolded BN, conv and
// depthwise layers, biases per value), also after training; masked weights stay exactly 0.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/ir';
import type { Network } from '../../graph/network';
import { GraphBuilder } from '../../models/graph-builder';
import type { Recipe } from '../../recipe';
import { syntheticSource } from '../../train/synthetic-source';
import { train } from '../../train/trainer';
import { MaskSet } from '../sparsity/mask-set';
import { qatModel } from './qat';
import { quantizeNetwork } from './quantized-model';
import { randomBatches, randomBnNetwork, tinyGraph } from './nets.test-helpers';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

/** conv 1×1 3→8, BN, ReLU, depthwise 3×3 (bias), BN, ReLU, global mean, fc: 8×8 inputs. */
function depthwiseGraph(): Graph {
  const b = new GraphBuilder();
  let x = b.conv('c1', b.input(8), { in: 3, out: 8, k: 1 });
  x = b.relu('r1', b.bn('b1', x, 8));
  x = b.add(
    'dw',
    { op: 'depthwise2d', channels: 8, kernel: 3, stride: 1, padding: [1, 1, 1, 1], bias: true },
    [x],
  );
  x = b.relu('r2', b.bn('b2', x, 8));
  return b.build('dw', 10, b.head('pool', 'fc', x, 8, 10));
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  const [x, y] = [Array.from(a.dataSync()), Array.from(b.dataSync())];
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

const channel = { foldBN: false, weightGranularity: 'channel' } as const;
const source = syntheticSource({ size: 32, numClasses: 10, imageShape: [8, 8, 3], seed: 9 });

/** QAT eval logits vs deployed logits on `x`; both models are disposed here. */
async function evalGap(net: Network, recipe: Recipe, x: tf.Tensor4D[]): Promise<number> {
  const q = await quantizeNetwork(net, recipe, x);
  const model = qatModel(net, recipe, q.activationQuant);
  const [a, b] = [model.predict(x[0]!), q.predict(x[0]!)];
  const gap = maxDiff(a, b);
  tf.dispose([a, b]);
  q.dispose();
  return gap;
}

describe('qatModel per channel', () => {
  it.each<[string, () => Graph, Recipe]>([
    ['tiny, SigmaMax per channel', tinyGraph, { ...channel, weightBits: 6, activationBits: 8 }],
    ['depthwise, SigmaMax per channel', depthwiseGraph, { ...channel, weightBits: 5 }],
    ['tiny, MSE per tensor', tinyGraph, { foldBN: false, quantMethod: 'mse', weightBits: 6 }],
    [
      'depthwise, MSE per channel, zero-point activations',
      depthwiseGraph,
      {
        ...channel,
        quantMethod: 'mse',
        activationZeroPoint: true,
        weightBits: 6,
        activationBits: 6,
      },
    ],
  ])('%s: eval forward equals the deployed model (< 1e-5)', async (_, graph, recipe) => {
    const net = randomBnNetwork(graph(), 31);
    const batches = randomBatches(2, [4, 8, 8, 3], 32);
    const float = net.predict(batches[0]!);
    const q = await quantizeNetwork(net, recipe, batches);
    const quantized = q.predict(batches[0]!);
    expect(maxDiff(float, quantized)).toBeGreaterThan(1e-3); // quantization does something
    if (recipe.activationZeroPoint)
      expect(Object.values(q.activationQuant).some((a) => (a.zeroPoint ?? 0) > 0)).toBe(true);
    tf.dispose([float, quantized]);
    q.dispose();
    expect(await evalGap(net, recipe, batches)).toBeLessThan(1e-5);
    tf.dispose(batches);
    net.dispose();
  });

  it.each<[string, Recipe]>([
    ['SigmaMax', { ...channel, weightBits: 6 }],
    ['MSE', { ...channel, quantMethod: 'mse', weightBits: 6 }],
  ])('%s: after masked training, eval = deployed and masked weights stay 0', async (_, recipe) => {
    const net = randomBnNetwork(depthwiseGraph(), 33);
    const masks = new Map<string, Uint8Array>();
    for (const [layer, size] of [
      ['c1', 24],
      ['dw', 72],
      ['fc', 80],
    ] as const)
      masks.set(
        layer,
        Uint8Array.from({ length: size }, (_, i) => (i % 3 === 0 ? 0 : 1)),
      );
    const maskSet = MaskSet.fromMasks(net, masks);
    maskSet.apply(net);
    const model = qatModel(net, recipe, {}, { refreshEvery: 2 });
    expect(model.exponents).toBe(recipe.quantMethod === 'mse' ? 'held' : 'device');
    const w0 = net.toWeights();
    const res = await train({
      model,
      source,
      epochs: 1,
      batchSize: 8,
      schedule: { kind: 'constant', lr: 0.05 },
      sgd: { momentum: 0.9, weightDecay: 5e-4 },
      seed: 2,
      maxSteps: 3,
      afterStep: () => maskSet.apply(net),
    });
    expect(res.status).toBe('completed');
    const w1 = net.toWeights();
    for (const [layer, mask] of masks) {
      const w = w1.get(`${layer}.weight`)!.data;
      expect(
        w.every((v, i) => mask[i] === 1 || Object.is(v, 0) || Object.is(v, -0)),
        layer,
      ).toBe(true);
      expect(
        w.some((v, i) => v !== w0.get(`${layer}.weight`)!.data[i]),
        layer,
      ).toBe(true);
    }
    const batches = randomBatches(1, [4, 8, 8, 3], 34);
    const q = await quantizeNetwork(net, recipe, batches);
    for (const [layer, mask] of masks)
      expect(q.weights.get(`${layer}.weight`)!.data.every((v, i) => mask[i] === 1 || v === 0)).toBe(
        true,
      );
    const [a, b] = [model.predict(batches[0]!), q.predict(batches[0]!)];
    expect(maxDiff(a, b)).toBeLessThan(1e-5);
    tf.dispose([a, b, ...batches]);
    q.dispose();
    maskSet.dispose();
    net.dispose();
  });

  it("forwardTrain returns the graph's extra outputs (an exit head's loss can reach them)", () => {
    const graph = { ...depthwiseGraph(), extraOutputs: { exit: 'pool' } };
    const net = randomBnNetwork(graph, 36);
    const model = qatModel(net, { ...channel, weightBits: 8 }, {});
    const [x] = randomBatches(1, [2, 8, 8, 3], 37);
    const shape = tf.tidy(() => model.forwardTrain(x!, () => 0.5).extra?.exit?.shape);
    expect(shape).toEqual([2, 8]);
    tf.dispose([x!]);
    net.dispose();
  });

  it('names a bad refreshEvery', () => {
    const net = randomBnNetwork(tinyGraph(), 35);
    expect(() =>
      qatModel(net, { ...channel, quantMethod: 'mse', weightBits: 8 }, {}, { refreshEvery: 0 }),
    ).toThrow('QAT refreshEvery must be an integer ≥ 1, got 0');
    net.dispose();
  });
});
