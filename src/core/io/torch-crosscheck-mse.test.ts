// The lab's least-squared-error fixed point (quantMethod / activationMethod 'mse') and zero-point
// activations (activationZeroPoint) computed the same way in PyTorch (python/micronet_lab_torch,
// issue 16): the same exponents, values and STE gradients per tensor and per channel; the same
// (bp, zero point) for activation samples; the same calibrated quantizers from the same batches
// (samples taken channel-last in both); and the same fine-tuning steps under a recipe with held
// MSE weight exponents and zero-point activations (with and without frozen, folded batch norms).
// Skipped with a warning when no python3 has torch (CI installs Debian's python3-torch).
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateActivations, type ActivationQuant } from '../compress/quant/calibrate';
import { channelBinaryPoints, chooseBinaryPoint, mseAsymmetric } from '../compress/quant/exponents';
import { fakeQuantSte, fakeQuantSteChannels } from '../compress/quant/fake-quant';
import { Network } from '../graph/network';
import type { Recipe } from '../recipe';
import { makeRng } from '../util/rng';
import { writeLabCheckpoint } from './lab-checkpoint';
import { writeSafetensors, type SafeTensor } from './safetensors';
import { randomGolden } from './torch-job';
import {
  CROSSCHECK,
  f32,
  inputShape,
  SGD_TOLERANCE,
  setCase,
  sgdCrosscheck,
  tmpDir,
  weightsFor,
} from './torch-crosscheck.test-helpers';
import { allOpsGraph, lastJson, runPython, TORCH_PYTHON } from './torch-job.test-helpers';

