import { describe, expect, it } from 'vitest';
import { makeRng } from '../util/rng';
import { CIFAR10_POLICY, applyOp, autoAugment, magnitudeOf } from './autoaugment';
import * as ops from './image-ops';
import type { RgbImage } from './image-ops';
import { sameBytes } from './fixtures.test-helpers';

describe('AutoAugment CIFAR-10 policy', () => {
  it('has the paper’s 25 two-step sub-policies with bins 0–9', () => {
    expect(CIFAR10_POLICY).toHaveLength(25);
    for (const sub of CIFAR10_POLICY) {
      for (const [, p, bin] of sub) {
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        if (bin !== null) expect(bin >= 0 && bin <= 9).toBe(true);
      }
    }
    expect(CIFAR10_POLICY[0]).toEqual([
      ['Invert', 0.1, null],
      ['Contrast', 0.2, 6],
    ]);
    expect(CIFAR10_POLICY[24]).toEqual([
      ['TranslateY', 0.7, 9],
      ['AutoContrast', 0.9, null],
    ]);
  });

  it('maps magnitude bins like the paper’s search space', () => {
    expect(magnitudeOf('ShearX', 9, 32)).toBeCloseTo(0.3, 12);
    expect(magnitudeOf('Rotate', 3, 32)).toBeCloseTo(10, 12);
    expect(magnitudeOf('TranslateX', 9, 32)).toBe(14); // ⌊150/331 · 32⌋
    expect(magnitudeOf('TranslateY', 3, 32)).toBe(4); // ⌊4.83⌋
    expect(magnitudeOf('Color', 9, 32)).toBeCloseTo(0.9, 12);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((b) => magnitudeOf('Posterize', b, 32))).toEqual([
      8, 8, 7, 7, 6, 6, 5, 5, 4, 4,
    ]);
    expect(magnitudeOf('Solarize', 0, 32)).toBe(255);
    expect(magnitudeOf('Solarize', 9, 32)).toBe(0);
    expect(() => magnitudeOf('Rotate', 10, 32)).toThrow('integer 0–9, got 10');
  });

  it('applyOp uses factor 1 + v for enhance ops', () => {
    const im = { data: new Uint8Array([100, 100, 100]), h: 1, w: 1 };
    expect(applyOp(im, 'Brightness', -0.5).data).toEqual(ops.brightness(im, 0.5).data);
    expect(applyOp(im, 'Solarize', 50).data).toEqual(new Uint8Array([155, 155, 155]));
  });

  it('replays a draw by hand: sub-policy, probabilities and signs from the rng', () => {
    const size = 32;
    const data = new Uint8Array(3 * size * size).map((_, i) => (i * 37) % 256);
    const im = { data, h: size, w: size };
    for (let seed = 0; seed < 40; seed++) {
      const r = makeRng(seed);
      const sub = CIFAR10_POLICY[Math.floor(r() * 25)]!;
      const d = [r(), r(), r(), r()];
      let ref: RgbImage = im;
      sub.forEach(([op, p, bin], k) => {
        if (!(d[2 * k]! < p)) return;
        const m = bin === null ? 0 : magnitudeOf(op, bin, size);
        const signed = !['AutoContrast', 'Invert', 'Equalize', 'Solarize', 'Posterize'].includes(
          op,
        );
        ref = applyOp(ref, op, signed && d[2 * k + 1]! < 0.5 ? -m : m);
      });
      const out = autoAugment(im, makeRng(seed));
      expect(sameBytes(out.data, ref.data)).toBe(true);
      expect(out.data).not.toBe(im.data);
    }
  });

  it('changes most images over many draws but keeps the input intact', () => {
    const data = new Uint8Array(3072).map((_, i) => (i * 13) % 256);
    const copy = data.slice();
    const rng = makeRng(1);
    let changed = 0;
    for (let i = 0; i < 50; i++) {
      const out = autoAugment({ data, h: 32, w: 32 }, rng);
      if (out.data.some((v, k) => v !== data[k])) changed++;
    }
    expect(data).toEqual(copy);
    expect(changed).toBeGreaterThan(20);
    expect(changed).toBeLessThan(50);
  });
});
