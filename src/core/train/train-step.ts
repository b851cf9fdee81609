/**
 * One SGD training step: forward in training mode and the loss under tf.variableGrads, the
 * optimizer update, then batch-norm running statistics (PyTorch order: the forward used the
 * batch statistics; running ones are updated alongside the step). The loss: cross-entropy of
 * the main output, or with `distill` Hinton et al.'s (2015) distillation loss against a teacher
 * run first, outside the tape (distillation.ts); plus, for each key of `extraLossWeights`, that
 * weight times the same loss on the model's extra output (e.g. an early-exit head, distilled
 * against the teacher's extra output of the same key when the teacher has one). The metrics get
 * the main output's loss. A batch may run as micro-batches with summed, weighted gradients
 * before the one optimizer step (trainStep). Every tensor created here is disposed before
 * returning, except what is added into the caller's accumulators.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../backend/register-gradients';
import type { Rng } from '../util/rng';
import { checkLabels } from './batching';
import { microBatchSizes } from './micro-batch';
import { headLoss, type HeadLossSettings } from './distillation';
import { topKCountsTensor } from './metrics';
import type { NamedParam, Sgd } from './sgd';
import type {
  BnStats,
  DistillOptions,
  MicroBatchPart,
  TeacherOutput,
  TrainableModel,
  TrainForward,
} from './types';

/** Device-side running sums for metrics (no download per step). */
export class StepAccumulators {
  /** Σ loss·n over the window. */
  readonly lossSum = tf.tidy(() => tf.variable(tf.scalar(0), false));
  /** Σ top-1 correct over the window. */
  readonly correct = tf.tidy(() => tf.variable(tf.scalar(0), false));

  /** loss: mean over the batch; counts: int32 [2] (top-1, top-5) from topKCountsTensor. */
  add(loss: tf.Scalar, counts: tf.Tensor, n: number): void {
    tf.tidy(() => {
      this.lossSum.assign(tf.add(this.lossSum, tf.mul(loss, n)));
      this.correct.assign(
        tf.add(this.correct, tf.cast(tf.sum(tf.slice(counts, [0], [1])), 'float32')),
      );
    });
  }

  /** Downloads and zeroes the sums. */
  async take(): Promise<{ lossSum: number; correct: number }> {
    const [l, c] = await Promise.all([this.lossSum.data(), this.correct.data()]);
    tf.tidy(() => {
      this.lossSum.assign(tf.scalar(0));
      this.correct.assign(tf.scalar(0));
    });
    return { lossSum: l[0]!, correct: c[0]! };
  }

  dispose(): void {
    this.lossSum.dispose();
    this.correct.dispose();
  }
}

export interface StepInputs {
  model: TrainableModel;
  params: NamedParam[];
  optimizer: Sgd;
  lr: number;
  labelSmoothing: number;
  rng: Rng;
  distill?: DistillOptions;
  /** Extra output key → weight of its loss (keys the model's forwardTrain must return). */
  extraLossWeights?: Record<string, number>;
  /** Images per forward + backward (default the whole batch); see trainStep. */
  microBatch?: number;
}

function keepStats(stats: ReadonlyMap<string, BnStats> | undefined): void {
  for (const s of stats?.values() ?? []) {
    tf.keep(s.mean);
    tf.keep(s.variance);
  }
}

function disposeStats(stats: ReadonlyMap<string, BnStats> | undefined): void {
  for (const s of stats?.values() ?? []) tf.dispose([s.mean, s.variance]);
}

/** The teacher's outputs for x, computed outside any tape; the caller disposes them. */
function runTeacher(d: DistillOptions, x: tf.Tensor4D): TeacherOutput {
  return tf.tidy(() => {
    const o = d.teacher(x);
    return { logits: o.logits, extra: o.extra ?? {} } as unknown as tf.TensorContainer;
  }) as unknown as TeacherOutput;
}

