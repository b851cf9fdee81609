// Lanczos (full re-orthogonalisation) top-k, power iteration and the tridiagonal solve vs a
// dense eigen-solve (ml-matrix) of a known symmetric H, products through double back-prop.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../train/types';
import { makeRng } from '../../util/rng';
import { lanczos, lanczosTopEigen, ritz, type SymmetricOperator } from './lanczos';
import { powerIteration } from './power-iteration';
import { makeQuadratic } from './quadratic.test-helpers';
import { hessianOperator } from './spectrum';
import { tridiagonalEigen } from './tridiagonal';
import { gaussian } from './vectors';

/** Eigenvalues: a few separated large ones, a bulk, and (optionally) negative ones. */
function spectrum(n: number, negative: boolean): number[] {
  const top = [10, 7, 5.5, 4.8];
  const bulk = Array.from({ length: n - top.length }, (_, i) => {
    const t = i / (n - top.length - 1);
    return negative ? -2 + 4 * t * t : 0.01 + 2 * t * t;
  });
  return [...top, ...bulk];
}

describe('tridiagonalEigen', () => {
  it('matches the closed form of the path-graph matrix tridiag(1, 2, 1)', () => {
    const m = 7;
    const e = tridiagonalEigen(Array(m).fill(2), Array(m - 1).fill(1));
    const want = Array.from(
      { length: m },
      (_, j) => 2 + 2 * Math.cos(((j + 1) * Math.PI) / (m + 1)),
    ).sort((a, b) => a - b);
    e.values.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 12));
    const w = e.first.reduce((s, f) => s + f * f, 0);
    expect(w).toBeCloseTo(1, 12);
  });
});

describe('Lanczos on ½θᵀHθ', () => {
  it.each([
    ['SPD', false],
    ['indefinite', true],
  ] as const)(
    '%s: top-4 equal the dense eigenvalues; residuals bound the error',
    async (_, neg) => {
      const before = tf.memory().numTensors;
      const q = makeQuadratic(spectrum(60, neg), 21, [[6, 5], [30]]);
      const op = hessianOperator(q.model);
      const r = await lanczosTopEigen(op, gaussian(q.n, makeRng(1)), {
        k: 4,
        steps: 40,
        tol: 1e-6,
      });
      console.log(
        `[lanczos ${_}] n=${q.n}, ${r.steps} steps, top ${r.values.map((v) => v.toFixed(6))} vs dense ` +
          `${q.eigenvalues.slice(0, 4).map((v) => v.toFixed(6))}; smallest ${r.smallest.toFixed(4)} vs ${q.eigenvalues[q.n - 1]!.toFixed(4)}`,
      );
      expect(r.converged).toBe(true);
      expect(r.steps).toBeLessThan(40);
      r.values.forEach((v, i) => {
        const want = q.eigenvalues[i]!;
        expect(Math.abs(v - want)).toBeLessThanOrEqual(
          Math.max(r.residuals[i]!, 1e-5 * Math.abs(want)),
        );
        expect(Math.abs(v - want) / Math.abs(want)).toBeLessThan(1e-5);
      });
      q.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('with n steps recovers the whole spectrum and reports exhaustion', async () => {
    const q = makeQuadratic(spectrum(24, true), 5);
    const r = await lanczos(hessianOperator(q.model), gaussian(q.n, makeRng(2)), { steps: 100 });
    const got = ritz(r)
      .values.slice()
      .sort((a, b) => b - a);
    expect(got.length).toBe(q.n);
    got.forEach((v, i) => expect(v).toBeCloseTo(q.eigenvalues[i]!, 4));
    q.dispose();
  });

  it('stops at an invariant subspace (start vector in a 3-dim eigenspace)', async () => {
    const diag = [5, 4, 3, 2, 1, 0.5];
    const op: SymmetricOperator = {
      n: diag.length,
      apply: async (v) => Float64Array.from(v, (x, i) => diag[i]! * x),
    };
    const r = await lanczos(op, Float64Array.from([1, 1, 1, 0, 0, 0]), { steps: 6 });
    expect(r.exhausted).toBe(true);
    expect(r.alphas.length).toBe(3);
    ritz(r).values.forEach((v, i) => expect(v).toBeCloseTo([3, 4, 5][i]!, 10));
  });

  it('power iteration finds the same largest eigenvalue', async () => {
    const q = makeQuadratic(spectrum(40, false), 8);
    const p = await powerIteration(hessianOperator(q.model), gaussian(q.n, makeRng(3)), {
      maxIterations: 200,
      tol: 1e-9,
    });
    expect(p.converged).toBe(true);
    expect(p.value).toBeCloseTo(q.eigenvalues[0]!, 4);
    q.dispose();
  });

  it('cancels between products', async () => {
    const q = makeQuadratic(spectrum(30, false), 9);
    const signal = { aborted: false };
    const base = hessianOperator(q.model);
    let calls = 0;
    const op: SymmetricOperator = {
      n: base.n,
      apply: (v, s) => {
        if (++calls === 3) signal.aborted = true;
        return base.apply(v, s);
      },
    };
    await expect(
      lanczosTopEigen(op, gaussian(q.n, makeRng(4)), { k: 2, steps: 20, signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toBe(3);
    q.dispose();
  });
});
