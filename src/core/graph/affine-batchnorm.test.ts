// BN in affine form (s = γ/sqrt(σ²+ε), t = β − μ·s; μ 0, σ² 1, ε 0) computes the same eval
// outputs as the original (< 1e-5 relative on ResNet-20 with random BN statistics); the IR
// accepts eps 0; the values equal the tfjs tensor arithmetic bit for bit; applying it twice is
// the identity; inputs are not modified; no tensors leak.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { randomBatches, randomBnWeights, resnet20Graph } from '../compress/quant/nets.test-helpers';
import { affineBatchNorm, affineParams, isAffineBatchNorm } from './affine-batchnorm';
import { Network } from './network';
import { graphFromJSON, graphToJSON } from './serialize';

describe('affineBatchNorm', () => {
  it('leaves eval outputs unchanged (< 1e-5) and the IR accepts eps 0', () => {
    const before = tf.memory().numTensors;
    const graph = resnet20Graph();
    const weights = randomBnWeights(graph, 5);
    const copy = new Map([...weights].map(([k, t]) => [k, { ...t, data: t.data.slice() }]));
    const a = affineBatchNorm(graph, weights);
    expect(
      [...weights].every(([k, t]) => t.data.every((v, i) => Object.is(v, copy.get(k)!.data[i]))),
    ).toBe(true); // input untouched
    const bns = a.graph.nodes.filter((n) => n.spec.op === 'batchnorm');
    expect(bns.length).toBeGreaterThan(10);
    for (const n of bns) {
      expect(n.spec.op === 'batchnorm' && n.spec.eps).toBe(0);
      expect(isAffineBatchNorm(n, a.weights)).toBe(true);
    }
    expect(graphFromJSON(graphToJSON(a.graph))).toEqual(a.graph); // validates with eps 0
    const net = Network.fromWeights(graph, weights);
    const affine = Network.fromWeights(a.graph, a.weights);
    const [x] = randomBatches(1, [4, 8, 8, 3], 6);
    const y0 = net.predict(x!);
    const y1 = affine.predict(x!);
    const d = y0.dataSync();
    const e = y1.dataSync();
    let max = 0;
    let scale = 0;
    for (let i = 0; i < d.length; i++) {
      max = Math.max(max, Math.abs(d[i]! - e[i]!));
      scale = Math.max(scale, Math.abs(d[i]!));
    }
    expect(scale).toBeGreaterThan(0.1);
    expect(max).toBeLessThan(1e-5 * scale);
    expect(max).toBeGreaterThan(0); // it did change the arithmetic
    const again = affineBatchNorm(a.graph, a.weights);
    for (const [k, t] of a.weights) expect(again.weights.get(k)!.data).toBe(t.data);
    tf.dispose([x!, y0, y1]);
    net.dispose();
    affine.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches the tfjs tensor arithmetic bit for bit (cpu)', () => {
    const gamma = Float32Array.from([0.7, -1.3, 2.5e-3, 1]);
    const beta = Float32Array.from([0.1, 0.2, -0.3, 0]);
    const mean = Float32Array.from([0.33, -7.1, 1e3, 0]);
    const variance = Float32Array.from([0.01, 3.3, 1e-7, 1]);
    const { scale, shift } = affineParams(gamma, beta, mean, variance, 1e-5);
    const [s, t] = tf.tidy(() => {
      const s = tf.div(gamma, tf.sqrt(tf.add(variance, 1e-5)));
      return [s.dataSync(), tf.sub(beta, tf.mul(mean, s)).dataSync()];
    });
    expect(Array.from(scale)).toEqual(Array.from(s!));
    expect(Array.from(shift)).toEqual(Array.from(t!));
  });
});
