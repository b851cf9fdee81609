// The integration check's machinery on ½θᵀHθ (known λ_max): Lanczos from two seeds agree, and
// the finite-difference power iteration (exact for a quadratic) finds λ_max from a random start
// and stays there from the Ritz vector.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { makeQuadratic } from './quadratic.test-helpers';
import { checkTopEigenvalue } from './top-eigen-check';

const LAMBDAS = Array.from({ length: 30 }, (_, i) => (i === 0 ? 5 : 3 - 0.2 * i));

describe('checkTopEigenvalue', () => {
  it.each(['random', 'lanczos'] as const)(
    'power iteration from %s agrees with Lanczos',
    async (start) => {
      const before = tf.memory().numTensors;
      const q = makeQuadratic(LAMBDAS, 41);
      const r = await checkTopEigenvalue(q.model, {
        seeds: [1, 2],
        lanczosSteps: 30,
        tol: 1e-6,
        power: { start, seed: 3, maxIterations: 200, tol: 1e-6, eps: 0.1, stencil: 3 },
      });
      r.lanczos.forEach((run) => expect(run.value).toBeCloseTo(5, 4));
      expect(r.seedSpread).toBeLessThan(1e-5);
      expect(r.power.converged).toBe(true);
      expect(r.powerGap).toBeLessThan(1e-4);
      if (start === 'lanczos') expect(r.power.iterations).toBeLessThanOrEqual(3);
      q.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
