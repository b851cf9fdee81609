/**
 * Per-channel normalisation and batch assembly: uint8 CHW records → float32 NHWC batches.
 *
 * Bit-exact with torchvision's ToTensor + Normalize in float32: x = f32(u8 / 255), then
 * f32(f32(x − f32(mean)) / f32(std)). Each step of a float32 op is computed in double and
 * rounded once with Math.fround, which is exactly IEEE float32 arithmetic (double has more than
 * 2·24 + 2 bits). As there are only 256 input values per channel, a 3 × 256 lookup table holds
 * every possible result.
 */
import type { Rng } from '../util/rng';
import { type AugmentOptions, applyCutoutNHWC, augmentImage } from './augment';
import { type CifarSplit, DataError, IMAGE_BYTES, IMAGE_SIZE } from './types';

/** CIFAR-100 training-set channel statistics (R, G, B), as the seed and the oracles use. */
export const CIFAR100_MEAN = [0.5071, 0.4867, 0.4408] as const;
export const CIFAR100_STD = [0.2675, 0.2565, 0.2761] as const;

const PLANE = IMAGE_SIZE * IMAGE_SIZE;

/** lut[c·256 + v] = the normalised float32 value of byte v in channel c. [3·256] */
export function normalizationLut(
  mean: readonly number[] = CIFAR100_MEAN,
  std: readonly number[] = CIFAR100_STD,
): Float32Array {
  const f = Math.fround;
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const m = f(mean[c]!);
    const s = f(std[c]!);
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = f(f(f(v / 255) - m) / s);
  }
  return lut;
}

const DEFAULT_LUT = normalizationLut();

/** Writes one CHW uint8 image normalised into `out` at `offset` as HWC. [3,32,32] → [32,32,3] */
export function writeNormalizedHWC(
  chw: Uint8Array,
  out: Float32Array,
  offset: number,
  lut: Float32Array = DEFAULT_LUT,
): void {
  for (let p = 0; p < PLANE; p++) {
    const o = offset + p * 3;
    out[o] = lut[chw[p]!]!;
    out[o + 1] = lut[256 + chw[PLANE + p]!]!;
    out[o + 2] = lut[512 + chw[2 * PLANE + p]!]!;
  }
}

function checkIndex(split: CifarSplit, i: number): number {
  if (!(Number.isInteger(i) && i >= 0 && i < split.count)) {
    throw new DataError(`image index ${i} is outside 0…${split.count - 1}`);
  }
  return i * IMAGE_BYTES;
}

/** Normalised images `indices` of `split`, NHWC. → Float32Array [B, 32, 32, 3] */
export function imagesToNHWC(
  split: CifarSplit,
  indices: ArrayLike<number>,
  out?: Float32Array,
): Float32Array {
  const n = indices.length;
  const x = out ?? new Float32Array(n * IMAGE_BYTES);
  if (x.length < n * IMAGE_BYTES) {
    throw new DataError(`output buffer holds ${x.length} floats, need ${n * IMAGE_BYTES}`);
  }
  for (let b = 0; b < n; b++) {
    const at = checkIndex(split, indices[b]!);
    writeNormalizedHWC(split.images.subarray(at, at + IMAGE_BYTES), x, b * IMAGE_BYTES);
  }
  return x;
}

export interface Batch {
  /** [B, 32, 32, 3] normalised, NHWC */
  x: Float32Array;
  /** [B] fine labels */
  y: Int32Array;
  shape: [number, number, number, number];
}

export interface BatchOptions {
  /** Training augmentation (see augment.ts); omitted → none (evaluation). */
  augment?: AugmentOptions;
  /** Required when `augment` is given. */
  rng?: Rng;
  /** Reuse this buffer for x (length ≥ B·3072). */
  out?: Float32Array;
}

/** A batch of images `indices` with fine labels, optionally augmented (seeded). */
export function makeBatch(
  split: CifarSplit,
  indices: ArrayLike<number>,
  opts: BatchOptions = {},
): Batch {
  const n = indices.length;
  const y = new Int32Array(n);
  for (let b = 0; b < n; b++) {
    const i = indices[b]!;
    checkIndex(split, i);
    y[b] = split.fine[i]!;
  }
  const shape: Batch['shape'] = [n, IMAGE_SIZE, IMAGE_SIZE, 3];
  const { augment, rng } = opts;
  if (!augment) return { x: imagesToNHWC(split, indices, opts.out), y, shape };
  if (!rng) throw new DataError('makeBatch: augmentation needs an rng');
  const x = opts.out ?? new Float32Array(n * IMAGE_BYTES);
  for (let b = 0; b < n; b++) {
    const at = checkIndex(split, indices[b]!);
    const { image, cutout } = augmentImage(
      split.images.subarray(at, at + IMAGE_BYTES),
      augment,
      rng,
    );
    writeNormalizedHWC(image, x, b * IMAGE_BYTES);
    if (cutout) applyCutoutNHWC(x, b * IMAGE_BYTES, cutout);
  }
  return { x, y, shape };
}
