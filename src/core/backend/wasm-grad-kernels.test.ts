// Gradients of conv2d / depthwiseConv2d on wasm (with the composed kernels) vs the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import './register-gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRng, randNormal } from '../util/rng';
import { registerWasmGradKernels } from './wasm-grad-kernels';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  x: [number, number, number, number];
  k: number;
  cOut: number; // channel multiplier for depthwise
  s: number | [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { x: [2, 7, 7, 3], k: 3, cOut: 4, s: 1, pad: 'same' },
  { x: [3, 8, 8, 3], k: 3, cOut: 5, s: 2, pad: 'same' }, // asymmetric: bottom/right get the extra
  { x: [2, 9, 9, 2], k: 3, cOut: 3, s: 2, pad: 'same' },
  { x: [2, 8, 6, 3], k: 3, cOut: 2, s: 2, pad: 'valid' }, // last row/col unused
  { x: [2, 7, 7, 4], k: 1, cOut: 3, s: 1, pad: 'valid' },
  { x: [3, 8, 8, 4], k: 1, cOut: 2, s: 2, pad: 'same' },
  {
    x: [2, 6, 7, 3],
    k: 3,
    cOut: 2,
    s: 1,
    pad: [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ],
  },
  {
    x: [2, 6, 7, 3],
    k: 3,
    cOut: 2,
    s: 2,
    pad: [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ],
  },
  {
    x: [2, 5, 5, 2],
    k: 3,
    cOut: 1,
    s: 1,
    pad: [
      [0, 0],
      [0, 3],
      [3, 0],
      [0, 0],
    ],
  },
  { x: [2, 9, 9, 3], k: 5, cOut: 2, s: 2, pad: 'same' },
  { x: [2, 8, 8, 2], k: 2, cOut: 3, s: 2, pad: 'valid' },
  { x: [2, 10, 11, 2], k: 3, cOut: 2, s: 3, pad: 'same' },
  { x: [2, 7, 8, 2], k: 3, cOut: 2, s: [1, 2], pad: 'same' }, // per-axis strides: native fallback
  { x: [3, 5, 6, 4], k: 1, cOut: 3, s: 1, pad: 'same' }, // 1×1 stride 1: the matmul path
  { x: [2, 4, 5, 5], k: 1, cOut: 2, s: 1, pad: 'valid' }, // 1×1 matmul path with Ci > Co
];

function randomData(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => randNormal(rng));
}

interface GradData {
  dx: Float32Array;
  dw: Float32Array;
}

/** Gradients of Σ r ⊙ conv(x, w) wrt x and w on the current backend. */
function grads(c: Case, depthwise: boolean, seed: number): GradData {
  return tf.tidy(() => {
    const cin = c.x[3];
    const wShape = [c.k, c.k, cin, c.cOut] as [number, number, number, number];
    const x = tf.tensor4d(
      randomData(
        c.x.reduce((a, b) => a * b),
        seed,
      ),
      c.x,
    );
    const w = tf.tensor4d(
      randomData(
        wShape.reduce((a, b) => a * b),
        seed + 1,
      ),
      wShape,
    );
    const conv = (xx: tf.Tensor4D, ww: tf.Tensor4D) =>
      depthwise ? tf.depthwiseConv2d(xx, ww, c.s, c.pad) : tf.conv2d(xx, ww, c.s, c.pad);
    const out = conv(x, w);
    const r = tf.tensor(randomData(out.size, seed + 2), out.shape);
    const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
      tf.sum(tf.mul(conv(xx as tf.Tensor4D, ww as tf.Tensor4D), r)),
    )([x, w]);
    return { dx: g[0]!.dataSync() as Float32Array, dw: g[1]!.dataSync() as Float32Array };
  });
}

/** Buffers the wasm backend holds (catches intermediates a composite kernel forgot to free). */
function wasmDataIds(): number {
  return (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function compare(depthwise: boolean, cases: Case[] = CASES) {
  cases.forEach((c, i) => {
    it(`${JSON.stringify(c)}`, async () => {
      await tf.setBackend('cpu');
      const ref = grads(c, depthwise, 100 + i);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const buffersBefore = wasmDataIds();
      const got = grads(c, depthwise, 100 + i);
      expect(tf.memory().numTensors).toBe(before);
      expect(wasmDataIds()).toBe(buffersBefore); // intermediates freed in the backend too
      expect(maxAbsDiff(got.dw, ref.dw)).toBeLessThan(1e-4);
      expect(maxAbsDiff(got.dx, ref.dx)).toBeLessThan(1e-4);
      // The reference must not be trivially zero.
      expect(ref.dw.some((v) => Math.abs(v) > 0.1)).toBe(true);
    });
  });
}

describe('wasm gradient kernels vs cpu', () => {
  beforeAll(async () => {
    registerWasmGradKernels();
    registerWasmGradKernels(); // idempotent
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
  describe('conv2d', () => compare(false));
  describe('depthwiseConv2d', () => compare(true));
  // Channel multiplier 1 takes the per-tap heap-copy path (wasm-depthwise-filter-grad.ts).
  describe('depthwiseConv2d, multiplier 1', () =>
    compare(
      true,
      CASES.map((c) => ({ ...c, cOut: 1 })),
    ));
  it('depthwise with channel multiplier 2', async () => {
    const c: Case = { x: [2, 6, 6, 3], k: 3, cOut: 2, s: 2, pad: 'same' };
    await tf.setBackend('cpu');
    const ref = grads(c, true, 7);
    await tf.setBackend('wasm');
    const got = grads(c, true, 7);
    expect(maxAbsDiff(got.dw, ref.dw)).toBeLessThan(1e-4);
    expect(maxAbsDiff(got.dx, ref.dx)).toBeLessThan(1e-4);
  });
});
