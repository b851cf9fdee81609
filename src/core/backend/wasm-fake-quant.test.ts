// The fused fake-quantization kernel on wasm (wasm-fake-quant.ts) gives exactly what the composed
// tfjs ops give on the cpu backend (fake-quant.ts without the kernel): values and STE gradients,
// per tensor and per channel, signed and zero-point levels, with the edge values (exact bounds,
// halves that round to even, ±∞, NaN, −0) in the data; and it leaks nothing.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import './register-gradients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeQuantSte, fakeQuantSteChannels } from '../compress/quant/fake-quant';
import { makeRng } from '../util/rng';
import { registerWasmGradKernels } from './wasm-grad-kernels';
import { FAKE_QUANT_STE, hasFusedFakeQuant } from './wasm-fake-quant';

const C = 3;
const ROWS = 40;

/** Random values plus the edge values, scaled so that x·2^bp hits them exactly. */
function data(seed: number, up: number): Float32Array {
  const rng = makeRng(seed);
  const edges = [127, -128, 127.5, -128.5, 2.5, 3.5, -2.5, -0.5, 0.5, 255, -0, 1e30, -1e30];
  const x = Float32Array.from({ length: ROWS * C }, () => ((rng() - 0.5) * 400) / up);
  edges.forEach((e, i) => (x[i * 2] = e / up));
  x[3] = Infinity;
  x[5] = -Infinity;
  x[7] = NaN;
  return x;
}

type Quantizer = (x: tf.Tensor) => tf.Tensor;
const cases: [string, Quantizer, number][] = [
  ['per tensor, signed 8 bits', (x) => fakeQuantSte(x, 8, 2), 4],
  ['per tensor, zero point 37', (x) => fakeQuantSte(x, 8, 2, 37), 4],
  ['per tensor, zero point 0 (levels [0, 255])', (x) => fakeQuantSte(x, 8, 2, 0), 4],
  ['per channel, 6 bits', (x) => fakeQuantSteChannels(x, 6, [2, 2, 2]), 4],
  ['per channel, mixed exponents', (x) => fakeQuantSteChannels(x, 4, [-1, 3, 0]), 1],
];

/** value and gradient of sum(q(x)·dy), downloaded. */
function run(q: Quantizer, x: Float32Array, dy: Float32Array): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const xt = tf.tensor2d(x, [ROWS, C]);
    const dyt = tf.tensor2d(dy, [ROWS, C]);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(q(v), dyt)));
    return [q(xt).dataSync() as Float32Array, grad(xt).dataSync() as Float32Array];
  });
}

/** Equal element by element, NaN equal to NaN; −0 and +0 equal. */
function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i] || (isNaN(v) && isNaN(b[i]!)));
}

describe('fused fake quantization on wasm vs the composed ops on cpu', () => {
  beforeAll(() => registerWasmGradKernels());
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the wasm path (and not the cpu one)', async () => {
    await tf.setBackend('cpu');
    expect(hasFusedFakeQuant()).toBe(false);
    await tf.setBackend('wasm');
    expect(hasFusedFakeQuant()).toBe(true);
  });

  it.each(cases)('%s: same values and STE gradients', async (_, q, up) => {
    const x = data(3, up);
    const dy = Float32Array.from({ length: x.length }, (_, i) => ((i % 7) - 3) / 4 + 0.1);
    await tf.setBackend('cpu');
    const [wantQ, wantG] = run(q, x, dy);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const [gotQ, gotG] = run(q, x, dy);
    expect(tf.memory().numTensors).toBe(before);
    expect(sameValues(gotQ, wantQ)).toBe(true);
    expect(sameValues(gotG, wantG)).toBe(true);
    expect(wantG.some((g) => g === 0)).toBe(true); // clipped values got no gradient …
    expect(wantG.some((g) => g !== 0)).toBe(true); // … the others did
  });

  it('refuses inputs that do not split into the scales', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([5]);
    const up = tf.ones([2]);
    expect(() =>
      tf.engine().runKernel(FAKE_QUANT_STE, { x, up, down: up }, { lo: 0, hi: 1 }),
    ).toThrow(`${FAKE_QUANT_STE}: [5] does not split into 2 channels`);
    tf.dispose([x, up]);
  });
});
