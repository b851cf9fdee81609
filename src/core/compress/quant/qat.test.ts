// QAT: the training forward simulates exactly what quantizeNetwork deploys (unfolded BN), one
// SGD step through the STE has finite, non-zero gradients and changes the weights, and the
// batch norms QAT leaves float are exactly those inference-graph.ts folds.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inferenceGraph } from '../../graph/inference-graph';
import type { Graph, NodeSpec } from '../../graph/ir';
import { initWeights } from '../../graph/params';
import { softmaxCrossEntropy } from '../../train/loss';
import { syntheticSource } from '../../train/synthetic-source';
import { train } from '../../train/trainer';
import { makeRng } from '../../util/rng';
import { foldedBatchNorms, qatModel, qatParamBits } from './qat';
import { quantizeNetwork } from './quantized-model';
import { randomBatches, randomBnNetwork, resnet20Graph, tinyGraph } from './nets.test-helpers';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

const conv = (i: number, o: number): NodeSpec => ({
  op: 'conv2d',
  inChannels: i,
  outChannels: o,
  kernel: 1,
  stride: 1,
  padding: 'valid',
  bias: false,
});
const bn = (c: number): NodeSpec => ({ op: 'batchnorm', channels: c, eps: 1e-5, momentum: 0.1 });

/** c1→b1 folds; c2 feeds b2 and an add (no fold); b3 follows an add (no fold); c4→b4: c4 is also an output. */
const mixed: Graph = {
  format: 'micronet-lab-graph',
  version: 1,
  name: 'mixed',
  numClasses: 2,
  nodes: [
    { name: 'input', inputs: [], spec: { op: 'input', height: 2, width: 2, channels: 2 } },
    { name: 'c1', inputs: ['input'], spec: conv(2, 2) },
    { name: 'b1', inputs: ['c1'], spec: bn(2) },
    { name: 'c2', inputs: ['b1'], spec: conv(2, 2) },
    { name: 'b2', inputs: ['c2'], spec: bn(2) },
    { name: 'sum', inputs: ['b2', 'c2'], spec: { op: 'add' } },
    { name: 'b3', inputs: ['sum'], spec: bn(2) },
    { name: 'c4', inputs: ['b3'], spec: conv(2, 2) },
    { name: 'b4', inputs: ['c4'], spec: bn(2) },
    { name: 'pool', inputs: ['b4'], spec: { op: 'globalavgpool', keepDims: false } },
    {
      name: 'fc',
      inputs: ['pool'],
      spec: { op: 'dense', inFeatures: 2, outFeatures: 2, bias: true },
    },
  ],
  output: 'fc',
  extraOutputs: { tap: 'c4' },
};

describe('foldedBatchNorms / qatParamBits', () => {
  it.each([
    ['mixed', mixed],
    ['ResNet-20', resnet20Graph()],
  ])('%s: the batch norms inference-graph.ts folds', (_, graph) => {
    const kept = new Set(
      inferenceGraph(graph, initWeights(graph, 1))
        .graph.nodes.filter((n) => n.spec.op === 'batchnorm')
        .map((n) => n.name),
    );
    const all = graph.nodes.filter((n) => n.spec.op === 'batchnorm').map((n) => n.name);
    expect([...foldedBatchNorms(graph)]).toEqual(all.filter((n) => !kept.has(n)));
  });

  it('fake-quantizes layer weights/biases, and unfolded BNs at weightBits', () => {
    expect(qatParamBits(mixed, { weightBits: 8, layerBits: { c4: { weight: 4 } } })).toEqual(
      new Map([
        ['c1.weight', 8],
        ['c2.weight', 8],
        ['b2.weight', 8],
        ['b2.bias', 8],
        ['b3.weight', 8],
        ['b3.bias', 8],
        ['c4.weight', 4],
        ['b4.weight', 8],
        ['b4.bias', 8],
        ['fc.weight', 8],
        ['fc.bias', 8],
      ]),
    );
    expect(qatParamBits(mixed, { weightBits: 8, foldBN: false }).get('b1.bias')).toBe(8);
    expect(qatParamBits(mixed, {}).size).toBe(0);
  });
});

describe('qatModel', () => {
  it('eval forward equals the deployed quantized model (unfolded BN)', async () => {
    const net = randomBnNetwork(tinyGraph(), 21);
    const batches = randomBatches(2, [4, 8, 8, 3], 22);
    const recipe = { weightBits: 6, activationBits: 8, foldBN: false };
    const q = await quantizeNetwork(net, recipe, batches);
    const model = qatModel(net, recipe, q.activationQuant);
    const a = model.predict(batches[0]!);
    const b = q.predict(batches[0]!);
    const f = net.predict(batches[0]!);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(f.dataSync()));
    tf.dispose([...batches, a, b, f]);
    q.dispose();
    net.dispose();
  });

  it('trains: one step has finite non-zero gradients and changes the weights', async () => {
    const net = randomBnNetwork(tinyGraph(), 23);
    const source = syntheticSource({ size: 32, numClasses: 10, imageShape: [8, 8, 3], seed: 4 });
    const recipe = { weightBits: 8, activationBits: 8 };
    const q = await quantizeNetwork(net, recipe, { source, batchSize: 16 });
    const model = qatModel(net, recipe, q.activationQuant);
    q.dispose();
    const [x] = randomBatches(1, [8, 8, 8, 3], 24);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forwardTrain(x!, makeRng(1)); // BN batch stats: freed with the tape
      return softmaxCrossEntropy(out.logits, y);
    }, model.trainableVariables());
    const names = model.trainableVariables().map((v) => v.name);
    expect(Object.keys(grads).sort()).toEqual([...names].sort());
    for (const [name, g] of Object.entries(grads)) {
      const d = g.dataSync();
      expect(d.every(Number.isFinite), name).toBe(true);
      expect(
        d.some((v) => v !== 0),
        name,
      ).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads), x!, y]);

    const w0 = net.toWeights();
    const res = await train({
      model,
      source,
      epochs: 1,
      batchSize: 8,
      schedule: { kind: 'constant', lr: 0.05 },
      seed: 1,
      maxSteps: 1,
    });
    expect(res.status).toBe('completed');
    expect(res.steps).toBe(1);
    expect(Number.isFinite(res.lastLoss)).toBe(true);
    const w1 = net.toWeights();
    for (const name of ['conv1.weight', 'conv3.weight', 'fc.weight', 'fc.bias', 'bn2.weight'])
      expect(w1.get(name)!.data, name).not.toEqual(w0.get(name)!.data);
    expect(w1.get('bn1.running_mean')!.data).not.toEqual(w0.get('bn1.running_mean')!.data);
    net.dispose();
  });
});