function disposeTeacher(t: TeacherOutput | undefined): void {
  if (t) tf.dispose([t.logits, ...Object.values(t.extra ?? {})]);
}

/**
 * Main loss (kept for the metrics when extra terms follow) and the total the tape
 * differentiates. A missing extra output is reported, not thrown: an exception inside the tape
 * would leak the tensors it saved.
 */
function stepLoss(
  s: StepInputs,
  out: TrainForward,
  teacher: TeacherOutput | undefined,
  y: tf.Tensor1D,
): { main: tf.Scalar; total: tf.Scalar; problem?: string } {
  const settings: HeadLossSettings = { labelSmoothing: s.labelSmoothing, distill: s.distill };
  const main = headLoss(out.logits, teacher?.logits, y, settings);
  const terms: tf.Scalar[] = [];
  for (const [key, w] of Object.entries(s.extraLossWeights ?? {})) {
    const logits = out.extra?.[key];
    if (!logits) {
      const has = Object.keys(out.extra ?? {}).join(', ') || 'none';
      const problem = `extraLossWeights names '${key}', but the model's training forward has no such extra output (has: ${has})`;
      return { main, total: main, problem };
    }
    if (w > 0) terms.push(tf.mul(headLoss(logits, teacher?.extra?.[key], y, settings), w));
  }
  if (terms.length === 0) return { main, total: main };
  return { main: tf.keep(main), total: tf.addN([main, ...terms]) };
}

/** What one micro-batch's tape leaves: owned by the caller until the step ends. */
interface PartResult {
  grads: tf.NamedTensorMap;
  /** The differentiated total (times the part's weight); set once the tape closed. */
  value?: tf.Scalar;
  /** The main output's unweighted loss when it is not `value` itself (metrics). */
  main?: tf.Scalar;
  counts?: tf.Tensor;
  stats?: ReadonlyMap<string, BnStats>;
  teacher?: TeacherOutput;
  size: number;
}

function disposePart(p: PartResult): void {
  if (p.value) p.value.dispose();
  tf.dispose(Object.values(p.grads));
  if (p.main) p.main.dispose();
  if (p.counts) p.counts.dispose();
  disposeTeacher(p.teacher);
  disposeStats(p.stats);
}

/**
 * Forward + backward of one micro-batch (x, y), its loss weighted by `weight` (size / B; 1 for
 * a whole batch, which then runs exactly as without micro-batching). Checks the labels and the
 * extra outputs before returning, so a bad batch changes nothing.
 */
function runPart(
  s: StepInputs,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  yData: Int32Array | undefined,
  weight: number,
  part: MicroBatchPart | undefined,
  out: PartResult[],
): void {
  const p: PartResult = { grads: {}, size: y.shape[0] };
  out.push(p); // disposed by the caller, whatever happens
  let problem: string | undefined;
  let numClasses = 0;
  p.teacher = s.distill ? runTeacher(s.distill, x) : undefined;
  const r = tf.variableGrads(
    () => {
      const f = s.model.forwardTrain(x, s.rng, part);
      p.stats = f.bnBatchStats;
      keepStats(p.stats);
      numClasses = f.logits.shape[1]!; // labels are checked after the tape is closed
      p.counts = tf.keep(topKCountsTensor(f.logits, y)); // not on the loss path: no gradient
      const loss = stepLoss(s, f, p.teacher, y);
      problem = loss.problem;
      const total = weight === 1 ? loss.total : tf.mul<tf.Scalar>(loss.total, weight);
      if (loss.main !== total) p.main = tf.keep(loss.main);
      return total;
    },
    s.params.map((q) => q.variable),
  );
  p.grads = r.grads;
  p.value = r.value;
  if (problem) throw new Error(problem); // before any update
  if (yData) checkLabels(yData, numClasses); // before any update: a bad batch changes nothing
}

