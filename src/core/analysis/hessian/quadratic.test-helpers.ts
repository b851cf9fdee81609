// Test-only: a quadratic loss L(θ) = ½ θᵀHθ with a known symmetric H, written with tf ops over
// two tf.Variables (so products go through the double-backprop HVP path), and its dense
// eigen-solve (ml-matrix) as the reference.
import * as tf from '@tensorflow/tfjs-core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { makeRng, randNormal } from '../../util/rng';
import type { LossModel } from './hvp';

export interface Quadratic {
  model: LossModel;
  n: number;
  /** H row-major as float64 copies of the float32 values the model uses. */
  h: Float64Array;
  /** Dense eigenvalues of h, descending. */
  eigenvalues: number[];
  dispose(): void;
}

/** Random orthonormal basis of R^n (Gram–Schmidt on Gaussian vectors), rows. */
function orthonormal(n: number, seed: number): Float64Array[] {
  const rng = makeRng(seed);
  const out: Float64Array[] = [];
  while (out.length < n) {
    const v = Float64Array.from({ length: n }, () => randNormal(rng));
    for (let pass = 0; pass < 2; pass++)
      for (const q of out) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i]! * v[i]!;
        for (let i = 0; i < n; i++) v[i]! -= d * q[i]!;
      }
    const nv = Math.hypot(...v);
    out.push(v.map((x) => x / nv));
  }
  return out;
}

/** H = Σ λ_i u_i u_iᵀ (rounded to float32), split over variables of `shapes` (sizes sum to n). */
export function makeQuadratic(
  lambdas: readonly number[],
  seed: number,
  shapes: number[][] = [[lambdas.length]],
): Quadratic {
  const n = lambdas.length;
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  if (sizes.reduce((a, b) => a + b, 0) !== n) throw new Error(`shapes do not hold ${n} values`);
  const u = orthonormal(n, seed);
  const h32 = new Float32Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += lambdas[k]! * u[k]![i]! * u[k]![j]!;
      h32[i * n + j] = s;
      h32[j * n + i] = s;
    }
  const h = Float64Array.from(h32);
  const rng = makeRng(seed + 1);
  const hT = tf.tensor2d(h32, [n, n]);
  const vars = shapes.map((s, i) => {
    const init = tf.tensor(
      Float32Array.from({ length: sizes[i]! }, () => randNormal(rng)),
      s,
    );
    const v = tf.variable(init);
    init.dispose();
    return v;
  });
  const loss = () =>
    tf.tidy(() => {
      const theta = tf.reshape(tf.concat(vars.map((v) => tf.reshape(v, [-1]))), [n, 1]);
      return tf.mul(0.5, tf.sum(tf.mul(theta, tf.matMul(hT, theta)))) as tf.Scalar;
    });
  const rows = Array.from({ length: n }, (_, i) => Array.from(h.subarray(i * n, (i + 1) * n)));
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  return {
    model: { vars, terms: [{ weight: 1, loss }] },
    n,
    h,
    eigenvalues: [...evd.realEigenvalues].sort((a, b) => b - a),
    dispose: () => tf.dispose([hT, ...vars]),
  };
}

/** Hv with the dense H, float64. */
export function denseProduct(h: Float64Array, v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += h[i * n + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}
