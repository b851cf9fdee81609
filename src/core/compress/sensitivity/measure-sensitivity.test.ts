// Per-layer sensitivity on a trained tiny net: the probes agree with compressNetwork, 2 bits
// hurts more than 8, no tensor leaks, cancellation stops it, the second-order estimate is there.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Network } from '../../graph/network';
import { CancelledError } from '../../train/types';
import { evaluateRecipe } from '../apply-recipe';
import { layerZeroFractions } from '../sparsity';
import { sparsityTarget } from './layer-perturbation';
import { measureSensitivity } from './measure-sensitivity';
import { trainedTinyNet, trainingSource, validationSource } from './sensitivity.test-helpers';

let net: Network;
beforeAll(async () => {
  net = await trainedTinyNet();
});
afterAll(() => net.dispose());

describe('measureSensitivity', () => {
  it('each probe equals compressNetwork + evaluate with that one layer changed', async () => {
    const source = validationSource();
    const r = await measureSensitivity(net, {
      source,
      batchSize: 16,
      bits: [3],
      sparsities: [0.5],
      hessian: false,
    });
    expect(r.layers.map((l) => l.layer)).toEqual(['conv1', 'conv2', 'conv3', 'fc']);
    expect(r.n).toBe(48);
    const plain = await evaluateRecipe(net, { freebie: false }, { source, batchSize: 16 });
    expect(r.base.loss).toBeCloseTo(plain.loss, 5);
    const conv2 = r.layers[1]!;
    const q = await evaluateRecipe(
      net,
      { layerBits: { conv2: { weight: 3 } } },
      { source, batchSize: 16 },
    );
    expect(conv2.bits[0]!.loss).toBeCloseTo(q.loss, 5);
    expect(conv2.bits[0]!.top1).toBeCloseTo(q.top1, 6);
    const z = layerZeroFractions(net.graph, net.toWeights()).conv2!;
    const t = sparsityTarget(z, 0.5);
    const p = await evaluateRecipe(
      net,
      { layerSparsity: { conv2: t }, freebie: false },
      { source, batchSize: 16 },
    );
    expect(p.layerSparsity.conv2).toBeCloseTo(0.5, 2);
    expect(conv2.sparsity[0]!.loss).toBeCloseTo(p.loss, 5);
    expect(conv2.sparsity[0]!).not.toEqual(expect.objectContaining({ loss: r.base.loss }));
  });

  it('2 bits hurts more than 8 bits; 50 % sparsity more than 10 %; no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const r = await measureSensitivity(net, {
      source: validationSource(),
      calibration: trainingSource(),
      base: { activationBits: 8 },
      batchSize: 16,
      bits: [2, 8],
      sparsities: [0.1, 0.9],
      hessian: { probes: 2, batches: 1 },
      onProgress: (p) => progress.push(p.done / p.total),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress.at(-1)).toBe(1);
    expect(r.recipe).toEqual({ activationBits: 8 });
    let [d2, d8, s1, s9] = [0, 0, 0, 0];
    for (const l of r.layers) {
      expect(l.bits.map((b) => b.value)).toEqual([2, 8]);
      d2 += l.bits[0]!.loss - r.base.loss;
      d8 += l.bits[1]!.loss - r.base.loss;
      s1 += l.sparsity[0]!.loss - r.base.loss;
      s9 += l.sparsity[1]!.loss - r.base.loss;
      expect(l.bits[0]!.loss).toBeGreaterThan(l.bits[1]!.loss - 1e-3);
      expect(Number.isFinite(l.hessianTrace)).toBe(true);
      const so = l.secondOrder!;
      expect(so.map((x) => x.bits)).toEqual(Array.from({ length: 15 }, (_, i) => i + 2));
      // The quantization error shrinks with width, so |ΔL| does (same trace for every width).
      expect(Math.abs(so[0]!.deltaLoss)).toBeGreaterThan(Math.abs(so[14]!.deltaLoss));
    }
    expect(d2).toBeGreaterThan(5 * Math.abs(d8));
    expect(s9).toBeGreaterThan(s1);
  });

  it('cancellation stops it with a CancelledError and frees everything', async () => {
    const before = tf.memory().numTensors;
    const signal = { aborted: false };
    const run = measureSensitivity(net, {
      source: validationSource(),
      batchSize: 16,
      hessian: false,
      signal,
      onProgress: (p) => {
        if (p.done === 2) signal.aborted = true;
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad candidates with the bad value', async () => {
    const source = validationSource();
    await expect(measureSensitivity(net, { source, bits: [1] })).rejects.toThrow(/got 1$/);
    await expect(measureSensitivity(net, { source, sparsities: [1] })).rejects.toThrow(
      /sparsities must be numbers in \(0, 1\), got 1/,
    );
    await expect(
      measureSensitivity(net, { source, hessian: { probes: 0, batches: 1 } }),
    ).rejects.toThrow(/hessian.probes must be an integer ≥ 1, got 0/);
  });
});
