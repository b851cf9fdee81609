// The twice-differentiable cross-entropy: same value and gradient as train/loss.ts, and its
// Hessian wrt the logits is the closed form (diag p − p pᵀ)/N per example.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from '../../train/loss';
import { crossEntropyForHessian } from './cross-entropy';
import { hvpTensors } from './hvp';

const Z = [
  [0.3, -1.2, 2.0, 0.1],
  [-0.5, 0.4, 0.0, 1.5],
  [3.0, 2.9, -2.0, 0.2],
];
const Y = [2, 0, 1];

describe('crossEntropyForHessian', () => {
  it('has the value and gradient of softmaxCrossEntropy', () => {
    const before = tf.memory().numTensors;
    const z = tf.tensor2d(Z);
    const y = tf.tensor1d(Y, 'int32');
    const a = crossEntropyForHessian(z, y);
    const b = softmaxCrossEntropy(z, y);
    expect(a.dataSync()[0]).toBeCloseTo(b.dataSync()[0]!, 6);
    const gaT = tf.grad((t: tf.Tensor) => crossEntropyForHessian(t, y))(z);
    const gbT = tf.grad((t: tf.Tensor) => softmaxCrossEntropy(t, y))(z);
    const [ga, gb] = [gaT.dataSync(), gbT.dataSync()];
    ga.forEach((v, i) => expect(v).toBeCloseTo(gb[i]!, 6));
    tf.dispose([z, y, a, b, gaT, gbT]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has the Hessian (diag p − p pᵀ)/N wrt the logits', () => {
    const z0 = tf.tensor2d(Z);
    const z = tf.variable(z0);
    const y = tf.tensor1d(Y, 'int32');
    const [n, k] = [Z.length, Z[0]!.length];
    const before = tf.memory().numTensors;
    for (let col = 0; col < n * k; col++) {
      const e = tf.tidy(() => tf.cast(tf.reshape(tf.oneHot(col, n * k), [n, k]), 'float32'));
      const [h] = hvpTensors(() => crossEntropyForHessian(z, y), [z], [e]);
      const got = h!.dataSync();
      const [r, c] = [Math.floor(col / k), col % k];
      const ex = Z[r]!.map(Math.exp);
      const p = ex.map((v) => v / ex.reduce((s, t) => s + t, 0));
      for (let i = 0; i < n * k; i++) {
        const [ri, ci] = [Math.floor(i / k), i % k];
        const want = ri !== r ? 0 : ((ci === c ? p[c]! : 0) - p[c]! * p[ci]!) / n;
        expect(got[i]).toBeCloseTo(want, 6);
      }
      tf.dispose([e, h!]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z0, z, y]);
  });
});
