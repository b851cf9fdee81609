// kfacAnalysis on a small multi-layer net: which layers it covers or skips (depthwise, a branch
// that only feeds an extra output), eval mode (BN running statistics untouched), progress with
// ETA, cancellation, option checks, and no tensor leaks.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../graph/ir';
import { Network } from '../../graph/network';
import { TrainControl } from '../../train/control';
import { syntheticSource } from '../../train/synthetic-source';
import { CancelledError } from '../../train/types';
import { kfacAnalysis } from './kfac-analysis';
import type { KfacProgress } from './kfac-types';

const GRAPH: Graph = {
  format: 'micronet-lab-graph',
  version: 1,
  name: 'kfac-small',
  numClasses: 3,
  nodes: [
    { name: 'input', inputs: [], spec: { op: 'input', height: 6, width: 6, channels: 2 } },
    {
      name: 'c1',
      inputs: ['input'],
      spec: {
        op: 'conv2d',
        inChannels: 2,
        outChannels: 4,
        kernel: 3,
        stride: 1,
        padding: 'same',
        bias: false,
      },
    },
    {
      name: 'bn1',
      inputs: ['c1'],
      spec: { op: 'batchnorm', channels: 4, eps: 1e-5, momentum: 0.1 },
    },
    { name: 'r1', inputs: ['bn1'], spec: { op: 'activation', fn: 'relu' } },
    {
      name: 'dw',
      inputs: ['r1'],
      spec: { op: 'depthwise2d', channels: 4, kernel: 3, stride: 1, padding: 'same', bias: false },
    },
    // a residual add: r1 feeds dw, the add and the side branch
    { name: 'sum', inputs: ['dw', 'r1'], spec: { op: 'add' } },
    { name: 'gap', inputs: ['sum'], spec: { op: 'globalavgpool', keepDims: false } },
    {
      name: 'fc',
      inputs: ['gap'],
      spec: { op: 'dense', inFeatures: 4, outFeatures: 3, bias: true },
    },
    {
      name: 'side',
      inputs: ['r1'],
      spec: {
        op: 'conv2d',
        inChannels: 4,
        outChannels: 3,
        kernel: 1,
        stride: 1,
        padding: 'valid',
        bias: true,
      },
    },
    { name: 'gap2', inputs: ['side'], spec: { op: 'globalavgpool', keepDims: false } },
  ],
  output: 'fc',
  extraOutputs: { exit: 'gap2' },
};

const source = syntheticSource({ size: 16, numClasses: 3, imageShape: [6, 6, 2], seed: 2 });

