// SigmaMax fixed point on hand-computed cases: exponent choice at and around powers of two,
// half-to-even rounding, clamping at both ends, bits 2 and 16, and the stats it is fed.
import { describe, expect, it } from 'vitest';
import { ceilLog2, quantizeValues, sigmaMaxBinaryPoint, tensorStats } from './sigma-max';
import { roundHalfEven } from '../../util/round-half-even';

const f32 = (v: number[]) => Float32Array.from(v);

describe('sigmaMaxBinaryPoint', () => {
  it('picks M = ceil(log2 f_max): exactly a power of two keeps M, just above adds one', () => {
    // f_max = |0| + 4·0.25 = 1 = 2^0 → M = 0 → bp = 8 − 1 − 0 = 7
    expect(sigmaMaxBinaryPoint(0, 0.25, 8, 4)).toBe(7);
    // f_max = 1 + 2^-40 → M = 1 → bp = 6
    expect(sigmaMaxBinaryPoint(0, 0.25 + 2 ** -42, 8, 4)).toBe(6);
    // f_max = 1 − 2^-40 → M = 0 → bp = 7
    expect(sigmaMaxBinaryPoint(1 - 2 ** -40, 0, 8, 4)).toBe(7);
    // f_max = |−3| + 10·0 = 3 → M = 2 → bp = 5
    expect(sigmaMaxBinaryPoint(-3, 0, 8, 10)).toBe(5);
    // f_max = 0.5 + 10·0.05 ≈ 1.0000000000000000277 → rounds to 1.0 in float64 → bp = 7
    expect(sigmaMaxBinaryPoint(0.5, 0.05, 8, 10)).toBe(7);
    // f_max = 0.1 + 10·0.02 = 0.3 → M = −1 → bp = 8 (9 bits)
    expect(sigmaMaxBinaryPoint(0.1, 0.02, 9, 10)).toBe(9);
  });

  it('covers bits 2 and 16, and f_max = 0 gives bp = bits − 1', () => {
    expect(sigmaMaxBinaryPoint(0, 0.25, 2, 4)).toBe(1);
    expect(sigmaMaxBinaryPoint(0, 0.25, 16, 4)).toBe(15);
    expect(sigmaMaxBinaryPoint(0, 0, 12, 18)).toBe(11);
  });

  it('fails fast on bad bits, lambda, stats and out-of-range binary points', () => {
    expect(() => sigmaMaxBinaryPoint(0, 1, 32, 10)).toThrow(/2–16, got 32/);
    expect(() => sigmaMaxBinaryPoint(0, 1, 1, 10)).toThrow(/got 1/);
    expect(() => sigmaMaxBinaryPoint(0, 1, 8.5, 10)).toThrow(/got 8.5/);
    expect(() => sigmaMaxBinaryPoint(0, 1, 8, 0)).toThrow(/lambda.*got 0/);
    expect(() => sigmaMaxBinaryPoint(NaN, 1, 8, 10)).toThrow(/mean.*NaN/);
    expect(() => sigmaMaxBinaryPoint(0, -1, 8, 10)).toThrow(/std.*-1/);
    expect(() => sigmaMaxBinaryPoint(2 ** 200, 0, 8, 10)).toThrow(/binary point -193/);
  });
});

describe('ceilLog2', () => {
  it('is exact at and next to every power of two in range', () => {
    for (let m = -126; m <= 126; m++) {
      expect(ceilLog2(2 ** m)).toBe(m);
      expect(ceilLog2(2 ** m * (1 + 2 ** -52))).toBe(m + 1);
      expect(ceilLog2(2 ** m * (1 - 2 ** -53))).toBe(m);
    }
  });
});

describe('quantizeValues', () => {
  it('rounds half to even and clamps at both ends (4 bits, bp 2: step 0.25, range [−2, 1.75])', () => {
    const x = f32([
      0.1, 0.125, 0.375, -0.125, -0.375, 0.625, 0.875, 1.75, 1.9, 100, -2, -2.2, -1e9,
    ]);
    const q = Array.from(quantizeValues(x, 4, 2));
    // x·4: 0.4→0, 0.5→0, 1.5→2, −0.5→0, −1.5→−2, 2.5→2, 3.5→4, 7, 7.6→7, 400→7, −8, −8.8→−8, …
    expect(q).toEqual([0, 0, 0.5, 0, -0.5, 0.5, 1, 1.75, 1.75, 1.75, -2, -2, -2]);
  });

  it('handles a negative binary point (step 4) and bits 2 and 16', () => {
    expect(Array.from(quantizeValues(f32([6, 10, 30, -30, 1.9]), 4, -2))).toEqual([
      8, 8, 28, -32, 0,
    ]);
    // 2 bits, bp 1: levels −2..1 → {−1, −0.5, 0, 0.5}
    expect(Array.from(quantizeValues(f32([-3, -0.75, -0.2, 0.3, 0.74, 9]), 2, 1))).toEqual([
      -1, -1, -0, 0.5, 0.5, 0.5,
    ]);
    // 16 bits, bp 15: step 2^-15, max 1 − 2^-15
    const q = quantizeValues(f32([0.1, 1, -1, -2]), 16, 15);
    expect(q[0]).toBe(Math.round(0.1 * 2 ** 15) / 2 ** 15); // 3277·2^-15 (no tie)
    expect(Array.from(q.subarray(1))).toEqual([1 - 2 ** -15, -1, -1]);
  });

  it('puts every value on the grid k·2^−bp with k in range', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 1.7) * 3);
    const q = quantizeValues(x, 8, 5);
    for (const v of q) {
      const k = v * 2 ** 5;
      expect(Number.isInteger(k) && k >= -128 && k <= 127).toBe(true);
    }
    // within half a step inside the range [−4, 127/32]
    for (let i = 0; i < x.length; i++)
      if (x[i]! <= 127 / 32) expect(Math.abs(q[i]! - x[i]!)).toBeLessThanOrEqual(2 ** -6);
  });

  it('rejects bad bits and binary points', () => {
    expect(() => quantizeValues(f32([1]), 17, 0)).toThrow(/got 17/);
    expect(() => quantizeValues(f32([1]), 8, 0.5)).toThrow(/binary point.*0.5/);
    expect(() => quantizeValues(f32([1]), 8, 127)).toThrow(/got 127/);
  });
});

describe('tensorStats and roundHalfEven', () => {
  it('mean and unbiased std', () => {
    const s = tensorStats(f32([1, 2, 3, 4]));
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(tensorStats(f32([3]))).toEqual({ mean: 3, std: 0 });
    expect(() => tensorStats(f32([]))).toThrow(/empty/);
  });

  it('rounds ties to even', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, 0, -2, -2, 2, -3,
    ]);
  });
});
