import { describe, expect, it } from 'vitest';
import { makeRng } from '../util/rng';
import {
  SEED_AUGMENT,
  applyCutoutNHWC,
  augmentImage,
  cutoutBox,
  hflip,
  padCrop,
  randomCrop,
} from './augment';
import { sameBytes } from './fixtures.test-helpers';

/** Pixel value of channel c at (y, x) = c·64 + ((y·32 + x) mod 64) + 1, so 0 marks padding. */
const src = new Uint8Array(3072).map((_, i) => (i >> 10) * 64 + ((i & 1023) % 64) + 1);
const at = (im: Uint8Array, c: number, y: number, x: number): number => im[c * 1024 + y * 32 + x]!;

describe('pad-4 crop', () => {
  it('offset (4, 4) is the identity', () => {
    expect(padCrop(src, 4, 4, 4)).toEqual(src);
  });

  it('offset (0, 0) shifts the image down-right by 4 with zero padding', () => {
    const out = padCrop(src, 0, 0, 4);
    expect(at(out, 0, 3, 10)).toBe(0);
    expect(at(out, 1, 10, 3)).toBe(0);
    expect(at(out, 2, 4, 4)).toBe(at(src, 2, 0, 0));
    expect(at(out, 1, 31, 31)).toBe(at(src, 1, 27, 27));
  });

  it('offset (8, 2) reads input (y − 2, x + 4)', () => {
    const out = padCrop(src, 8, 2, 4);
    expect(at(out, 0, 0, 0)).toBe(0); // y − 2 < 0
    expect(at(out, 0, 2, 0)).toBe(at(src, 0, 0, 4));
    expect(at(out, 1, 5, 27)).toBe(at(src, 1, 3, 31));
    expect(at(out, 1, 5, 28)).toBe(0); // x + 4 > 31
  });

  it('random crop draws dy then dx from [0, 8]', () => {
    const a = makeRng(3);
    const dy = Math.floor(a() * 9);
    const dx = Math.floor(a() * 9);
    expect(randomCrop(src, makeRng(3), 4)).toEqual(padCrop(src, dx, dy, 4));
  });
});

describe('flip', () => {
  it('mirrors every row of every channel; twice is the identity', () => {
    const out = hflip(src);
    expect(at(out, 0, 0, 0)).toBe(at(src, 0, 0, 31));
    expect(at(out, 2, 17, 5)).toBe(at(src, 2, 17, 26));
    expect(hflip(out)).toEqual(src);
  });
});

describe('cutout', () => {
  it('box is centred and clipped (as CutoutDefault: [c − 8, c + 8) ∩ image)', () => {
    expect(cutoutBox(16, 16, 16)).toEqual({ y1: 8, y2: 24, x1: 8, x2: 24 });
    expect(cutoutBox(0, 31, 16)).toEqual({ y1: 0, y2: 8, x1: 23, x2: 32 });
  });

  it('zeroes exactly the box in an NHWC image at an offset', () => {
    const x = new Float32Array(2 * 3072).fill(1);
    applyCutoutNHWC(x, 3072, { y1: 1, y2: 3, x1: 30, x2: 32 });
    const zeros: number[] = [];
    x.forEach((v, i) => v === 0 && zeros.push(i));
    const idx = (y: number, xx: number, c: number) => 3072 + (y * 32 + xx) * 3 + c;
    expect(zeros).toEqual([
      idx(1, 30, 0),
      idx(1, 30, 1),
      idx(1, 30, 2),
      idx(1, 31, 0),
      idx(1, 31, 1),
      idx(1, 31, 2),
      idx(2, 30, 0),
      idx(2, 30, 1),
      idx(2, 30, 2),
      idx(2, 31, 0),
      idx(2, 31, 1),
      idx(2, 31, 2),
    ]);
  });
});

describe('augmentImage', () => {
  it('is reproducible from the seed and never modifies its input', () => {
    const copy = src.slice();
    const a = augmentImage(src, SEED_AUGMENT, makeRng(11));
    const b = augmentImage(src, SEED_AUGMENT, makeRng(11));
    expect(sameBytes(a.image, b.image)).toBe(true);
    expect(a.cutout).toEqual(b.cutout);
    expect(src).toEqual(copy);
  });

  it('consumes 10 draws with everything on (AutoAugment 5, crop 2, flip 1, cutout 2)', () => {
    const rng = makeRng(5);
    augmentImage(src, SEED_AUGMENT, rng);
    const ref = makeRng(5);
    for (let i = 0; i < 10; i++) ref();
    expect(rng()).toBe(ref());
  });

  it('with everything off returns the image unchanged', () => {
    const r = augmentImage(src, { pad: 0, flip: false, cutout: 0, autoAugment: false }, makeRng(1));
    expect(r.image).toEqual(src);
    expect(r.cutout).toBeNull();
  });
});
