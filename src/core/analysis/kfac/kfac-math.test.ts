// Pure pieces of the K-FAC analysis: damping, the symmetric eigen-solve (vs a cyclic Jacobi
// reference and power iteration), rotation into the eigenbasis and back, label sampling, geometry.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { makeRng, randNormal } from '../../util/rng';
import { addDiagonal, dampingFor } from './damping';
import { matMul, rotateTaps, tapsToWeight, unrotateTaps, weightTaps } from './eigenbasis';
import { sampleLabels } from './fisher-pass';
import { resolvePadding, tapCounts } from './geometry';
import { rotatePlain } from './kfac-reference.test-helpers';
import { symmetricEigen } from './sym-eigen';

function randomSpd(n: number, seed: number): Float64Array {
  const rng = makeRng(seed);
  const b = Float64Array.from({ length: n * n }, () => randNormal(rng));
  return addDiagonal(matMul(b, b, n, n, n, false, true), n, 0.1); // BBᵀ + 0.1 I
}

/** Eigenvalues by cyclic Jacobi rotations (Golub & Van Loan §8.5), descending. */
function jacobiEigenvalues(m: Float64Array, n: number): number[] {
  const a = Float64Array.from(m);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]!).sort((x, y) => y - x);
}

function powerIteration(m: Float64Array, n: number): number {
  let v = new Float64Array(n).fill(1);
  let lambda = 0;
  for (let it = 0; it < 2000; it++) {
    const w = matMul(m, v, n, n, 1);
    lambda = Math.hypot(...w);
    v = w.map((x) => x / lambda);
  }
  return lambda;
}

const maxAbs = (a: ArrayLike<number>) =>
  Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('damping', () => {
  it('π = (trA/dimA)/(trG/dimG), shifts √(λπ) and √(λ/π)', () => {
    const d = dampingFor(6, 3, 1, 4, 1e-3); // (6/3)/(1/4) = 8
    expect(d.pi).toBe(8);
    expect(d.a).toBeCloseTo(Math.sqrt(8e-3), 15);
    expect(d.g).toBeCloseTo(Math.sqrt(1e-3 / 8), 15);
    expect(d.a * d.g).toBeCloseTo(1e-3, 15);
  });

  it('rejects a zero trace or a bad λ', () => {
    expect(() => dampingFor(0, 3, 1, 4, 1e-3)).toThrow(/tr A = 0/);
    expect(() => dampingFor(1, 3, 1, 4, -1)).toThrow(/λ must be a positive number, got -1/);
  });
});

describe('symmetricEigen', () => {
  const n = 7;
  const m = randomSpd(n, 11);
  const { values, vectors } = symmetricEigen(m, n);

  it('reconstructs the matrix (< 1e-8 relative) with orthonormal vectors', () => {
    const qL = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) qL[i * n + j] = vectors[i * n + j]! * values[j]!;
    const back = matMul(qL, vectors, n, n, n, false, true); // Q Λ Qᵀ
    expect(maxAbs(back.map((v, i) => v - m[i]!)) / maxAbs(m)).toBeLessThan(1e-8);
    const qtq = matMul(vectors, vectors, n, n, n, true, false);
    expect(maxAbs(qtq.map((v, i) => v - (i % (n + 1) === 0 ? 1 : 0)))).toBeLessThan(1e-12);
  });

  it('matches Jacobi eigenvalues and the power-iteration top eigenvalue, descending', () => {
    const ref = jacobiEigenvalues(m, n);
    for (let i = 0; i < n; i++)
      expect(Math.abs(values[i]! - ref[i]!) / ref[0]!).toBeLessThan(1e-12);
    expect(Math.abs(values[0]! / powerIteration(m, n) - 1)).toBeLessThan(1e-9);
    expect([...values]).toEqual([...values].sort((a, b) => b - a));
  });

  it('fails on a wrong size or a non-finite entry', () => {
    expect(() => symmetricEigen(new Float64Array(5), 2)).toThrow(/expected 2×2 values, got 5/);
    expect(() => symmetricEigen([1, NaN, NaN, 1], 2)).toThrow(/entry \(0,1\) is NaN/);
  });
});

