/**
 * The narrow interfaces the trainer needs: a model it can differentiate and a source of batches.
 * graph/Network fits TrainableModel through networkModel() (network-model.ts); data's makeBatch
 * fits BatchSource through a one-line closure.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng';
import type { TrainFootprint } from './micro-batch';

/** Batch statistics of one batch-norm layer (variance unbiased, as PyTorch's running_var uses). */
export interface BnStats {
  mean: tf.Tensor;
  variance: tf.Tensor;
}

export interface TrainForward {
  /** [N, numClasses] */
  logits: tf.Tensor;
  /** BN layer name → batch statistics; the trainer keeps them past the gradient tidy. */
  bnBatchStats?: ReadonlyMap<string, BnStats>;
  /** The graph's extra outputs (e.g. `{ exit: logits [N, K] }` of an early-exit head). */
  extra?: Record<string, tf.Tensor>;
}

/** What a distillation teacher returns for a batch: main logits and extra outputs. */
export interface TeacherOutput {
  logits: tf.Tensor;
  extra?: Record<string, tf.Tensor>;
}

/**
 * Distillation (train/distillation.ts): the teacher runs outside the gradient tape, inside a
 * tf.tidy, once per step; the trainer disposes what it returns after the step.
 */
export interface DistillOptions {
  teacher: (x: tf.Tensor4D) => TeacherOutput;
  /** T > 0. */
  temperature: number;
  /** Share of the soft (teacher) term, in [0, 1]. */
  weight: number;
}

/** Which micro-batch of a step a training forward runs (train-step.ts; absent: the whole batch). */
export interface MicroBatchPart {
  /** 0-based. */
  index: number;
  count: number;
}

export interface TrainableModel {
  /** Trainable variables, updated by the optimizer. */
  trainableVariables(): tf.Variable[];
  /** Parameter names index-aligned with trainableVariables() (weight decay exclusion, masks). */
  trainableNames(): string[];
  /**
   * Training-mode forward (batch statistics, random gates from `rng`); x: [N, H, W, C]. With
   * micro-batching (TrainOptions.microBatch) it runs once per micro-batch of a step, `part`
   * saying which; the weights do not change between the parts of a step.
   */
  forwardTrain(x: tf.Tensor4D, rng: Rng, part?: MicroBatchPart): TrainForward;
  /**
   * The graph the training forward runs, for the trainer's memory estimate (micro-batch.ts);
   * without it the automatic micro-batch is the whole batch.
   */
  readonly footprint?: TrainFootprint;
  /** running ← (1 − m)·running + m·batch; called after the optimizer step. Must not dispose. */
  applyBnUpdates?(stats: ReadonlyMap<string, BnStats>): void;
  /** Eval-mode logits [N, numClasses]; the caller disposes them. */
  predict(x: tf.Tensor4D): tf.Tensor;
}

/** A batch as plain arrays: x NHWC float32 (normalised), y class indices. */
export interface Batch {
  x: Float32Array;
  y: Int32Array;
}

export interface BatchSource {
  /** Number of examples; indices run over [0, size). */
  size: number;
  /** [H, W, C] of one example (default [32, 32, 3]). */
  imageShape?: [number, number, number];
  batch(indices: Uint32Array | number[], augment: boolean, rng: Rng): Batch;
}

/** Something that says whether work should stop (AbortSignal and TrainControl both fit). */
export interface CancelSignal {
  readonly aborted: boolean;
}

/** Thrown by evaluate() when its signal is aborted. */
export class CancelledError extends Error {
  override name = 'CancelledError';
}
