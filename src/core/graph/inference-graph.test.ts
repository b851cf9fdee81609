// The eval-only rewrite (BN folded into convs, global means as window pools) computes the same
// outputs as the original graph, and folds exactly the conv → BN pairs it may.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { makeRng } from '../util/rng';
import { inferenceGraph, inferenceNetwork } from './inference-graph';
import type { Graph, GraphNode, NodeSpec, Weights } from './ir';
import { Network } from './network';
import { initWeights } from './params';

const bn = (channels: number): NodeSpec => ({
  op: 'batchnorm',
  channels,
  eps: 1e-5,
  momentum: 0.1,
});
const node = (name: string, input: string | string[], spec: NodeSpec): GraphNode => ({
  name,
  inputs: Array.isArray(input) ? input : [input],
  spec,
});
const conv = (i: number, o: number, k: number, bias: boolean): NodeSpec => ({
  op: 'conv2d',
  inChannels: i,
  outChannels: o,
  kernel: k,
  stride: 1,
  padding: [1, 1, 1, 1].map((p) => (k === 3 ? p : 0)) as [number, number, number, number],
  bias,
});

/** conv→bn→swish, depthwise(bias)→bn, a conv shared by a BN and an add (not folded), SE-style pools. */
const graph: Graph = {
  format: 'micronet-lab-graph',
  version: 1,
  name: 'fold',
  numClasses: 3,
  nodes: [
    node('input', [], { op: 'input', height: 6, width: 6, channels: 2 }),
    node('c1', 'input', conv(2, 4, 3, false)),
    node('b1', 'c1', bn(4)),
    node('s1', 'b1', { op: 'activation', fn: 'swish' }),
    node('dw', 's1', {
      op: 'depthwise2d',
      channels: 4,
      kernel: 3,
      stride: 2,
      padding: [0, 1, 0, 1],
      bias: true,
    }),
    node('b2', 'dw', bn(4)),
    node('gate', 'b2', { op: 'globalavgpool', keepDims: true }),
    node('mul', ['b2', 'gate'], { op: 'mul' }),
    node('c3', 'mul', conv(4, 4, 1, true)),
    node('b3', 'c3', bn(4)),
    node('sum', ['b3', 'c3'], { op: 'add' }),
    node('pool', 'sum', { op: 'globalavgpool', keepDims: false }),
    node('fc', 'pool', { op: 'dense', inFeatures: 4, outFeatures: 3, bias: true }),
  ],
  output: 'fc',
  extraOutputs: { tap: 'b2' },
};

/** Seeded weights with non-trivial BN statistics. */
function weights(): Weights {
  const w = initWeights(graph, 1);
  const rng = makeRng(2);
  for (const [name, t] of w) {
    if (!/^b\d\./.test(name) && !name.endsWith('.bias')) continue;
    const positive = name.endsWith('running_var') || name.endsWith('.weight');
    t.data = t.data.map(() => (positive ? 0.5 + rng() : rng() - 0.5));
  }
  return w;
}

describe('inferenceGraph', () => {
  it('folds conv→BN pairs whose conv has no other consumer and rewrites global means', () => {
    const { graph: g, weights: w } = inferenceGraph(graph, weights());
    expect(g.nodes.map((n) => n.name)).toEqual([
      'input',
      'c1',
      's1',
      'dw',
      'gate',
      'mul',
      'c3',
      'b3',
      'sum',
      'pool.window',
      'pool',
      'fc',
    ]);
    expect(g.nodes.find((n) => n.name === 'dw')!.spec).toMatchObject({ bias: true });
    expect(g.nodes.find((n) => n.name === 'c1')!.spec).toMatchObject({ bias: true });
    expect(g.nodes.find((n) => n.name === 'gate')!.spec).toEqual({
      op: 'avgpool',
      size: 3,
      stride: 3,
      ceil: false,
    });
    expect(g.nodes.find((n) => n.name === 's1')!.inputs).toEqual(['c1']);
    expect(g.extraOutputs).toEqual({ tap: 'dw' });
    expect([...w.keys()].filter((k) => k.startsWith('b1.') || k.startsWith('b2.'))).toEqual([]);
    expect(w.has('b3.running_var')).toBe(true);
  });

  it('gives the same outputs as the original graph (eval)', async () => {
    const before = tf.memory().numTensors;
    const net = Network.fromWeights(graph, weights());
    const fast = await inferenceNetwork(net);
    const x = tf.randomNormal([3, 6, 6, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
    const a = net.forward(x, { training: false });
    const b = fast.forward(x, { training: false });
    const diff = (p: tf.Tensor, q: tf.Tensor) =>
      tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]!);
    expect(diff(a.output, b.output)).toBeLessThan(1e-5);
    expect(diff(a.extra.tap!, b.extra.tap!)).toBeLessThan(1e-5);
    expect(Math.max(...a.output.dataSync().map(Math.abs))).toBeGreaterThan(1e-2); // non-trivial
    tf.dispose([x, a.output, b.output, ...Object.values(a.extra), ...Object.values(b.extra)]);
    net.dispose();
    fast.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
