import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR_DIR } from '../../test-paths';
import * as ops from './image-ops';
import type { RgbImage } from './image-ops';
import pillow from './fixtures/pillow-ops.json';

/** An image whose three planes are given (each h·w values, row-major). */
const img = (h: number, w: number, r: number[], g = r, b = r): RgbImage => ({
  data: new Uint8Array([...r, ...g, ...b]),
  h,
  w,
});
const plane = (im: RgbImage, c: number): number[] =>
  Array.from(im.data.subarray(c * im.h * im.w, (c + 1) * im.h * im.w));

describe('pixel ops (hand-computed)', () => {
  it('invert: 255 − v', () => {
    expect(plane(ops.invert(img(1, 3, [0, 10, 255])), 0)).toEqual([255, 245, 0]);
  });

  it('solarize: values ≥ threshold are inverted', () => {
    expect(plane(ops.solarize(img(1, 4, [0, 127, 128, 200]), 128), 0)).toEqual([0, 127, 127, 55]);
    expect(plane(ops.solarize(img(1, 2, [254, 255]), 255), 0)).toEqual([254, 0]);
  });

  it('posterize: keeps the top bits', () => {
    expect(plane(ops.posterize(img(1, 3, [0xff, 0x1f, 0x80]), 4), 0)).toEqual([0xf0, 0x10, 0x80]);
    expect(plane(ops.posterize(img(1, 2, [200, 127]), 1), 0)).toEqual([128, 0]);
    expect(plane(ops.posterize(img(1, 1, [201]), 8), 0)).toEqual([201]);
    expect(() => ops.posterize(img(1, 1, [1]), 0)).toThrow('bits must be 1–8, got 0');
  });

  it('autoContrast: per channel [min, max] → [0, 255], flat channels kept', () => {
    const out = ops.autoContrast(img(1, 3, [50, 100, 150], [7, 7, 7], [0, 1, 2]));
    expect(plane(out, 0)).toEqual([0, 127, 255]); // 100·2.55 − 127.5 = 127.49… → 127
    expect(plane(out, 1)).toEqual([7, 7, 7]);
    expect(plane(out, 2)).toEqual([0, 127, 255]);
  });

  it('equalize: a known histogram (ImageOps.equalize, step = (N − last)/255)', () => {
    // 32×32, four values × 256 pixels: step = 768 // 255 = 3 → lut 0, 85, 171, 256→255.
    const four = Array.from({ length: 1024 }, (_, i) => [0, 64, 128, 192][i >> 8]!);
    const two = Array.from({ length: 1024 }, (_, i) => (i < 512 ? 10 : 200));
    const flat = new Array<number>(1024).fill(33);
    const out = ops.equalize(img(32, 32, four, two, flat));
    expect([...new Set(plane(out, 0))]).toEqual([0, 85, 171, 255]);
    expect([...new Set(plane(out, 1))]).toEqual([0, 255]);
    expect([...new Set(plane(out, 2))]).toEqual([33]);
    // Too few pixels for a step of 1: identity.
    expect(plane(ops.equalize(img(2, 2, [0, 50, 100, 150])), 0)).toEqual([0, 50, 100, 150]);
  });

  it('brightness: blend with black, truncated and clamped', () => {
    expect(plane(ops.brightness(img(1, 3, [255, 3, 100]), 0.5), 0)).toEqual([127, 1, 50]);
    expect(plane(ops.brightness(img(1, 2, [200, 100]), 1.9), 0)).toEqual([255, 190]);
  });

  it('color: factor 0 gives Pillow luma (19595 R + 38470 G + 7471 B + 2^15) >> 16', () => {
    const out = ops.color(img(1, 1, [255], [0], [0]), 0);
    expect([plane(out, 0), plane(out, 1), plane(out, 2)]).toEqual([[76], [76], [76]]);
    const g = ops.color(img(1, 1, [0], [255], [0]), 0);
    expect(plane(g, 0)).toEqual([150]); // (255·38470 + 32768) >> 16 = 150
  });

  it('contrast: blend with the rounded mean luma', () => {
    const im = img(1, 2, [255, 0]); // luma 255 and 0 → mean 127.5 → 128
    expect(plane(ops.contrast(im, 0), 0)).toEqual([128, 128]);
    expect(plane(ops.contrast(im, 2), 0)).toEqual([255, 0]);
    expect(plane(ops.contrast(im, 0.5), 0)).toEqual([191, 64]); // 128 ± 63.5/64, truncated
  });

  it('sharpness: SMOOTH 3×3 (weights 1…5…1 / 13) inside, borders kept', () => {
    const spike = img(3, 3, [0, 0, 0, 0, 130, 0, 0, 0, 0]);
    expect(plane(ops.sharpness(spike, 0), 0)).toEqual([0, 0, 0, 0, 50, 0, 0, 0, 0]); // 650/13
    expect(plane(ops.sharpness(spike, 2), 0)).toEqual([0, 0, 0, 0, 210, 0, 0, 0, 0]); // 50 + 2·80
    const ring = img(3, 3, [13, 13, 13, 13, 0, 13, 13, 13, 13]);
    expect(plane(ops.sharpness(ring, 0), 0)[4]).toBe(8); // 104/13
  });
});

