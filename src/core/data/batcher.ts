/**
 * Seeded epoch shuffling and batching: epoch e of a run with seed s visits the n examples in a
 * Fisher–Yates permutation drawn from mulberry32(hash(s, e)), so any epoch can be reproduced on
 * its own (resume after a checkpoint) and every epoch differs.
 */
import { makeRng, shuffleInPlace } from '../util/rng.ts';

/** 32-bit mix of (seed, epoch) (murmur3 finaliser), so nearby seeds give unrelated streams. */
export function epochSeed(seed: number, epoch: number): number {
  let h = (seed >>> 0) ^ Math.imul((epoch >>> 0) + 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A permutation of 0…n−1 for this (seed, epoch). [n] */
export function epochOrder(n: number, seed: number, epoch: number): Uint32Array {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`epochOrder: bad n ${n}`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, makeRng(epochSeed(seed, epoch)));
  return order;
}

/**
 * Splits `order` into consecutive batches (views, not copies). With `dropLast` a final partial
 * batch is left out; otherwise it is the last, shorter batch.
 */
export function batchIndices(
  order: Uint32Array,
  batchSize: number,
  dropLast = false,
): Uint32Array[] {
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  }
  const out: Uint32Array[] = [];
  for (let s = 0; s < order.length; s += batchSize) {
    const end = Math.min(order.length, s + batchSize);
    if (dropLast && end - s < batchSize) break;
    out.push(order.subarray(s, end));
  }
  return out;
}

/** Number of batches per epoch. */
export function batchCount(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}
