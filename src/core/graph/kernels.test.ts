// The first-order swish (one op, closed-form gradient) vs autodiff of x·σ(x), cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '../backend/register-gradients';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRng, randNormal } from '../util/rng';
import { activation } from './kernels';

function valueAndGrad(fused: boolean): { y: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const rng = makeRng(3);
    const x = tf.tensor(
      Float32Array.from({ length: 240 }, () => 4 * randNormal(rng)),
      [2, 4, 5, 6],
    );
    const r = tf.tensor(
      Float32Array.from({ length: 240 }, () => randNormal(rng)),
      x.shape,
    );
    const f = (t: tf.Tensor) => activation(t, 'swish', fused);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), r)))(x);
    return { y: f(x).dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
  }) as unknown as { y: Float32Array; dx: Float32Array };
}

const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('activation swish, first-order form', () => {
  afterAll(() => tf.setBackend('cpu'));
  for (const backend of ['cpu', 'wasm'])
    it(`${backend}: value and gradient equal autodiff of x·σ(x)`, async () => {
      await tf.setBackend(backend);
      const ref = valueAndGrad(false);
      const before = tf.memory().numTensors;
      const got = valueAndGrad(true);
      expect(tf.memory().numTensors).toBe(before);
      expect(maxDiff(got.y, ref.y)).toBeLessThan(1e-5);
      expect(maxDiff(got.dx, ref.dx)).toBeLessThan(1e-5);
      expect(ref.dx.some((v) => Math.abs(v) > 0.5)).toBe(true);
    });
});
