/**
 * AutoAugment (Cubuk et al., "AutoAugment: Learning Augmentation Strategies from Data", CVPR
 * 2019): the 25 sub-policies the paper found on reduced CIFAR-10, each two (op, probability,
 * magnitude bin 0–9) steps. One sub-policy is drawn per image; each of its steps runs with its
 * probability. Magnitude bins map to values as in the paper's search space (torchvision's
 * table): shear 0…0.3, translate 0…150/331 of the side (whole pixels), rotate 0…30°,
 * enhance factors 1 ± 0…0.9, posterize 8…4 bits, solarize threshold 255…0; shear, translate,
 * rotate and the enhance ops get a random sign. The seed trained with Fast-AutoAugment's CIFAR
 * policy over the same operations; this is the closest published, fixed policy.
 *
 * RNG draws per image, in order: sub-policy index, then for each step (probability draw, sign
 * draw) — always 5 draws, so the stream stays aligned whatever ran.
 */
import { type Rng, randInt } from '../util/rng';
import * as ops from './image-ops';
import type { RgbImage } from './image-ops';

export type AugmentOp =
  | 'ShearX'
  | 'ShearY'
  | 'TranslateX'
  | 'TranslateY'
  | 'Rotate'
  | 'AutoContrast'
  | 'Invert'
  | 'Equalize'
  | 'Solarize'
  | 'Posterize'
  | 'Contrast'
  | 'Color'
  | 'Brightness'
  | 'Sharpness';

/** [op, probability, magnitude bin 0–9 (null for ops without a magnitude)] */
export type PolicyStep = readonly [AugmentOp, number, number | null];
export type SubPolicy = readonly [PolicyStep, PolicyStep];

export const CIFAR10_POLICY: readonly SubPolicy[] = [
  [
    ['Invert', 0.1, null],
    ['Contrast', 0.2, 6],
  ],
  [
    ['Rotate', 0.7, 2],
    ['TranslateX', 0.3, 9],
  ],
  [
    ['Sharpness', 0.8, 1],
    ['Sharpness', 0.9, 3],
  ],
  [
    ['ShearY', 0.5, 8],
    ['TranslateY', 0.7, 9],
  ],
  [
    ['AutoContrast', 0.5, null],
    ['Equalize', 0.9, null],
  ],
  [
    ['ShearY', 0.2, 7],
    ['Posterize', 0.3, 7],
  ],
  [
    ['Color', 0.4, 3],
    ['Brightness', 0.6, 7],
  ],
  [
    ['Sharpness', 0.3, 9],
    ['Brightness', 0.7, 9],
  ],
  [
    ['Equalize', 0.6, null],
    ['Equalize', 0.5, null],
  ],
  [
    ['Contrast', 0.6, 7],
    ['Sharpness', 0.6, 5],
  ],
  [
    ['Color', 0.7, 7],
    ['TranslateX', 0.5, 8],
  ],
  [
    ['Equalize', 0.3, null],
    ['AutoContrast', 0.4, null],
  ],
  [
    ['TranslateY', 0.4, 3],
    ['Sharpness', 0.2, 6],
  ],
  [
    ['Brightness', 0.9, 6],
    ['Color', 0.2, 8],
  ],
  [
    ['Solarize', 0.5, 2],
    ['Invert', 0.0, null],
  ],
  [
    ['Equalize', 0.2, null],
    ['AutoContrast', 0.6, null],
  ],
  [
    ['Equalize', 0.2, null],
    ['Equalize', 0.6, null],
  ],
  [
    ['Color', 0.9, 9],
    ['Equalize', 0.6, null],
  ],
  [
    ['AutoContrast', 0.8, null],
    ['Solarize', 0.2, 8],
  ],
  [
    ['Brightness', 0.1, 3],
    ['Color', 0.7, 0],
  ],
  [
    ['Solarize', 0.4, 5],
    ['AutoContrast', 0.9, null],
  ],
  [
    ['TranslateY', 0.9, 9],
    ['TranslateY', 0.7, 9],
  ],
  [
    ['AutoContrast', 0.9, null],
    ['Solarize', 0.8, 3],
  ],
  [
    ['Equalize', 0.8, null],
    ['Invert', 0.1, null],
  ],
  [
    ['TranslateY', 0.7, 9],
    ['AutoContrast', 0.9, null],
  ],
];

const BINS = 10;
const lin = (lo: number, hi: number, bin: number): number => lo + ((hi - lo) * bin) / (BINS - 1);

/** The unsigned magnitude of bin 0–9 for `op` on an image of side `size`. */
export function magnitudeOf(op: AugmentOp, bin: number, size: number): number {
  if (!(Number.isInteger(bin) && bin >= 0 && bin < BINS)) {
    throw new Error(`magnitude bin must be an integer 0–${BINS - 1}, got ${bin}`);
  }
  switch (op) {
    case 'ShearX':
    case 'ShearY':
      return lin(0, 0.3, bin);
    case 'TranslateX':
    case 'TranslateY':
      return Math.trunc(lin(0, (150 / 331) * size, bin));
    case 'Rotate':
      return lin(0, 30, bin);
    case 'Contrast':
    case 'Color':
    case 'Brightness':
    case 'Sharpness':
      return lin(0, 0.9, bin);
    case 'Posterize':
      return 8 - Math.round(bin / ((BINS - 1) / 4));
    case 'Solarize':
      return lin(255, 0, bin);
    default:
      return 0;
  }
}

const SIGNED = new Set<AugmentOp>([
  'ShearX',
  'ShearY',
  'TranslateX',
  'TranslateY',
  'Rotate',
  'Contrast',
  'Color',
  'Brightness',
  'Sharpness',
]);

/** Applies one op; `v` is the signed magnitude (enhance ops use factor 1 + v). */
export function applyOp(img: RgbImage, op: AugmentOp, v: number): RgbImage {
  switch (op) {
    case 'ShearX':
      return ops.shearX(img, v);
    case 'ShearY':
      return ops.shearY(img, v);
    case 'TranslateX':
      return ops.translateX(img, v);
    case 'TranslateY':
      return ops.translateY(img, v);
    case 'Rotate':
      return ops.rotate(img, v);
    case 'AutoContrast':
      return ops.autoContrast(img);
    case 'Invert':
      return ops.invert(img);
    case 'Equalize':
      return ops.equalize(img);
    case 'Solarize':
      return ops.solarize(img, v);
    case 'Posterize':
      return ops.posterize(img, v);
    case 'Contrast':
      return ops.contrast(img, 1 + v);
    case 'Color':
      return ops.color(img, 1 + v);
    case 'Brightness':
      return ops.brightness(img, 1 + v);
    case 'Sharpness':
      return ops.sharpness(img, 1 + v);
  }
}

/** One AutoAugment draw on `img` (not modified); returns the augmented image. */
export function autoAugment(
  img: RgbImage,
  rng: Rng,
  policy: readonly SubPolicy[] = CIFAR10_POLICY,
): RgbImage {
  const sub = policy[randInt(rng, policy.length)]!;
  const draws = [rng(), rng(), rng(), rng()] as const;
  let out = img;
  sub.forEach(([op, p, bin], k) => {
    const run = draws[2 * k]! < p;
    const negative = draws[2 * k + 1]! < 0.5;
    if (!run) return;
    const m = bin === null ? 0 : magnitudeOf(op, bin, op === 'TranslateY' ? img.h : img.w);
    out = applyOp(out, op, SIGNED.has(op) && negative ? -m : m);
  });
  return out === img ? { data: img.data.slice(), h: img.h, w: img.w } : out;
}
