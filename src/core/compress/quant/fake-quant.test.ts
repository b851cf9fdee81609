// Fake quantization on the device equals quantizeValues bit for bit (ties, clamps, signs of zero);
// the STE passes gradients exactly inside the clamp range; the on-device SigmaMax exponent
// equals sigmaMaxBinaryPoint.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRng, randNormal } from '../../util/rng';
import { fakeQuant, fakeQuantSte, fakeQuantSteSigmaMax, sigmaMaxScale } from './fake-quant';
import { quantizeValues, sigmaMaxBinaryPoint, tensorStats } from './sigma-max';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

function randomValues(n: number, seed: number, scale: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => randNormal(rng) * scale);
}

describe('fakeQuant', () => {
  it('equals quantizeValues exactly (ties, both clamps, bits 2/8/16, negative bp)', () => {
    const ties = [0.125, 0.375, -0.125, -0.375, 0.625, 1.75, 1.9, 100, -2, -2.2, -1e9, 0, -0.1];
    const cases: [Float32Array, number, number][] = [
      [Float32Array.from(ties), 4, 2],
      [randomValues(500, 1, 1), 8, 5],
      [randomValues(500, 2, 1), 2, 1],
      [randomValues(500, 3, 0.01), 16, 20],
      [randomValues(500, 4, 100), 8, -2],
    ];
    for (const [data, bits, bp] of cases) {
      const x = tf.tensor1d(data);
      const q = fakeQuant(x, bits, bp);
      expect(Array.from(q.dataSync())).toEqual(Array.from(quantizeValues(data, bits, bp)));
      tf.dispose([x, q]);
    }
  });

  it('keeps the shape and rejects bad bits / binary points', () => {
    const x = tf.zeros([2, 3, 4, 5]);
    const q = fakeQuant(x, 8, 3);
    expect(q.shape).toEqual([2, 3, 4, 5]);
    expect(() => fakeQuant(x, 32, 3)).toThrow(/2–16, got 32/);
    expect(() => fakeQuantSte(x, 8, 200)).toThrow(/binary point.*200/);
    tf.dispose([x, q]);
  });
});

describe('fakeQuantSte (clipped straight-through estimator)', () => {
  it('forward equals fakeQuant; gradient is dy inside the clamp range (bounds included), 0 outside', () => {
    // 4 bits, bp 2: clamp range of x is [−8/4, 7/4] = [−2, 1.75]
    const data = [-3, -2, -1.99, -0.3, 0, 0.6, 1.75, 1.76, 5];
    const x = tf.tensor1d(data);
    const dy = tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const y = fakeQuantSte(x, 4, 2);
    expect(Array.from(y.dataSync())).toEqual(
      Array.from(quantizeValues(Float32Array.from(data), 4, 2)),
    );
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fakeQuantSte(t, 4, 2), dy)))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 2, 3, 4, 5, 6, 7, 0, 0]);
    tf.dispose([x, dy, y, g]);
  });

  it('passes no gradient at ±∞ or NaN, and passes it at −0 and just inside the bounds', () => {
    const data = [Infinity, -Infinity, NaN, -0, 1.7499999, -1.9999999, 1.7500001];
    const x = tf.tensor1d(data);
    const g = tf.grad((t: tf.Tensor) => tf.sum(fakeQuantSte(t, 4, 2)))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 0]);
    tf.dispose([x, g]);
  });
});

describe('sigmaMaxScale / fakeQuantSteSigmaMax (exponent on the device)', () => {
  it('matches sigmaMaxBinaryPoint on random tensors and at exact powers of two', () => {
    for (const [seed, scale, bits, lambda] of [
      [1, 0.05, 8, 10],
      [2, 3, 9, 10],
      [3, 1e-4, 12, 18],
      [4, 40, 4, 2],
    ] as const) {
      const data = randomValues(300, seed, scale);
      const { mean, std } = tensorStats(data);
      const bp = sigmaMaxBinaryPoint(mean, std, bits, lambda);
      const x = tf.tensor1d(data);
      const s = sigmaMaxScale(x, bits, lambda);
      expect(s.dataSync()[0]).toBe(2 ** bp);
      const q = fakeQuantSteSigmaMax(x, bits, lambda);
      expect(Array.from(q.dataSync())).toEqual(Array.from(quantizeValues(data, bits, bp)));
      tf.dispose([x, s, q]);
    }
    // constant tensors (std 0): f_max = |v| exactly 1, just above 1, 0.5 and 0
    for (const [v, bits, want] of [
      [1, 8, 7],
      [1.0000001, 8, 6],
      [-0.5, 8, 8],
      [0, 8, 7],
    ] as const) {
      const x = tf.fill([3], v);
      const s = sigmaMaxScale(x, bits, 10);
      expect(s.dataSync()[0]).toBe(2 ** want);
      tf.dispose([x, s]);
    }
  });

  it('gives the STE gradient and none for the exponent', () => {
    const data = Float32Array.from([-1, -0.5, 0, 0.25, 0.5, 3]);
    const x = tf.tensor1d(data);
    // mean 0.375, std ≈ 1.394; λ = 1 → f_max ≈ 1.79 → M = 1 → bp = 8 − 2 = 6: range [−2, 1.984]
    const g = tf.grad((t: tf.Tensor) => tf.sum(fakeQuantSteSigmaMax(t, 8, 1)))(x);
    expect(Array.from(g.dataSync())).toEqual([1, 1, 1, 1, 1, 0]);
    tf.dispose([x, g]);
  });
});

describe('fakeQuant with a zero point (unsigned codes)', () => {
  it('levels [−z, 2^bits − 1 − z]: z = 2^(bits−1) is the signed quantizer', () => {
    const x = tf.tensor1d([-1, -0.3, 0, 0.26, 3, 20]);
    // 4 bits, bp 2 (step 0.25), z 2: codes clamp to [−2, 13] → values [−0.5, 3.25]
    const y = fakeQuant(x, 4, 2, 2);
    expect(Array.from(y.dataSync())).toEqual([-0.5, -0.25, 0, 0.25, 3, 3.25]);
    const signed = fakeQuant(x, 4, 2);
    const z8 = fakeQuant(x, 4, 2, 8);
    expect(Array.from(z8.dataSync())).toEqual(Array.from(signed.dataSync()));
    expect(() => fakeQuant(x, 4, 2, 16)).toThrow(
      /zero point must be an integer in \[0, 15\], got 16/,
    );
    tf.dispose([x, y, signed, z8]);
  });
});