describe('geometric ops (hand-computed)', () => {
  it('translate: PIL (1, 0, v, 0, 1, 0) takes input x + v, fill 0', () => {
    expect(plane(ops.translateX(img(1, 4, [1, 2, 3, 4]), 1), 0)).toEqual([2, 3, 4, 0]);
    expect(plane(ops.translateX(img(1, 4, [1, 2, 3, 4]), -2), 0)).toEqual([0, 0, 1, 2]);
    expect(plane(ops.translateY(img(3, 1, [1, 2, 3]), 1), 0)).toEqual([2, 3, 0]);
  });

  it('shearX by 1: output (x, y) takes input (x + y + 1)… at pixel centres', () => {
    // x_in = ⌊(x + ½) + (y + ½)⌋ = x + y + 1
    const im = img(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(plane(ops.shearX(im, 1), 0)).toEqual([2, 3, 0, 6, 0, 0, 0, 0, 0]);
    expect(plane(ops.shearY(im, 1), 0)).toEqual([4, 8, 0, 7, 0, 0, 0, 0, 0]);
  });

  it('rotate 90° counter-clockwise about the centre', () => {
    const im = img(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(plane(ops.rotate(im, 90), 0)).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    expect(plane(ops.rotate(im, 0), 0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps channels apart', () => {
    const out = ops.translateX(img(1, 2, [1, 2], [3, 4], [5, 6]), 1);
    expect([plane(out, 0), plane(out, 1), plane(out, 2)]).toEqual([
      [2, 0],
      [4, 0],
      [6, 0],
    ]);
  });
});

describe('agreement with Pillow 9.4 on real images (fixtures/pillow-ops.json)', () => {
  const fnv1a = (d: Uint8Array): number => {
    let h = 0x811c9dc5;
    for (const b of d) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    return h;
  };
  const buf = new Uint8Array(4 * 3074);
  const fd = fs.openSync(path.join(CIFAR_DIR, 'test.bin'), 'r');
  fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const images = [0, 1, 2, 3].map((r) => ({
    data: buf.slice(r * 3074 + 2, (r + 1) * 3074),
    h: 32,
    w: 32,
  }));

  it.each(pillow.cases.map((c) => [c.op, c.arg, c] as const))('%s(%s)', (op, arg, c) => {
    const fn = (ops as unknown as Record<string, (im: RgbImage, v: number) => RgbImage>)[op]!;
    const out = new Uint8Array(4 * 3072);
    images.forEach((im, i) => out.set(fn(im, arg).data, i * 3072));
    expect(out.reduce((s, v) => s + v, 0)).toBe(c.sum);
    expect(fnv1a(out)).toBe(c.fnv1a);
  });
});
