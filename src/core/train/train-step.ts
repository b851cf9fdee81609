/**
 * One SGD training step: forward in training mode and the loss under tf.variableGrads, the
 * optimizer update, then batch-norm running statistics (PyTorch order: the forward used the
 * batch statistics; running ones are updated alongside the step). The loss: cross-entropy of
 * the main output, or with `distill` Hinton et al.'s (2015) distillation loss against a teacher
 * run first, outside the tape (distillation.ts); plus, for each key of `extraLossWeights`, that
 * weight times the same loss on the model's extra output (e.g. an early-exit head, distilled
 * against the teacher's extra output of the same key when the teacher has one). The metrics get
 * the main output's loss. Every tensor created here is disposed before returning, except what
 * is added into the caller's accumulators.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../backend/register-gradients';
import type { Rng } from '../util/rng';
import { checkLabels } from './batching';
import { headLoss, type HeadLossSettings } from './distillation';
import { topKCountsTensor } from './metrics';
import type { NamedParam, Sgd } from './sgd';
import type { BnStats, DistillOptions, TeacherOutput, TrainableModel, TrainForward } from './types';

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

/** Runs one step on (x [N,H,W,C], y [N] int32) and adds loss / top-1 into `acc`. */
export function trainStep(
  s: StepInputs,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  yData: Int32Array,
  acc: StepAccumulators,
): void {
  let stats: ReadonlyMap<string, BnStats> | undefined;
  let counts: tf.Tensor | undefined;
  let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
  let teacher: TeacherOutput | undefined;
  let mainLoss: tf.Scalar | undefined;
  let problem: string | undefined;
  let numClasses = 0;
  try {
    teacher = s.distill ? runTeacher(s.distill, x) : undefined;
    result = tf.variableGrads(
      () => {
        const out = s.model.forwardTrain(x, s.rng);
        stats = out.bnBatchStats;
        keepStats(stats);
        numClasses = out.logits.shape[1]!; // labels are checked after the tape is closed
        counts = tf.keep(topKCountsTensor(out.logits, y)); // not on the loss path: no gradient
        const loss = stepLoss(s, out, teacher, y);
        if (loss.main !== loss.total) mainLoss = loss.main;
        problem = loss.problem;
        return loss.total;
      },
      s.params.map((p) => p.variable),
    );
    if (problem) throw new Error(problem); // before any update
    checkLabels(yData, numClasses); // before any update: a bad batch changes nothing
    const byName = new Map<string, tf.Tensor>();
    for (const p of s.params) {
      const g = result.grads[p.variable.name];
      if (g) byName.set(p.name, g);
    }
    s.optimizer.step(s.params, byName, s.lr);
    if (stats && s.model.applyBnUpdates) s.model.applyBnUpdates(stats);
    acc.add(mainLoss ?? result.value, counts!, y.shape[0]);
  } finally {
    if (result) tf.dispose([result.value, ...Object.values(result.grads)]);
    if (mainLoss) mainLoss.dispose();
    disposeTeacher(teacher);
    if (counts) counts.dispose();
    disposeStats(stats);
  }
}