describe('kfacAnalysis', () => {
  it('covers conv/dense layers on the main path, skips the rest, leaves BN alone, leaks nothing', async () => {
    const net = Network.fromInit(GRAPH, 3);
    const before = net.toWeights();
    const tensors = tf.memory().numTensors;
    const progress: KfacProgress[] = [];
    const res = await kfacAnalysis({
      net,
      source,
      batches: 3,
      batchSize: 4,
      seed: 1,
      ekfacBatches: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(res.layers.map((l) => l.name)).toEqual(['c1', 'fc']);
    expect(res.skipped.map((s) => [s.name, s.op])).toEqual([
      ['dw', 'depthwise2d'],
      ['side', 'conv2d'],
    ]);
    expect(res.skipped[1]!.reason).toMatch(/not on the path to 'fc'/);
    expect([res.samples, res.ekfacSamples]).toEqual([12, 8]);
    const after = net.toWeights();
    for (const name of ['bn1.running_mean', 'bn1.running_var'])
      expect(after.get(name)!.data).toEqual(before.get(name)!.data);
    net.dispose();

    const [c1, fc] = res.layers as [(typeof res.layers)[0], (typeof res.layers)[0]];
    expect([c1.dimA, c1.dimG, c1.hasBias, c1.kernel]).toEqual([2, 4, false, 3]);
    expect([fc.dimA, fc.dimG, fc.hasBias]).toEqual([5, 3, true]);
    expect([c1.saliency.length, c1.rowSaliency.length, c1.colSaliency.length]).toEqual([8, 4, 2]);
    for (const l of res.layers) {
      expect(l.eigA[l.dimA - 1]).toBeGreaterThanOrEqual(l.damping.a * (1 - 1e-9));
      expect(l.factors).toBeUndefined();
    }

    expect(progress.map((p) => p.phase)).toEqual([
      'factors',
      'factors',
      'factors',
      'eigen',
      'eigen',
      'ekfac',
      'ekfac',
    ]);
    const last = progress[progress.length - 1]!;
    expect([last.done, last.total, last.etaSeconds, last.fraction]).toEqual([2, 2, 0, 1]);
    for (const p of progress) expect(Number.isFinite(p.etaSeconds) && p.etaSeconds >= 0).toBe(true);
  });

  it('cancels between batches with CancelledError and no leaks', async () => {
    const net = Network.fromInit(GRAPH, 3);
    const control = new TrainControl();
    const tensors = tf.memory().numTensors;
    const run = kfacAnalysis({
      net,
      source,
      batches: 3,
      batchSize: 4,
      seed: 1,
      signal: control,
      onProgress: () => control.cancel(),
    });
    await expect(run).rejects.toThrow(CancelledError);
    await expect(run).rejects.toThrow(/cancelled during factors batch 2\/3/);
    expect(tf.memory().numTensors).toBe(tensors);
    net.dispose();
  });

  it('sums output gradients over all consumers of a layer (fan-out)', async () => {
    const conv = GRAPH.nodes[1]!;
    const make = (twice: boolean): Graph => ({
      ...GRAPH,
      name: twice ? 'fan-out' : 'scaled',
      numClasses: 4,
      nodes: [
        GRAPH.nodes[0]!,
        conv,
        twice
          ? { name: 'y', inputs: ['c1', 'c1'], spec: { op: 'add' } }
          : { name: 'y', inputs: ['c1'], spec: { op: 'scale', factor: 2 } },
        { name: 'gap', inputs: ['y'], spec: { op: 'globalavgpool', keepDims: false } },
      ],
      output: 'gap',
      extraOutputs: undefined,
    });
    const src4 = syntheticSource({ size: 8, numClasses: 4, imageShape: [6, 6, 2], seed: 2 });
    const results = [];
    for (const twice of [true, false]) {
      const net = Network.fromInit(make(twice), 5);
      const o = { net, source: src4, batches: 2, batchSize: 4, seed: 3, keepFactors: true };
      results.push((await kfacAnalysis(o)).layers[0]!.factors!.G);
      net.dispose();
    }
    const [fan, scaled] = results as [Float64Array, Float64Array];
    const err = Math.max(...fan.map((v, i) => Math.abs(v - scaled[i]!)));
    expect(err / Math.max(...scaled.map(Math.abs))).toBeLessThan(1e-6);
  });

  it('checks its options', async () => {
    const net = Network.fromInit(GRAPH, 3);
    const base = { net, source, batches: 2, batchSize: 4, seed: 1 };
    await expect(kfacAnalysis({ ...base, batches: 5 })).rejects.toThrow(
      /5 batches of 4 need 20 examples, only 16 given/,
    );
    await expect(kfacAnalysis({ ...base, ekfacBatches: 3 })).rejects.toThrow(
      /must not exceed batches \(2\)/,
    );
    await expect(kfacAnalysis({ ...base, layers: ['dw'] })).rejects.toThrow(
      /'dw' is not a conv2d\/dense node/,
    );
    await expect(kfacAnalysis({ ...base, batchSize: 0 })).rejects.toThrow(
      /batchSize must be an integer ≥ 1, got 0/,
    );
    const only = await kfacAnalysis({ ...base, layers: ['fc'], useBias: false });
    expect(only.layers.map((l) => [l.name, l.dimA, l.hasBias])).toEqual([['fc', 4, false]]);
    net.dispose();
  });
});
