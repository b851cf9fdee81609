/**
 * Calibration input batches drawn from a training BatchSource: a seeded shuffle (train/batching),
 * no augmentation by default, one tensor x [N,H,W,C] at a time (disposed when the consumer moves
 * on or stops).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchIndices, batchTensors, epochOrder } from '../../train/batching';
import type { BatchSource } from '../../train/types';
import { makeRng } from '../../util/rng';

export interface SourceCalibration {
  source: BatchSource;
  /** Default 64 (the seed's calibration batch size). */
  batchSize?: number;
  /** Shuffle / augmentation seed (default 0). */
  seed?: number;
  /** Default false: statistics of the images as evaluated. */
  augment?: boolean;
}

/** Up to `count` batches (fewer when the source runs out). */
export function* sourceBatches(c: SourceCalibration, count: number): Generator<tf.Tensor4D> {
  const batchSize = c.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`calibration batchSize must be an integer ≥ 1, got ${batchSize}`);
  const rng = makeRng(c.seed ?? 0);
  const order = epochOrder(c.source.size, rng);
  for (let b = 0; b < count; b++) {
    const idx = batchIndices(order, b, batchSize);
    if (idx.length === 0) return;
    const batch = c.source.batch(idx, c.augment ?? false, rng);
    const { x, y } = batchTensors(c.source, batch, idx.length);
    y.dispose();
    try {
      yield x;
    } finally {
      x.dispose();
    }
  }
}
