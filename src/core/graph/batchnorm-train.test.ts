// The fused training batch norm vs autodiff of the textbook formula (tf.moments), cpu and wasm.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '../backend/register-gradients';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRng, randNormal } from '../util/rng';
import { channelSum, fusedBatchNormTrain } from './batchnorm-train';

function data(shape: number[], seed: number, shift = 0): tf.Tensor {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => shift + 2 * randNormal(rng)),
    shape,
  );
}

/** The reference: autodiff through mean/variance/rsqrt (the pre-fusion implementation). */
function reference(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(
    x,
    x.shape.slice(0, -1).map((_, i) => i),
  );
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
}

interface Out {
  y: Float32Array;
  dx: Float32Array;
  dg: Float32Array;
  db: Float32Array;
  mean?: Float32Array;
  variance?: Float32Array;
}

/** Value and gradients of Σ r ⊙ BN(x) wrt x, γ, β. */
function run(shape: number[], fused: boolean): Out {
  let out: Out | undefined;
  tf.tidy(() => {
    const c = shape[shape.length - 1]!;
    const [x, g, b] = [data(shape, 1, 3), data([c], 2), data([c], 3)];
    const r = data(shape, 4);
    const eps = 1e-5;
    const f = (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
      fused ? fusedBatchNormTrain(xx, gg, bb, eps).y : reference(xx, gg, bb, eps);
    const [dx, dg, db] = tf.grads((xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(f(xx, gg, bb), r)),
    )([x, g, b]);
    out = {
      y: f(x, g, b).dataSync() as Float32Array,
      dx: dx!.dataSync() as Float32Array,
      dg: dg!.dataSync() as Float32Array,
      db: db!.dataSync() as Float32Array,
    };
    if (fused) {
      const s = fusedBatchNormTrain(x, g, b, eps);
      out.mean = s.mean.dataSync() as Float32Array;
      out.variance = s.variance.dataSync() as Float32Array;
    } else {
      const m = tf.moments(
        x,
        shape.slice(0, -1).map((_, i) => i),
      );
      out.mean = m.mean.dataSync() as Float32Array;
      out.variance = m.variance.dataSync() as Float32Array;
    }
  });
  return out!;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let scale = 1e-6;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m / scale;
}

const SHAPES = [
  [4, 5, 6, 3],
  [2, 7, 7, 16],
  [9, 10], // a BN after a dense layer
];

describe('fusedBatchNormTrain', () => {
  afterAll(() => tf.setBackend('cpu'));
  for (const backend of ['cpu', 'wasm'])
    for (const shape of SHAPES)
      it(`${backend} ${JSON.stringify(shape)}: value, statistics and gradients = autodiff`, async () => {
        await tf.setBackend('cpu');
        const ref = run(shape, false);
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const got = run(shape, true);
        expect(tf.memory().numTensors).toBe(before);
        for (const k of ['y', 'dx', 'dg', 'db', 'mean', 'variance'] as const)
          expect(maxRelDiff(got[k]!, ref[k]!), k).toBeLessThan(1e-4);
        // dx of a BN is not trivially small: the reference really has a gradient.
        expect(ref.dx.some((v) => Math.abs(v) > 0.05)).toBe(true);
      });

  it('channelSum = tf.sum over the leading axes', async () => {
    await tf.setBackend('wasm');
    const x = data([3, 4, 5, 6], 9);
    const d = maxRelDiff(
      channelSum(x).dataSync() as Float32Array,
      tf.sum(x, [0, 1, 2]).dataSync() as Float32Array,
    );
    expect(d).toBeLessThan(1e-5);
    x.dispose();
  });

  it('statistics are owned by the caller: a tidy around the op frees everything', async () => {
    await tf.setBackend('cpu');
    const x = data([2, 3, 3, 4], 5);
    const g = tf.ones([4]);
    const b = tf.zeros([4]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      fusedBatchNormTrain(x, g, b, 1e-5);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });
});
