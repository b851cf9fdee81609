// wasm's Sum/Mean over non-innermost axis blocks (the pooled form) vs the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRng, randNormal } from '../util/rng';
import { reductionBlock, registerWasmReduceKernels } from './wasm-reduce-kernels';

const CASES: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: false }, // batch norm's channel sums
  { shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: true },
  { shape: [4, 5, 6, 7], axis: [1, 2], keepDims: true }, // global average pooling
  { shape: [4, 5, 6, 7], axis: [2, 1], keepDims: false }, // unsorted
  { shape: [4, 5, 6, 7], axis: 0, keepDims: false },
  { shape: [9, 10], axis: [-2], keepDims: false }, // a dense layer's bias gradient
  { shape: [4, 5, 6, 7], axis: [0, 2], keepDims: false }, // not contiguous: native
  { shape: [4, 5, 6, 7], axis: [3], keepDims: false }, // innermost: native
  { shape: [4, 5], axis: [0, 1], keepDims: false }, // everything: native
  { shape: [8, 20000], axis: 0, keepDims: false }, // wide rows: native (pooling corrupted the heap)
  { shape: [8, 64, 288], axis: 0, keepDims: false }, // K-FAC's EKFAC sum on OSI
  { shape: [4, 5, 6], axis: null as unknown as number, keepDims: false }, // axis null = all
];

function values(shape: number[], seed: number): Float32Array {
  const rng = makeRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => 1 + randNormal(rng));
}

function reduce(op: 'sum' | 'mean', c: (typeof CASES)[number], seed: number) {
  return tf.tidy(() => {
    const x = tf.tensor(values(c.shape, seed), c.shape);
    const y = tf[op](x, c.axis, c.keepDims);
    return { shape: y.shape, data: y.dataSync() as Float32Array };
  });
}

describe('wasm pooled Sum/Mean vs cpu', () => {
  beforeAll(() => registerWasmReduceKernels());
  afterAll(() => tf.setBackend('cpu'));
  for (const op of ['sum', 'mean'] as const)
    CASES.forEach((c, i) =>
      it(`${op} ${JSON.stringify(c)}`, async () => {
        await tf.setBackend('cpu');
        const ref = reduce(op, c, i);
        await tf.setBackend('wasm');
        const before = tf.memory().numTensors;
        const got = reduce(op, c, i);
        expect(tf.memory().numTensors).toBe(before);
        expect(got.shape).toEqual(ref.shape);
        let worst = 0;
        for (let j = 0; j < ref.data.length; j++)
          worst = Math.max(
            worst,
            Math.abs(got.data[j]! - ref.data[j]!) / Math.max(1, Math.abs(ref.data[j]!)),
          );
        expect(worst).toBeLessThan(1e-5);
      }),
    );

  it('int32 sums keep the native kernel and stay exact', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    const y = tf.sum(x, 0);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([9, 12]);
    tf.dispose([x, y]);
  });

  it('reductionBlock: which reductions take the pooled form', () => {
    expect(reductionBlock([2, 3, 4, 5], [0, 1, 2])).toEqual({ pre: 1, r: 24, post: 5 });
    expect(reductionBlock([2, 3, 4, 5], [1, 2])).toEqual({ pre: 2, r: 12, post: 5 });
    expect(reductionBlock([2, 3, 4, 5], [0, 2])).toBeNull();
    expect(reductionBlock([2, 3, 4, 5], [3])).toBeNull();
    expect(reductionBlock([2, 3, 4, 5], [-1, -2])).toBeNull();
    expect(reductionBlock([2, 3, 4, 5], null)).toBeNull(); // all axes
    expect(reductionBlock([8, 16384], [0])).toBeNull(); // too wide to pool safely
    expect(reductionBlock([2, 3, 4, 5], [-3, -4])).toEqual({ pre: 1, r: 6, post: 20 });
  });
});
