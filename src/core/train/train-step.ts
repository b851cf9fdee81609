/**
 * One SGD training step: forward in training mode and cross-entropy under tf.variableGrads,
 * the optimizer update, then batch-norm running statistics (PyTorch order: the forward used the
 * batch statistics; running ones are updated alongside the step). Every tensor created here is
 * disposed before returning, except what is added into the caller's accumulators.
 */
import * as tf from '@tensorflow/tfjs-core';
import '../backend/register-gradients';
import type { Rng } from '../util/rng';
import { checkLabels } from './batching';
import { softmaxCrossEntropy } from './loss';
import { topKCountsTensor } from './metrics';
import type { NamedParam, Sgd } from './sgd';
import type { BnStats, TrainableModel } from './types';

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
  let numClasses = 0;
  try {
    result = tf.variableGrads(
      () => {
        const out = s.model.forwardTrain(x, s.rng);
        stats = out.bnBatchStats;
        keepStats(stats);
        numClasses = out.logits.shape[1]!; // labels are checked after the tape is closed
        counts = tf.keep(topKCountsTensor(out.logits, y)); // not on the loss path: no gradient
        return softmaxCrossEntropy(out.logits, y, s.labelSmoothing);
      },
      s.params.map((p) => p.variable),
    );
    checkLabels(yData, numClasses); // before any update: a bad batch changes nothing
    const byName = new Map<string, tf.Tensor>();
    for (const p of s.params) {
      const g = result.grads[p.variable.name];
      if (g) byName.set(p.name, g);
    }
    s.optimizer.step(s.params, byName, s.lr);
    if (stats && s.model.applyBnUpdates) s.model.applyBnUpdates(stats);
    acc.add(result.value, counts!, y.shape[0]);
  } finally {
    if (result) tf.dispose([result.value, ...Object.values(result.grads)]);
    if (counts) counts.dispose();
    disposeStats(stats);
  }
}
