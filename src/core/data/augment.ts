/**
 * Standard CIFAR training augmentation on one uint8 CHW image [3, 32, 32], driven by a seeded Rng:
 * random crop after zero padding (pad 4, He et al. 2016), horizontal flip, Cutout (DeVries &
 * Taylor 2017) and optionally AutoAugment, in the order of the seed's Fast-AutoAugment pipeline:
 * AutoAugment → pad-crop → flip → (normalise) → cutout.
 *
 * Cutout is applied after normalisation and fills 0 there (= the channel mean), as the seed's
 * `CutoutDefault` multiplies the normalised tensor by a mask; its square (side `cutout`) is
 * centred on a uniform pixel and clipped at the borders, so it can cover less than size².
 */
import { type Rng, randInt } from '../util/rng';
import { autoAugment } from './autoaugment';
import { IMAGE_SIZE } from './types';

export interface AugmentOptions {
  /** Zero padding of the random crop (0 = no crop). */
  pad: number;
  flip: boolean;
  /** Side of the cutout square in pixels (0 = off). */
  cutout: number;
  autoAugment: boolean;
}

/** pad-4 crop + flip: the common CIFAR baseline. */
export const STANDARD_AUGMENT: AugmentOptions = {
  pad: 4,
  flip: true,
  cutout: 0,
  autoAugment: false,
};
/** As the seed trained: AutoAugment-style policy, pad-4 crop, flip, cutout 16. */
export const SEED_AUGMENT: AugmentOptions = { pad: 4, flip: true, cutout: 16, autoAugment: true };

const S = IMAGE_SIZE;
const PLANE = S * S;

/**
 * Crop of the zero-padded image at offset (dx, dy) ∈ [0, 2·pad]²: out(y, x) = src(y+dy−pad,
 * x+dx−pad), 0 outside. [3, 32, 32] → [3, 32, 32]
 */
export function padCrop(src: Uint8Array, dx: number, dy: number, pad: number): Uint8Array {
  const out = new Uint8Array(3 * PLANE);
  const ox = dx - pad;
  const oy = dy - pad;
  const x0 = Math.max(0, -ox);
  const x1 = Math.min(S, S - ox);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < S; y++) {
      const sy = y + oy;
      if (sy < 0 || sy >= S || x1 <= x0) continue;
      const from = c * PLANE + sy * S + ox;
      out.set(src.subarray(from + x0, from + x1), c * PLANE + y * S + x0);
    }
  }
  return out;
}

/** Mirror left–right. [3, 32, 32] → [3, 32, 32] */
export function hflip(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 * PLANE);
  for (let r = 0; r < 3 * S; r++) {
    const base = r * S;
    for (let x = 0; x < S; x++) out[base + x] = src[base + S - 1 - x]!;
  }
  return out;
}

/** Random pad-crop: draws dy then dx, each uniform in [0, 2·pad]. */
export function randomCrop(src: Uint8Array, rng: Rng, pad = 4): Uint8Array {
  const dy = randInt(rng, 2 * pad + 1);
  const dx = randInt(rng, 2 * pad + 1);
  return padCrop(src, dx, dy, pad);
}

/** Flips with probability ½ (one draw). */
export function randomFlip(src: Uint8Array, rng: Rng): Uint8Array {
  return rng() < 0.5 ? hflip(src) : src;
}

/** The cutout square [y1, y2) × [x1, x2) centred on (cy, cx), clipped to the image. */
export interface CutoutBox {
  y1: number;
  y2: number;
  x1: number;
  x2: number;
}

export function cutoutBox(cy: number, cx: number, size: number): CutoutBox {
  const half = Math.floor(size / 2);
  const clip = (v: number): number => Math.min(S, Math.max(0, v));
  return { y1: clip(cy - half), y2: clip(cy + half), x1: clip(cx - half), x2: clip(cx + half) };
}

/** Draws the centre (cy then cx, uniform over pixels). */
export function randomCutoutBox(rng: Rng, size: number): CutoutBox {
  const cy = randInt(rng, S);
  const cx = randInt(rng, S);
  return cutoutBox(cy, cx, size);
}

/** Zeroes the box in one NHWC image of `x` starting at element `offset`. [32, 32, 3] */
export function applyCutoutNHWC(x: Float32Array, offset: number, box: CutoutBox): void {
  for (let y = box.y1; y < box.y2; y++) {
    x.fill(0, offset + (y * S + box.x1) * 3, offset + (y * S + box.x2) * 3);
  }
}

/**
 * The uint8 part of the pipeline (AutoAugment, crop, flip) plus the cutout box to apply after
 * normalisation. Draw order: AutoAugment (5), crop (2), flip (1), cutout (2) — each only if on.
 */
export function augmentImage(
  src: Uint8Array,
  opts: AugmentOptions,
  rng: Rng,
): { image: Uint8Array; cutout: CutoutBox | null } {
  let img = src;
  if (opts.autoAugment) img = autoAugment({ data: img, h: S, w: S }, rng).data;
  if (opts.pad > 0) img = randomCrop(img, rng, opts.pad);
  if (opts.flip) img = randomFlip(img, rng);
  const cutout = opts.cutout > 0 ? randomCutoutBox(rng, opts.cutout) : null;
  return { image: img, cutout };
}
