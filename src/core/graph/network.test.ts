import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPyramidNet } from '../models/pyramidnet';
import { buildTinyNet } from '../models/tiny';
import { makeRng } from '../util/rng';
import { Network } from './network';
import { countParams, initWeights, listParams } from './params';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before); // every test disposes what it made
});

const batch = (n: number, size: number, seed: number) => {
  const rng = makeRng(seed);
  return tf.tensor4d(
    Array.from({ length: n * size * size * 3 }, () => rng() * 2 - 1),
    [n, size, size, 3],
  );
};

function ceLoss(logits: tf.Tensor, labels: number[]): tf.Scalar {
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1]!);
  return tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
}

describe('Network (tiny net, 8×8 inputs)', () => {
  const graph = buildTinyNet({ inputSize: 8 });

  it('trains: finite gradients for every variable, loss falls, BN stats update', () => {
    const net = Network.fromInit(graph, 1);
    const x = batch(4, 8, 2);
    const labels = [3, 14, 15, 92];
    const vars = net.trainableVariables();
    expect(vars).toHaveLength(listParams(graph).filter((p) => p.trainable).length);
    expect(net.trainableNames().slice(0, 3)).toEqual(['conv1.weight', 'bn1.weight', 'bn1.bias']);
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const { value, grads } = tf.variableGrads(() => {
        const r = net.forward(x, { training: true });
        net.applyBnUpdates(r.bnBatchStats);
        return ceLoss(r.output, labels);
      }, vars);
      losses.push(value.dataSync()[0]!);
      for (const v of vars) {
        const g = grads[v.name]!.dataSync();
        expect(g.every(Number.isFinite)).toBe(true);
        if (step === 0) expect(g.some((e) => e !== 0)).toBe(true);
        tf.tidy(() => v.assign(tf.sub(v, tf.mul(grads[v.name]!, 0.1))));
      }
      tf.dispose([value, ...Object.values(grads)]);
    }
    console.log(
      `[tiny] train-mode CE over 3 SGD steps: ${losses.map((l) => l.toFixed(4)).join(' → ')}`,
    );
    expect(losses[2]!).toBeLessThan(losses[0]!);
    // running_mean after 3 updates from 0 with momentum 0.1: non-zero, |·| < batch-mean bound
    const rm = net.getTensor('bn1.running_mean').dataSync();
    expect(rm.some((v) => v !== 0)).toBe(true);
    x.dispose();
    net.dispose();
  });

  it('applyBnUpdates: running = 0.9·running + 0.1·batch (unbiased var)', () => {
    const net = Network.fromInit(graph, 1);
    const x = batch(2, 8, 3);
    const r = net.forward(x, { training: true });
    const stats = r.bnBatchStats.get('bn2')!;
    const mean = stats.mean.dataSync();
    const variance = stats.variance.dataSync();
    net.applyBnUpdates(r.bnBatchStats);
    const rm = net.getTensor('bn2.running_mean').dataSync();
    const rv = net.getTensor('bn2.running_var').dataSync();
    expect(rm[5]).toBeCloseTo(0.1 * mean[5]!, 6);
    expect(rv[5]).toBeCloseTo(0.9 + 0.1 * variance[5]!, 6);
    expect(r.bnBatchStats.size).toBe(3);
    tf.dispose([x, r.output, ...[...r.bnBatchStats.values()].flatMap((s) => [s.mean, s.variance])]);
    net.dispose();
  });

  it('round-trips weights and predicts identically; rejects mismatched weights', () => {
    const net = Network.fromInit(graph, 5);
    const w = net.toWeights();
    const copy = Network.fromWeights(graph, w);
    w.get('fc.bias')!.data[0] = 123; // toWeights gave a copy, fromWeights copied too
    const x = batch(2, 8, 4);
    const a = net.predict(x);
    const b = copy.predict(x);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(net.paramCount()).toBe(countParams(graph));
    const bad = initWeights(graph, 0);
    bad.delete('conv2.weight');
    bad.set('fc.weight', { shape: [100, 64], data: new Float32Array(6400) });
    bad.set('extra.weight', { shape: [1], data: new Float32Array(1) });
    expect(() => Network.fromWeights(graph, bad)).toThrow(
      /3 problem\(s\): missing 'conv2.weight' \[3,3,16,32\]; 'fc.weight' has shape \[100,64\], expected \[64,100\]; unexpected 'extra.weight'/,
    );
    tf.dispose([x, a, b]);
    net.dispose();
    copy.dispose();
    expect(() => net.predict(x)).toThrow(/disposed/);
  });
});

describe('initWeights', () => {
  it('He-normal convs, BN 1/0, running 0/1, dense ±1/sqrt(in); reproducible', () => {
    const g = buildPyramidNet({ depth: 8, alpha: 48, bottleneck: false });
    const w = initWeights(g, 42);
    const conv = w.get('layer3.0.conv2.weight')!.data; // [3,3,64,64]: std sqrt(2/(9·64))
    const std = Math.sqrt(conv.reduce((s, v) => s + v * v, 0) / conv.length);
    expect(std / Math.sqrt(2 / (9 * 64))).toBeGreaterThan(0.97);
    expect(std / Math.sqrt(2 / (9 * 64))).toBeLessThan(1.03);
    expect(Array.from(w.get('bn1.weight')!.data)).toEqual(new Array(16).fill(1));
    expect(Array.from(w.get('bn1.running_var')!.data)).toEqual(new Array(16).fill(1));
    expect(Array.from(w.get('bn1.running_mean')!.data)).toEqual(new Array(16).fill(0));
    const fc = w.get('fc.weight')!.data;
    expect(Math.max(...fc.map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    expect(Math.max(...fc.map(Math.abs))).toBeGreaterThan(0.12);
    expect(initWeights(g, 42).get('conv1.weight')!.data).toEqual(w.get('conv1.weight')!.data);
  });
});

describe('PyramidNet training mode', () => {
  it('runs with ShakeDrop gates from the rng, deterministic per seed, no leaks', () => {
    const graph = buildPyramidNet({ depth: 8, alpha: 12, bottleneck: false, inputSize: 8 });
    const net = Network.fromInit(graph, 0);
    const x = batch(4, 8, 9);
    const run = (seed: number) => {
      const r = net.forward(x, { training: true, rng: makeRng(seed) });
      const out = r.output.dataSync().slice();
      tf.dispose([r.output, ...[...r.bnBatchStats.values()].flatMap((s) => [s.mean, s.variance])]);
      return out;
    };
    const a = run(1);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
    x.dispose();
    net.dispose();
  });
});
