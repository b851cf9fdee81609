// Distillation loss (Hinton et al. 2015) against a float64 reference written out in plain JS,
// its limits (w = 0 is CE, w = 1 the soft term only), gradients (none to the teacher) and errors.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRng, randNormal } from '../util/rng';
import { distillationLoss, headLoss } from './distillation';
import { softmaxCrossEntropy } from './loss';

let before = 0;
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(before);
});

function logSoftmax64(z: number[]): number[] {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
}

/** (1 − w)·CE + w·T²·KL(p_t ‖ p_s), every step in float64, averaged over rows. */
function reference(s: number[][], t: number[][], y: number[], T: number, w: number): number {
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const ce = -logSoftmax64(s[i]!)[y[i]!]!;
    const logQ = logSoftmax64(s[i]!.map((v) => v / T));
    const logP = logSoftmax64(t[i]!.map((v) => v / T));
    let kl = 0;
    for (let k = 0; k < logP.length; k++) kl += Math.exp(logP[k]!) * (logP[k]! - logQ[k]!);
    total += (1 - w) * ce + w * T * T * kl;
  }
  return total / s.length;
}

function randomLogits(n: number, k: number, seed: number, scale: number): number[][] {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: k }, () => scale * randNormal(rng)));
}

describe('distillationLoss', () => {
  const s = randomLogits(6, 5, 1, 2);
  const t = randomLogits(6, 5, 2, 3);
  const y = [0, 4, 2, 2, 1, 3];

  it.each([
    [4, 0.9],
    [1, 0.5],
    [1, 0],
    [2, 0],
    [3, 1],
    [0.5, 0.3],
  ])('T = %d, w = %d equals the float64 reference (< 1e-5)', (T, w) => {
    const [st, tt, yt] = [tf.tensor2d(s), tf.tensor2d(t), tf.tensor1d(y, 'int32')];
    const loss = distillationLoss(st, tt, yt, T, w);
    expect(loss.shape).toEqual([]);
    expect(Math.abs(loss.dataSync()[0]! - reference(s, t, y, T, w))).toBeLessThan(1e-5);
    tf.dispose([st, tt, yt, loss]);
  });

  it('w = 0 is plain cross-entropy; a teacher equal to the student costs 0 at w = 1', () => {
    const [st, tt, yt] = [tf.tensor2d(s), tf.tensor2d(t), tf.tensor1d(y, 'int32')];
    const a = distillationLoss(st, tt, yt, 4, 0);
    const b = softmaxCrossEntropy(st, yt);
    expect(a.dataSync()[0]).toBeCloseTo(b.dataSync()[0]!, 6);
    const same = distillationLoss(st, st, yt, 4, 1);
    expect(Math.abs(same.dataSync()[0]!)).toBeLessThan(1e-6);
    tf.dispose([st, tt, yt, a, b, same]);
  });

  it('gradient wrt the student is w·T·(p_s − p_t)/N at w = 1; none reaches the teacher', () => {
    const [st, tt, yt] = [tf.tensor2d(s), tf.tensor2d(t), tf.tensor1d(y, 'int32')];
    const T = 2;
    const [gs, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      distillationLoss(a as tf.Tensor2D, b as tf.Tensor2D, yt, T, 1),
    )([st, tt]);
    const got = gs!.arraySync() as number[][];
    for (let i = 0; i < s.length; i++) {
      const ps = logSoftmax64(s[i]!.map((v) => v / T)).map(Math.exp);
      const pt = logSoftmax64(t[i]!.map((v) => v / T)).map(Math.exp);
      for (let k = 0; k < 5; k++)
        expect(Math.abs(got[i]![k]! - (T * (ps[k]! - pt[k]!)) / s.length)).toBeLessThan(1e-6);
    }
    expect(Array.from(gt!.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([st, tt, yt, gs!, gt!]);
  });

  it('headLoss: CE without a teacher output, the distillation loss with one', () => {
    const [st, tt, yt] = [tf.tensor2d(s), tf.tensor2d(t), tf.tensor1d(y, 'int32')];
    const distill = { temperature: 4, weight: 0.9 };
    const ce = headLoss(st, undefined, yt, { labelSmoothing: 0, distill });
    const kd = headLoss(st, tt, yt, { labelSmoothing: 0, distill });
    const plain = headLoss(st, tt, yt, { labelSmoothing: 0 });
    expect(ce.dataSync()[0]).toBeCloseTo(reference(s, t, y, 4, 0), 5);
    expect(kd.dataSync()[0]).toBeCloseTo(reference(s, t, y, 4, 0.9), 5);
    expect(plain.dataSync()[0]).toBeCloseTo(reference(s, t, y, 4, 0), 5);
    tf.dispose([st, tt, yt, ce, kd, plain]);
  });

  it('names bad settings and shapes', () => {
    const [st, yt] = [tf.tensor2d(s), tf.tensor1d(y, 'int32')];
    const narrow = tf.zeros([6, 4]) as tf.Tensor2D;
    expect(() => distillationLoss(st, st, yt, 0, 0.5)).toThrow(
      'temperature must be a finite number > 0, got 0',
    );
    expect(() => distillationLoss(st, st, yt, 4, 1.2)).toThrow(
      'weight must be a number in [0, 1], got 1.2',
    );
    expect(() => distillationLoss(st, narrow, yt, 4, 0.5)).toThrow(
      'student and teacher logits must both be [N, K], got [6,5] and [6,4]',
    );
    tf.dispose([st, yt, narrow]);
  });
});
