// The lab and PyTorch (python/micronet_lab_torch) compute the same things: the same network on
// the same inputs gives the same logits, the same SigmaMax quantizer the same values and STE
// gradients, and the recipe's fine-tuning steps from the same weights and batch the same weights.
// Lab side in-process on the tfjs cpu backend; torch side through python3 (skipped with a warning
// when no python3 has torch — CI installs Debian's python3-torch).
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeQuantSteSigmaMax } from '../compress/quant/fake-quant';
import { qatModel } from '../compress/quant/qat';
import { quantizeTensor } from '../compress/quant/quantize-weights';
import { gradualPrune } from '../compress/sparsity';
import type { Graph, Weights } from '../graph/ir';
import { Network } from '../graph/network';
import { initWeights } from '../graph/params';
import { buildTinyNet } from '../models/tiny';
import { buildFromZooName } from '../models/zoo';
import type { Recipe } from '../recipe';
import { networkModel } from '../train/network-model';
import type { BatchSource } from '../train/types';
import { makeRng } from '../util/rng';
import { writeLabCheckpoint } from './lab-checkpoint';
import { writeSafetensors, type SafeTensor } from './safetensors';
import { buildTorchJob, randomGolden, TORCH_JOB_TOLERANCE } from './torch-job';
import {
  allOpsGraph,
  lastJson,
  PYTHON_DIR,
  runPython,
  TORCH_PYTHON,
} from './torch-job.test-helpers';

const CROSSCHECK = path.join(PYTHON_DIR, 'tests', 'crosscheck.py');
/** Largest weight difference after the fine-tuning steps (float32 summation order only). */
const SGD_TOLERANCE = 2e-5;

const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-torch-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Seeded weights with batch norms made non-trivial (running stats, γ, β off their init). */
function weightsFor(graph: Graph, seed: number): Weights {
  const w = initWeights(graph, seed);
  const rng = makeRng(seed + 1);
  for (const n of graph.nodes) {
    if (n.spec.op !== 'batchnorm') continue;
    for (const kind of ['weight', 'bias', 'running_mean', 'running_var']) {
      const t = w.get(`${n.name}.${kind}`)!;
      const positive = kind === 'weight' || kind === 'running_var';
      t.data = t.data.map(() => (positive ? 0.5 + rng() : 0.4 * (rng() - 0.5)));
    }
  }
  return w;
}

function f32(shape: number[], data: Float32Array): SafeTensor {
  return { dtype: 'F32', shape, data };
}

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
      for (const [k, v] of [
        ['x', x],
        ['dy', dy],
        ['q', q],
        ['g', g],
        ['cpu', cpu],
      ] as const)
        tensors.set(`${k}.${i}`, f32([rows, cols], v));
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
    const after = await labFineTune(graph, w0, recipe, actQuant, golden.x, golden.labels);
    const dir = tmpDir();
    const shape = inputShape(graph);
    fs.writeFileSync(path.join(dir, 'model.safetensors'), writeLabCheckpoint(graph, w0));
    fs.writeFileSync(path.join(dir, 'lab.safetensors'), writeLabCheckpoint(graph, after));
    const batch = new Map<string, SafeTensor>([
      ['x', f32([16, ...shape], golden.x)],
      ['y', { dtype: 'I32', shape: [16], data: golden.labels }],
    ]);
    fs.writeFileSync(path.join(dir, 'batch.safetensors'), writeSafetensors(batch));
    const steps = recipe.fineTune?.epochs ?? 1;
    const caseJson = { recipe, steps, activationQuant: recipe.fineTune?.qat ? actQuant : null };
    fs.writeFileSync(path.join(dir, 'case.json'), JSON.stringify(caseJson));
    const r = runPython([CROSSCHECK, 'sgd', dir]);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r) as {
      maxAbsDiff: number;
      worst: string;
      maxMoved: number;
      sameZeros: boolean;
    };
    expect(out.maxMoved).toBeGreaterThan(1e-3); // the steps changed the weights
    expect(out.sameZeros).toBe(true);
    expect(out.maxAbsDiff, out.worst).toBeLessThan(SGD_TOLERANCE);
  });
});

function inputShape(graph: Graph): [number, number, number] {
  const s = graph.nodes.find((n) => n.spec.op === 'input')!.spec;
  if (s.op !== 'input') throw new Error('no input');
  return [s.height, s.width, s.channels];
}

/** The recipe's fine-tuning as run-recipe.ts runs it (gradualPrune), on one fixed batch. */
async function labFineTune(
  graph: Graph,
  w0: Weights,
  recipe: Recipe,
  actQuant: Record<string, { bits: number; bp: number }>,
  x: Float32Array,
  y: Int32Array,
): Promise<Weights> {
  const shape = inputShape(graph);
  const per = shape[0] * shape[1] * shape[2];
  const source: BatchSource = {
    size: y.length,
    imageShape: shape,
    batch: (idx) => {
      const ix = Array.from(idx);
      const xs = new Float32Array(ix.length * per);
      ix.forEach((i, j) => xs.set(x.subarray(i * per, (i + 1) * per), j * per));
      return { x: xs, y: Int32Array.from(ix, (i) => y[i]!) };
    },
  };
  const student = Network.fromWeights(graph, w0);
  const teacher = Network.fromWeights(graph, w0);
  const ft = recipe.fineTune ?? {};
  try {
    const model = ft.qat
      ? async () => qatModel(student, recipe, actQuant, { freezeBatchNorm: ft.freezeBatchNorm })
      : ft.freezeBatchNorm
        ? async () => networkModel(student, { frozenBatchNorm: true })
        : undefined;
    const teacherOut = (t: tf.Tensor4D) => {
      const r = teacher.forward(t, { training: false });
      return { logits: r.output, extra: r.extra };
    };
    const losses = {
      ...(graph.extraOutputs?.exit && { extraLossWeights: { exit: ft.exitLossWeight ?? 1 } }),
      ...(ft.distill && {
        distill: {
          teacher: teacherOut,
          temperature: ft.distill.temperature ?? 4,
          weight: ft.distill.weight ?? 0.9,
        },
      }),
    };
    await gradualPrune({ net: student, source, recipe, seed: 0, model, losses });
    return await student.toWeightsAsync();
  } finally {
    student.dispose();
    teacher.dispose();
  }
}
