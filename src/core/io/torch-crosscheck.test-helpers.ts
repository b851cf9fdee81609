// Shared by the lab ↔ PyTorch cross-check tests (torch-crosscheck*.test.ts): temporary folders,
// seeded weights with non-trivial batch norms, and the recipe's fine-tuning as the lab runs it.
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { qatModel } from '../compress/quant/qat';
import { gradualPrune } from '../compress/sparsity';
import type { Graph, Weights } from '../graph/ir';
import { Network } from '../graph/network';
import { initWeights } from '../graph/params';
import type { Recipe } from '../recipe';
import { networkModel } from '../train/network-model';
import type { BatchSource } from '../train/types';
import { makeRng } from '../util/rng';
import type { SafeTensor } from './safetensors';
import { lastJson, PYTHON_DIR, runPython } from './torch-job.test-helpers';
import { writeLabCheckpoint } from './lab-checkpoint';
import { writeSafetensors } from './safetensors';

export const CROSSCHECK = path.join(PYTHON_DIR, 'tests', 'crosscheck.py');
/** Largest weight difference after the fine-tuning steps (float32 summation order only). */
export const SGD_TOLERANCE = 2e-5;

export interface SgdCrosscheck {
  maxAbsDiff: number;
  worst: string;
  maxMoved: number;
  sameZeros: boolean;
}

/**
 * The recipe's fine-tuning steps on one batch in the lab (labFineTune) and in torch (crosscheck.py
 * sgd) from the same weights w0; torch's report of how far apart the results are.
 */
export async function sgdCrosscheck(
  graph: Graph,
  w0: Weights,
  recipe: Recipe,
  actQuant: Record<string, { bits: number; bp: number; zeroPoint?: number }>,
  golden: { x: Float32Array; labels: Int32Array },
): Promise<SgdCrosscheck> {
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
  if (r.code !== 0) throw new Error(`crosscheck.py sgd failed (${r.code}): ${r.stderr}`);
  return lastJson(r) as unknown as SgdCrosscheck;
}

/** Case i's arrays as tensors `${key}.${i}` of one shape (crosscheck.py's file layout). */
export function setCase(
  tensors: Map<string, SafeTensor>,
  i: number,
  shape: number[],
  arrays: Record<string, Float32Array>,
): void {
  for (const [k, v] of Object.entries(arrays)) tensors.set(`${k}.${i}`, f32(shape, v));
}

const dirs: string[] = [];
export function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mnl-torch-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Seeded weights with batch norms made non-trivial (running stats, γ, β off their init). */
export function weightsFor(graph: Graph, seed: number): Weights {
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

export function f32(shape: number[], data: Float32Array): SafeTensor {
  return { dtype: 'F32', shape, data };
}

export function inputShape(graph: Graph): [number, number, number] {
  const s = graph.nodes.find((n) => n.spec.op === 'input')!.spec;
  if (s.op !== 'input') throw new Error('no input');
  return [s.height, s.width, s.channels];
}

/** The recipe's fine-tuning as run-recipe.ts runs it (gradualPrune), on one fixed batch. */
export async function labFineTune(
  graph: Graph,
  w0: Weights,
  recipe: Recipe,
  actQuant: Record<string, { bits: number; bp: number; zeroPoint?: number }>,
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