describe('rotation into the eigenbasis', () => {
  const rng = makeRng(4);
  const [k, cin, cout] = [3, 3, 4];
  const weight = {
    shape: [k, k, cin, cout],
    data: Float32Array.from({ length: k * k * cin * cout }, () => randNormal(rng)),
  };
  const bias = { shape: [cout], data: Float32Array.from({ length: cout }, () => randNormal(rng)) };
  const qA = symmetricEigen(randomSpd(cin + 1, 1), cin + 1).vectors;
  const qG = symmetricEigen(randomSpd(cout, 2), cout).vectors;

  it('lays out taps as c_out × (c_in | bias) and back', () => {
    const taps = weightTaps(weight, bias);
    expect([taps.taps, taps.rows, taps.cols]).toEqual([9, cout, cin + 1]);
    // tap (1,2), out 3, in 2 = W[1,2,2,3]
    expect(taps.data[((1 * 3 + 2) * cout + 3) * (cin + 1) + 2]).toBe(
      weight.data[((1 * 3 + 2) * cin + 2) * cout + 3],
    );
    expect(taps.data[(5 * cout + 1) * (cin + 1) + cin]).toBe(bias.data[1]);
    const back = tapsToWeight(taps, weight.shape, true);
    expect(back.weight.data).toEqual(weight.data);
    expect(back.bias!.data).toEqual(bias.data);
  });

  it('W′ = Q_Gᵀ W Q_A per tap, and Q_G W′ Q_Aᵀ gives W back', () => {
    const taps = weightTaps(weight, bias);
    const rotated = rotateTaps(taps, qG, qA);
    const per = cout * (cin + 1);
    const ref = rotatePlain(taps.data.subarray(4 * per, 5 * per), qG, qA, cout, cin + 1);
    expect(maxAbs(rotated.data.subarray(4 * per, 5 * per).map((v, i) => v - ref[i]!))).toBeLessThan(
      1e-12,
    );
    const back = unrotateTaps(rotated, qG, qA);
    expect(maxAbs(back.data.map((v, i) => v - taps.data[i]!))).toBeLessThan(1e-12);
  });

  it('fails when the rotations do not fit', () => {
    expect(() => rotateTaps(weightTaps(weight), qG, qA)).toThrow(/do not fit 4×3 taps/);
  });
});

describe('label sampling', () => {
  it('draws classes with the softmax probabilities', () => {
    const probs = new Float32Array(3 * 20000);
    for (let r = 0; r < 20000; r++) probs.set([0.1, 0.6, 0.3], r * 3);
    const labels = sampleLabels(probs, 3, makeRng(9));
    const freq = [0, 1, 2].map((c) => labels.filter((l) => l === c).length / 20000);
    freq.forEach((f, c) => expect(Math.abs(f - [0.1, 0.6, 0.3][c]!)).toBeLessThan(0.015));
    expect([...sampleLabels([0, 0, 1, 1, 0, 0], 3, makeRng(1))]).toEqual([2, 0]);
  });
});

describe('patch geometry', () => {
  it("resolves TF 'same' padding like tfjs and counts reads per input row", () => {
    expect(resolvePadding('same', 6, 5, 3, 2)).toEqual([0, 1, 1, 1]);
    // 6 rows, k 3, s 2, pads (0,1): windows [0..2], [2..4], [4..6) → reads 1,1,2,1,2,1
    expect([...tapCounts(6, 3, 3, 2, 0)]).toEqual([1, 1, 2, 1, 2, 1]);
    const y = tf.conv2d(
      tf.ones([1, 6, 5, 1]) as tf.Tensor4D,
      tf.ones([3, 3, 1, 1]) as tf.Tensor4D,
      2,
      'same',
    );
    expect(y.shape).toEqual([1, 3, 3, 1]);
    expect(y.dataSync()[0]).toBe(3 * 2); // output (0,0): rows 0–2 (top pad 0), cols 0–1 (left pad 1)
    y.dispose();
  });
});
