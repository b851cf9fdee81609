/**
 * Flat float64 parameter vectors (the Lanczos side) ↔ per-variable float32 tensors (the tfjs
 * side), plus the few BLAS-1 helpers the eigensolvers use. A vector's layout is the variables'
 * order, each flattened row-major.
 */
import * as tf from '@tensorflow/tfjs-core';
import { randNormal, type Rng } from '../../util/rng';

/** Element offsets of each variable in the flat vector, and the total length. */
export interface VectorLayout {
  shapes: number[][];
  offsets: number[];
  n: number;
}

export function layoutOf(vars: readonly tf.Tensor[]): VectorLayout {
  const offsets: number[] = [];
  let n = 0;
  for (const v of vars) {
    offsets.push(n);
    n += v.size;
  }
  return { shapes: vars.map((v) => [...v.shape]), offsets, n };
}

function checkLength(layout: VectorLayout, v: ArrayLike<number>, what: string): void {
  if (v.length !== layout.n)
    throw new Error(`${what}: vector has length ${v.length}, the parameters ${layout.n}`);
}

/** Flat vector → one float32 tensor per variable (caller disposes). */
export function toTensors(layout: VectorLayout, v: ArrayLike<number>): tf.Tensor[] {
  checkLength(layout, v, 'toTensors');
  return layout.shapes.map((shape, i) => {
    const start = layout.offsets[i]!;
    const size = (layout.offsets[i + 1] ?? layout.n) - start;
    const data = new Float32Array(size);
    for (let j = 0; j < size; j++) data[j] = v[start + j]!;
    return tf.tensor(data, shape, 'float32');
  });
}

/** Tensors aligned with the layout → one flat float32 tensor [n] (caller disposes). */
export function concatFlat(ts: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => tf.concat(ts.map((t) => tf.reshape(t, [-1]))) as tf.Tensor1D);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** y ← y + alpha·x (in place). */
export function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += alpha * x[i]!;
}

export function scaled(a: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * s;
  return out;
}

/** Random ±1 entries (Rademacher). */
export function rademacher(n: number, rng: Rng): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng() < 0.5 ? -1 : 1;
  return v;
}

/** Standard normal entries. */
export function gaussian(n: number, rng: Rng): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = randNormal(rng);
  return v;
}