/**
 * Batch statistics of the whole batch from its parts' (weights w_i = size_i / B): mean Σ w_i·m_i,
 * variance Σ w_i·(v_i + (m_i − m)²) — the pooled variance, equal to the whole batch's up to the
 * unbiased correction of each part (relative O(1 / elements per channel of a part)).
 */
function pooledStats(parts: PartResult[], n: number): Map<string, BnStats> | undefined {
  const first = parts[0]!.stats;
  if (!first) return undefined;
  const out = new Map<string, BnStats>();
  for (const name of first.keys()) {
    const all = parts.map((p) => ({ s: p.stats?.get(name), w: p.size / n }));
    if (all.some((a) => !a.s)) throw new Error(`batch norm '${name}' missing in a micro-batch`);
    out.set(
      name,
      tf.tidy(() => {
        const mean = tf.addN(all.map((a) => tf.mul(a.s!.mean, a.w)));
        const spread = all.map((a) =>
          tf.mul(tf.add(a.s!.variance, tf.square(tf.sub(a.s!.mean, mean))), a.w),
        );
        return { mean, variance: tf.addN(spread) };
      }),
    );
  }
  return out;
}

/**
 * Runs one step on (x [N,H,W,C], y [N] int32) and adds loss / top-1 into `acc`. With
 * `s.microBatch` < N the batch runs as ⌈N / microBatch⌉ micro-batches (micro-batch.ts
 * microBatchSizes) whose losses are weighted size_i / N, so the summed gradients are the whole
 * batch's except for batch norm: each micro-batch normalises with its own statistics ("ghost
 * batch norm"), and the running statistics are updated once, from the pooled statistics of the
 * whole batch (pooledStats) — as one whole-batch step would.
 */
export function trainStep(
  s: StepInputs,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  yData: Int32Array,
  acc: StepAccumulators,
): void {
  const n = y.shape[0];
  const sizes = microBatchSizes(n, Math.min(n, s.microBatch ?? n));
  const parts: PartResult[] = [];
  let summed: Map<string, tf.Tensor> | undefined;
  let pooled: Map<string, BnStats> | undefined;
  try {
    if (sizes.length === 1) runPart(s, x, y, yData, 1, undefined, parts);
    let start = 0;
    for (let i = 0; sizes.length > 1 && i < sizes.length; i++) {
      const size = sizes[i]!;
      const xi = tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
      const yi = tf.slice(y, [start], [size]);
      try {
        const part = { index: i, count: sizes.length };
        runPart(s, xi, yi, i === 0 ? yData : undefined, size / n, part, parts);
      } finally {
        tf.dispose([xi, yi]);
      }
      summed = addGrads(summed, parts[i]!);
      start += size;
    }
    const grads = summed ?? new Map(Object.entries(parts[0]!.grads));
    const byName = new Map<string, tf.Tensor>();
    for (const p of s.params) {
      const g = grads.get(p.variable.name);
      if (g) byName.set(p.name, g);
    }
    s.optimizer.step(s.params, byName, s.lr);
    pooled = sizes.length > 1 ? pooledStats(parts, n) : undefined;
    const stats = pooled ?? parts[0]!.stats;
    if (stats && s.model.applyBnUpdates) s.model.applyBnUpdates(stats);
    for (const p of parts) acc.add(p.main ?? p.value!, p.counts!, p.size);
  } finally {
    for (const p of parts) disposePart(p);
    if (summed) tf.dispose([...summed.values()]);
    disposeStats(pooled);
  }
}

/** Moves the part's gradients into the running sum (variable name → tensor). */
function addGrads(sum: Map<string, tf.Tensor> | undefined, p: PartResult): Map<string, tf.Tensor> {
  const out = sum ?? new Map<string, tf.Tensor>();
  for (const [name, g] of Object.entries(p.grads)) {
    const prev = out.get(name);
    out.set(name, prev ? tf.add(prev, g) : g);
    if (prev) tf.dispose([prev, g]);
  }
  p.grads = {};
  return out;
}
