/**
 * Picks a few seeded-random images of a split (the worker draws a fresh seed per load, so a
 * reload shows other images) and converts them from CIFAR's planar CHW bytes to RGBA for canvas
 * ImageData (32×32×4 each).
 */
import type { CifarSplit } from '../core/data/types';
import { makeRng, randInt } from '../core/util/rng';
import type { SampleImages, SplitName } from './lab-types';

const SIDE = 32;
const PLANE = SIDE * SIDE;

/** CHW (3 planes of 1024) → RGBA (1024 × 4), written into `out` at `offset`. */
export function chwToRgba(chw: Uint8Array, out: Uint8ClampedArray, offset: number): void {
  for (let p = 0; p < PLANE; p++) {
    const o = offset + p * 4;
    out[o] = chw[p]!;
    out[o + 1] = chw[PLANE + p]!;
    out[o + 2] = chw[2 * PLANE + p]!;
    out[o + 3] = 255;
  }
}

/** A fresh seed per call, so every load (and every reload of the page) shows other images. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

/** `count` distinct images (fewer if the split is smaller), chosen by a seeded RNG. */
export function sampleImages(
  split: CifarSplit,
  name: SplitName,
  count: number,
  seed = 7,
): SampleImages {
  const n = Math.min(count, split.count);
  const rng = makeRng(seed);
  const picked = new Set<number>();
  while (picked.size < n) picked.add(randInt(rng, split.count));
  const indices = [...picked];
  const rgba = new Uint8ClampedArray(n * PLANE * 4);
  indices.forEach((idx, i) => {
    chwToRgba(split.images.subarray(idx * 3 * PLANE, (idx + 1) * 3 * PLANE), rgba, i * PLANE * 4);
  });
  return {
    split: name,
    count: n,
    rgba,
    fine: indices.map((i) => split.fine[i]!),
    coarse: indices.map((i) => split.coarse[i]!),
  };
}
