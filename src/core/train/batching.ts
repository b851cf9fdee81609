/**
 * Seeded epoch orders and batch slicing. Every epoch draws its shuffle, augmentation and model
 * randomness (ShakeDrop) from its own stream, derived from (seed, epoch, stream) by an integer
 * hash, so a run resumed at epoch e replays exactly what an uninterrupted run would have done.
 */
import * as tf from '@tensorflow/tfjs-core';
import { makeRng, shuffleInPlace, type Rng } from '../util/rng';
import type { Batch, BatchSource } from './types';

export const RNG_STREAMS = { shuffle: 0, augment: 1, model: 2 } as const;

/** 32-bit seed from integer parts (murmur3-style finaliser over each part). */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

export function epochRng(seed: number, epoch: number, stream: number): Rng {
  return makeRng(deriveSeed(seed, epoch, stream));
}

/** A seeded permutation of [0, size). */
/**
 * Epoch `epoch`'s window of `images` records out of `size` when epochs are shorter than the data
 * (TrainOptions.epochImages): records (epoch·images + i) mod size, i < images — consecutive
 * epochs walk through the whole set — in a random order from `rng`.
 */
export function windowOrder(size: number, images: number, epoch: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(images);
  const start = (epoch * images) % size;
  for (let i = 0; i < images; i++) order[i] = (start + i) % size;
  shuffleInPlace(order, rng);
  return order;
}

export function epochOrder(size: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  shuffleInPlace(order, rng);
  return order;
}

/**
 * Batches per epoch. A trailing batch smaller than 2 is always dropped (batch-norm needs ≥ 2
 * examples for an unbiased variance); with dropLast any partial batch is.
 */
export function batchesPerEpoch(size: number, batchSize: number, dropLast: boolean): number {
  if (!Number.isInteger(batchSize) || batchSize < 2)
    throw new Error(`batchSize must be an integer ≥ 2, got ${batchSize}`);
  if (size < 2) throw new Error(`the data source needs ≥ 2 examples, has ${size}`);
  const full = Math.floor(size / batchSize);
  const rest = size - full * batchSize;
  return full + (!dropLast && rest >= 2 ? 1 : 0);
}

/** Indices of batch `b` of an epoch order. */
export function batchIndices(order: Uint32Array, b: number, batchSize: number): Uint32Array {
  return order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
}

/** A batch's tensors, validated: x [n, H, W, C] float32, y [n] int32. */
export function batchTensors(
  source: BatchSource,
  batch: Batch,
  n: number,
): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [h, w, c] = source.imageShape ?? [32, 32, 3];
  if (batch.x.length !== n * h * w * c) {
    throw new Error(
      `batch x has ${batch.x.length} values, expected ${n}×${h}×${w}×${c} = ${n * h * w * c}`,
    );
  }
  if (batch.y.length !== n) throw new Error(`batch y has ${batch.y.length} labels, expected ${n}`);
  return { x: tf.tensor4d(batch.x, [n, h, w, c], 'float32'), y: tf.tensor1d(batch.y, 'int32') };
}

/** Throws when a label is outside [0, numClasses). */
export function checkLabels(y: Int32Array, numClasses: number): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (!(v >= 0 && v < numClasses))
      throw new Error(`label ${v} at batch position ${i} is outside [0, ${numClasses})`);
  }
}
