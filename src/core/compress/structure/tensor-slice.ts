/** Index selection on plain row-major TensorData (numpy's `take` along one axis). */
import type { TensorData } from '../../graph/ir';

function isIdentity(idx: readonly number[], n: number): boolean {
  return idx.length === n && idx.every((v, j) => v === j);
}

/** t with only the entries `idx` (in that order) along `axis`; `t` itself when idx is 0…n−1. */
export function takeAlong(t: TensorData, axis: number, idx: readonly number[]): TensorData {
  const n = t.shape[axis];
  if (n === undefined) throw new Error(`takeAlong: axis ${axis} out of range for [${t.shape}]`);
  if (isIdentity(idx, n)) return t;
  const bad = idx.find((v) => !Number.isInteger(v) || v < 0 || v >= n);
  if (bad !== undefined) throw new Error(`takeAlong: index ${bad} out of range 0…${n - 1}`);
  const outer = t.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = new Float32Array(outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idx.length; j++) {
      const src = (o * n + idx[j]!) * inner;
      data.set(t.data.subarray(src, src + inner), (o * idx.length + j) * inner);
    }
  }
  const shape = [...t.shape];
  shape[axis] = idx.length;
  return { shape, data };
}