function python<T>(args: string[]): T {
  const r = runPython([CROSSCHECK, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return lastJson(r) as T;
}

/** Gaussian-ish values with a few outliers, so that the least-squared-error choice clips. */
function withOutliers(n: number, rng: () => number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => {
    const g = (rng() + rng() + rng() - 1.5) * scale;
    return i % 97 === 5 ? g * 40 : g;
  });
}

describe.skipIf(!TORCH_PYTHON)('lab ↔ PyTorch cross-checks: MSE exponents and zero points', () => {
  it('same MSE quantizer per tensor and per channel: exponents, values, STE gradients', () => {
    const cases = [
      { bits: 8, channel: false },
      { bits: 6, channel: true },
      { bits: 4, channel: true },
      { bits: 3, channel: false },
    ];
    const [rows, cols] = [200, 6];
    const rng = makeRng(21);
    const tensors = new Map<string, SafeTensor>();
    const labBps: number[][] = [];
    cases.forEach((c, i) => {
      const x = withOutliers(rows * cols, rng, 0.05);
      for (let j = 0; j < cols; j++) x[j] = 0; // a row of zeros: no channel is all zero, …
      if (c.channel) for (let r = 0; r < rows; r++) x[r * cols + 3] = 0; // … except channel 3
      const dy = Float32Array.from({ length: rows * cols }, () => rng() - 0.5);
      const choice = { bits: c.bits, lambda: 10, method: 'mse' as const };
      const bps = c.channel ? channelBinaryPoints(x, cols, choice) : [chooseBinaryPoint(x, choice)];
      labBps.push(bps);
      const [q, g] = tf.tidy(() => {
        const f = (v: tf.Tensor) =>
          c.channel ? fakeQuantSteChannels(v, c.bits, bps) : fakeQuantSte(v, c.bits, bps[0]!);
        const dyT = tf.tensor2d(dy, [rows, cols]);
        const xt = tf.tensor2d(x, [rows, cols]);
        const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dyT)));
        return [f(xt).dataSync() as Float32Array, grad(xt).dataSync() as Float32Array];
      });
      setCase(tensors, i, [rows, cols], { x, dy, q, g });
    });
    const file = path.join(tmpDir(), 'mse.safetensors');
    fs.writeFileSync(file, writeSafetensors(tensors, { cases: JSON.stringify(cases) }));
    const out = python<{ cases: { bp: number[]; values: number; grad: number }[] }>(['mse', file]);
    expect(out.cases.map((c) => c.bp)).toEqual(labBps);
    for (const c of out.cases) expect([c.values, c.grad]).toEqual([0, 0]);
    expect(labBps[2]![3]).toBe(3); // the all-zero channel: bits − 1
  });

  it('same zero-point exponents for activation samples', () => {
    const rng = makeRng(5);
    const swish = (v: number) => v / (1 + Math.exp(-v));
    const vectors: [number, Float32Array][] = [
      [8, Float32Array.from({ length: 5000 }, () => swish((rng() - 0.5) * 12))],
      [8, Float32Array.from({ length: 3000 }, () => rng() * 6)], // ≥ 0: zero point 0
      [6, withOutliers(4000, rng, 1)],
      [4, Float32Array.from({ length: 100 }, () => -rng())], // ≤ 0 only
      [8, new Float32Array(10)], // zeros
    ];
    const tensors = new Map<string, SafeTensor>();
    vectors.forEach(([, v], i) => tensors.set(`v.${i}`, f32([v.length], v)));
    const cases = vectors.map(([bits]) => ({ bits }));
    const file = path.join(tmpDir(), 'asym.safetensors');
    fs.writeFileSync(file, writeSafetensors(tensors, { cases: JSON.stringify(cases) }));
    const out = python<{ cases: { bp: number; zeroPoint: number }[] }>(['asym', file]);
    const lab = vectors.map(([bits, v]) => mseAsymmetric(v, bits));
    expect(out.cases).toEqual(lab);
    expect(lab[0]!.zeroPoint).toBeGreaterThan(0);
    expect(lab[1]!.zeroPoint).toBe(0);
  });

  it.each<[string, Recipe]>([
    ['MSE, signed', { activationBits: 8, activationMethod: 'mse' }],
    [
      'MSE with zero points, one layer at 6 bits',
      {
        activationBits: 8,
        quantMethod: 'mse',
        activationZeroPoint: true,
        layerBits: { se_expand: { activation: 6 } },
      },
    ],
  ])('same calibrated activation quantizers: %s', async (_, recipe) => {
    const graph = allOpsGraph(false);
    const w = weightsFor(graph, 4);
    const shape = inputShape(graph);
    const per = shape[0] * shape[1] * shape[2];
    const rng = makeRng(8);
    // 40 images: the stem's input (18×18×3 each) is sampled at stride 3, so the lab's channel-last
    // sample holds channel 0 only — made to differ from the others (a channel-first sample would
    // mix them and give another zero point).
    const xs = [0, 1].map(() =>
      Float32Array.from({ length: 40 * per }, (_, i) =>
        i % 3 === 0 ? 2 + rng() : 0.2 * (rng() - 0.5),
      ),
    );
    const net = Network.fromWeights(graph, w);
    const batches = xs.map((x) => tf.tensor4d(x, [40, ...shape]));
    let lab: Record<string, ActivationQuant>;
    try {
      lab = await calibrateActivations({ graph, params: net.lookup(), batches, recipe });
    } finally {
      tf.dispose(batches);
      net.dispose();
    }
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'model.safetensors'), writeLabCheckpoint(graph, w));
    const b = new Map(xs.map((x, i) => [`b.${i}`, f32([40, ...shape], x)] as const));
    fs.writeFileSync(path.join(dir, 'batches.safetensors'), writeSafetensors(b));
    fs.writeFileSync(path.join(dir, 'recipe.json'), JSON.stringify(recipe));
    const torch = python<{ quant: Record<string, ActivationQuant> }>(['calib', dir]).quant;
    expect(Object.keys(torch).sort()).toEqual(Object.keys(lab).sort());
    for (const [name, q] of Object.entries(lab)) {
      const t = torch[name]!;
      expect({ bits: t.bits, bp: t.bp, zeroPoint: t.zeroPoint }, name).toEqual({
        bits: q.bits,
        bp: q.bp,
        zeroPoint: q.zeroPoint,
      });
      expect(Math.abs(t.mean - q.mean), name).toBeLessThan(1e-5 * (Math.abs(q.mean) + q.std));
      expect(Math.abs(t.std - q.std), name).toBeLessThan(1e-5 * q.std);
    }
    if (recipe.activationZeroPoint)
      expect(Object.values(lab).some((q) => q.zeroPoint! > 0)).toBe(true);
  });

  const mseRecipe: Recipe = {
    sparsity: 0.5,
    weightBits: 6,
    activationBits: 8,
    weightGranularity: 'channel',
    quantMethod: 'mse',
    activationZeroPoint: true,
    foldBN: false,
    fineTune: {
      epochs: 3,
      batchSize: 16,
      learningRate: 0.05,
      qat: true,
      distill: { temperature: 4, weight: 0.7 },
      exitLossWeight: 0.5,
    },
  };
  it.each<[string, Recipe]>([
    ['held MSE weight exponents + zero-point activations', mseRecipe],
    [
      'the same with frozen, folded batch norms',
      { ...mseRecipe, foldBN: true, fineTune: { ...mseRecipe.fineTune, freezeBatchNorm: true } },
    ],
  ])('same fine-tuning steps: %s', async (_, recipe) => {
    const graph = allOpsGraph(false);
    const w0 = weightsFor(graph, 5);
    const golden = randomGolden(graph, 16, 9);
    golden.labels.forEach((_, i) => (golden.labels[i] = (i * 7) % graph.numClasses));
    const actQuant = Object.fromEntries(
      graph.nodes
        .filter((n) => ['conv2d', 'depthwise2d', 'dense'].includes(n.spec.op))
        .map((n, i) => [n.name, { bits: 8, bp: 5, zeroPoint: (i * 37) % 256 }]),
    );
    const out = await sgdCrosscheck(graph, w0, recipe, actQuant, golden);
    expect(out.maxMoved).toBeGreaterThan(1e-3); // the steps changed the weights
    expect(out.sameZeros).toBe(true);
    expect(out.maxAbsDiff, out.worst).toBeLessThan(SGD_TOLERANCE);
  });
});
