// The lab and PyTorch (python/micronet_lab_torch) compute the same things: the same network on
// the same inputs gives the same logits, the same SigmaMax quantizer the same values and STE
// gradients, and the recipe's fine-tuning steps from the same weights and batch the same weights.
// Lab side in-process on the tfjs cpu backend; torch side through python3 (skipped with a warning
// when no python3 has torch — CI installs Debian's python3-torch).
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeQuantSteSigmaMax } from '../compress/quant/fake-quant';
import { quantizeTensor } from '../compress/quant/quantize-weights';
import { buildTinyNet } from '../models/tiny';
import { buildFromZooName } from '../models/zoo';
import type { Recipe } from '../recipe';
import { makeRng } from '../util/rng';
import { writeLabCheckpoint } from './lab-checkpoint';
import { writeSafetensors, type SafeTensor } from './safetensors';
import { buildTorchJob, randomGolden, TORCH_JOB_TOLERANCE } from './torch-job';
import { allOpsGraph, lastJson, runPython, TORCH_PYTHON } from './torch-job.test-helpers';
import {
  CROSSCHECK,
  SGD_TOLERANCE,
  setCase,
  sgdCrosscheck,
  tmpDir,
  weightsFor,
} from './torch-crosscheck.test-helpers';

describe.skipIf(!TORCH_PYTHON)('lab ↔ PyTorch cross-checks', () => {
  it.each(['tiny', 'resnet-20', 'pyramidnet-basic-8-a48', 'all-ops'])('same logits: %s', (name) => {
    const graph = name === 'all-ops' ? allOpsGraph(true) : buildFromZooName(name);
    const golden = randomGolden(graph, 4, 7);
    const job = buildTorchJob({
      graph,
      weights: weightsFor(graph, 3),
      recipe: {},
      golden,
      info: {},
    });
    const dir = tmpDir();
    for (const [file, data] of job.files) fs.writeFileSync(path.join(dir, file), data);
    const r = runPython(['-m', 'micronet_lab_torch', 'check', dir]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = lastJson(r);
    expect(out.ok).toBe(true);
    const diffs = Object.values(out.maxAbsDiff as Record<string, number>);
    expect(diffs.length).toBe(name === 'all-ops' ? 2 : 1);
    for (const d of diffs) expect(d).toBeLessThan(TORCH_JOB_TOLERANCE);
  });

  it('check fails loudly (exit 1) when the logits differ', () => {
    const graph = buildFromZooName('tiny');
    const w = weightsFor(graph, 3);
    const job = buildTorchJob({
      graph,
      weights: w,
      recipe: {},
      golden: randomGolden(graph, 2, 1),
      info: {},
    });
    const dir = tmpDir();
    for (const [file, data] of job.files) fs.writeFileSync(path.join(dir, file), data);
    w.get('fc.bias')!.data[0]! += 1e-3;
    fs.writeFileSync(path.join(dir, 'model.safetensors'), writeLabCheckpoint(graph, w));
    const r = runPython(['-m', 'micronet_lab_torch', 'check', dir]);
    expect(r.code).toBe(1);
    expect(lastJson(r).ok).toBe(false);
  });

  it('same quantizer: SigmaMax per tensor and per channel, values and STE gradients', () => {
    const cases = [
      { bits: 8, lambda: 10, channel: false },
      { bits: 4, lambda: 10, channel: true },
      { bits: 6, lambda: 2, channel: false },
      { bits: 3, lambda: 1.5, channel: true },
      { bits: 16, lambda: 10, channel: false },
    ];
    const rng = makeRng(11);
    const tensors = new Map<string, SafeTensor>();
    cases.forEach((c, i) => {
      const [rows, cols] = [48, 6];
      const x = Float32Array.from(
        { length: rows * cols },
        (_, j) => (rng() - 0.4) * 10 ** ((j % cols) - 3),
      );
      const dy = Float32Array.from({ length: rows * cols }, () => rng() - 0.5);
      const channels = c.channel ? cols : undefined;
      const [q, g] = tf.tidy(() => {
        const xt = tf.tensor2d(x, [rows, cols]);
        const f = (v: tf.Tensor) => fakeQuantSteSigmaMax(v, c.bits, c.lambda, channels);
        const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), tf.tensor2d(dy, [rows, cols]))));
        return [f(xt).dataSync() as Float32Array, grad(xt).dataSync() as Float32Array];
      });
      const spec = { bits: c.bits, lambda: c.lambda, method: 'sigmamax' as const, channels };
      const cpu = quantizeTensor({ shape: [rows, cols], data: x }, spec).tensor.data;
      setCase(tensors, i, [rows, cols], { x, dy, q, g, cpu });
    });
    const file = path.join(tmpDir(), 'quant.safetensors');
    fs.writeFileSync(file, writeSafetensors(tensors, { cases: JSON.stringify(cases) }));
    const r = runPython([CROSSCHECK, 'quant', file]);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r).cases as {
      device: number;
      cpu: number;
      grad: number;
      clipped: number;
    }[];
    expect(out).toHaveLength(cases.length);
    for (const c of out) expect([c.device, c.cpu, c.grad]).toEqual([0, 0, 0]);
    expect(out.some((c) => c.clipped > 0)).toBe(true); // the STE's clipped range was exercised
  });

  const qatRecipe: Recipe = {
    sparsity: 0.5,
    weightBits: 6,
    activationBits: 8,
    weightGranularity: 'channel',
    foldBN: false,
    fineTune: {
      epochs: 2,
      batchSize: 16,
      learningRate: 0.05,
      qat: true,
      distill: { temperature: 4, weight: 0.7 },
      exitLossWeight: 0.5,
    },
  };
  const sgdCases: [string, string, Recipe][] = [
    [
      'plain SGD (momentum, weight decay)',
      'tiny',
      { fineTune: { epochs: 2, batchSize: 16, learningRate: 0.1 } },
    ],
    ['masks + per-channel QAT + distillation + exit head', 'all-ops', qatRecipe],
    [
      'the same with frozen, folded batch norms',
      'all-ops',
      { ...qatRecipe, foldBN: true, fineTune: { ...qatRecipe.fineTune, freezeBatchNorm: true } },
    ],
  ];

  it.each(sgdCases)('same fine-tuning steps: %s', async (_, name, recipe) => {
    const graph = name === 'all-ops' ? allOpsGraph(false) : buildTinyNet({ inputSize: 8 });
    const w0 = weightsFor(graph, 5);
    const golden = randomGolden(graph, 16, 9);
    golden.labels.forEach((_, i) => (golden.labels[i] = (i * 7) % graph.numClasses));
    const actQuant = Object.fromEntries(
      graph.nodes
        .filter((n) => ['conv2d', 'depthwise2d', 'dense'].includes(n.spec.op))
        .map((n) => [n.name, { bits: 8, bp: 4 }]),
    );
    const out = await sgdCrosscheck(graph, w0, recipe, actQuant, golden);
    expect(out.maxMoved).toBeGreaterThan(1e-3); // the steps changed the weights
    expect(out.sameZeros).toBe(true);
    expect(out.maxAbsDiff, out.worst).toBeLessThan(SGD_TOLERANCE);
  });
});
