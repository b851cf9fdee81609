// Exponent choice: the MSE binary point against a brute-force search over every binary point,
// and per-channel quantization against hand-computed values.
import { describe, expect, it } from 'vitest';
import { makeRng, randNormal } from '../../util/rng';
import {
  asymmetricError,
  channelBinaryPoints,
  mseAsymmetric,
  zeroPointFor,
  mseBinaryPoint,
  noClipBinaryPoint,
  quantizeChannels,
  squaredError,
} from './exponents';
import { MAX_ABS_BINARY_POINT, quantizeValues } from './sigma-max';

/** Every bp in [−126, 126]: the minimal error, and the smallest bp reaching it. */
function bruteForce(data: Float32Array, bits: number): { bp: number; err: number } {
  let best = { bp: 0, err: Infinity };
  for (let bp = -MAX_ABS_BINARY_POINT; bp <= MAX_ABS_BINARY_POINT; bp++) {
    const err = squaredError(data, bits, bp);
    if (err < best.err) best = { bp, err };
  }
  return best;
}

function gaussianWithOutliers(n: number, seed: number, outliers: number): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.05 * randNormal(rng);
  for (let i = 0; i < outliers; i++) out[(i * 7919) % n] = (i % 2 ? -1 : 1) * (0.5 + i);
  return out;
}

describe('mseBinaryPoint', () => {
  it.each([
    [2, 0],
    [4, 0],
    [8, 0],
    [4, 3],
    [8, 3],
    [6, 40],
  ])('%i bits, %i outliers: reaches the brute-force minimum over every bp', (bits, outliers) => {
    const data = gaussianWithOutliers(3000, 11 + bits + outliers, outliers);
    const bp = mseBinaryPoint(data, bits);
    const brute = bruteForce(data, bits);
    expect(squaredError(data, bits, bp)).toBe(brute.err);
    // ties go to the smallest bp at or above the no-clip point
    const nc = noClipBinaryPoint({ min: Math.min(...data), max: Math.max(...data) }, bits);
    for (let b = nc; b < bp; b++) expect(squaredError(data, bits, b)).toBeGreaterThan(brute.err);
  });

  it('clips outliers when that lowers the error, and never clips a lone value', () => {
    const data = gaussianWithOutliers(20000, 3, 1); // one value 0.5 among N(0, 0.05²)
    const nc = noClipBinaryPoint({ min: Math.min(...data), max: Math.max(...data) }, 4);
    expect(mseBinaryPoint(data, 4)).toBeGreaterThan(nc);
    expect(mseBinaryPoint(Float32Array.of(0.3), 8)).toBe(8); // 0.3·2^8 = 76.8 ≤ 127, 2^9 clips
  });

  it('all zeros → bits − 1 (as SigmaMax)', () => {
    expect(mseBinaryPoint(new Float32Array(5), 8)).toBe(7);
  });

  it('fails on bad widths', () => {
    expect(() => mseBinaryPoint(Float32Array.of(1), 1)).toThrow(/2–16, got 1/);
  });
});

describe('per-channel quantization', () => {
  // conv [1, 1, 2 in, 2 out] channel-last: elements (in0,out0) (in0,out1) (in1,out0) (in1,out1)
  const w = Float32Array.of(0.3, 6, -0.2, -5);

  it('one SigmaMax exponent per output channel (element i → channel i mod C)', () => {
    // channel 0: {0.3, −0.2}: mean 0.05, std 0.35355, λ 1 → f_max 0.40355 → M = −1 → bp 5 (5 bits)
    // channel 1: {6, −5}: mean 0.5, std 7.7782 → f_max 8.2782 → M = 4 → bp 0
    const bps = channelBinaryPoints(w, 2, { bits: 5, lambda: 1, method: 'sigmamax' });
    expect(bps).toEqual([5, 0]);
    // channel 0 at 2^−5: 0.3·32 = 9.6 → 10, −0.2·32 = −6.4 → −6; channel 1 at 1: 6, −5
    expect(Array.from(quantizeChannels(w, 5, bps))).toEqual([10 / 32, 6, -6 / 32, -5]);
    // per tensor the small channel collapses: one bp from all four values
    const one = Array.from(quantizeValues(w, 5, 0));
    expect(one).toEqual([0, 6, -0, -5]);
  });

  it('MSE per channel picks each channel its own exponent', () => {
    expect(channelBinaryPoints(w, 2, { bits: 5, lambda: 1, method: 'mse' })).toEqual([
      mseBinaryPoint(Float32Array.of(0.3, -0.2), 5),
      mseBinaryPoint(Float32Array.of(6, -5), 5),
    ]);
  });

  it('rejects a channel count that does not divide the tensor', () => {
    expect(() => quantizeChannels(w, 5, [0, 0, 0])).toThrow(/4 values do not split into 3/);
  });
});

describe('mseAsymmetric (unsigned codes with a zero point)', () => {
  /** Every bp in [−126, 126] with the zero point rule: the minimal error. */
  function bruteForceAsym(data: Float32Array, bits: number): number {
    const min = Math.min(0, ...data);
    let best = Infinity;
    for (let bp = -MAX_ABS_BINARY_POINT; bp <= MAX_ABS_BINARY_POINT; bp++) {
      best = Math.min(
        best,
        asymmetricError(data, bits, { bp, zeroPoint: zeroPointFor(min, bits, bp) }),
      );
    }
    return best;
  }

  it.each([4, 8])(
    '%i bits on swish-like values: brute-force minimum, finer than signed',
    (bits) => {
      const rng = makeRng(bits);
      const data = Float32Array.from({ length: 4000 }, () => {
        const x = 2 * randNormal(rng);
        return x / (1 + Math.exp(-x)); // swish: min −0.278
      });
      const q = mseAsymmetric(data, bits);
      const err = asymmetricError(data, bits, q);
      expect(err).toBe(bruteForceAsym(data, bits));
      expect(err).toBeLessThan(squaredError(data, bits, mseBinaryPoint(data, bits)));
      expect(q.zeroPoint).toBe(zeroPointFor(Math.min(...data), bits, q.bp));
      expect(q.zeroPoint).toBeLessThan(2 ** (bits - 1)); // most codes above zero
    },
  );

  it('the zero point keeps the smallest value unclipped; all zeros → bp bits − 1, z 0', () => {
    expect(zeroPointFor(-0.3, 8, 4)).toBe(5); // ceil(0.3·16)
    expect(zeroPointFor(0.1, 8, 4)).toBe(0);
    expect(zeroPointFor(-100, 4, 4)).toBe(15);
    expect(mseAsymmetric(new Float32Array(3), 8)).toEqual({ bp: 7, zeroPoint: 0 });
  });
});
