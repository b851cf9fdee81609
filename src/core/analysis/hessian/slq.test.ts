// Stochastic Lanczos quadrature and Hutchinson on operators with a known spectrum: exactness of
// each probe's Gauss rule, nodes = eigenvalues with n steps, total weight 1, and the averaged
// moments / trace within their statistical error.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../util/rng';
import type { SymmetricOperator } from './lanczos';
import { makeQuadratic, denseProduct } from './quadratic.test-helpers';
import { hutchinsonTrace, probeVector, spectralDensity, stochasticLanczosQuadrature } from './slq';
import { dot } from './vectors';

/** A dense float64 operator with the quadratic's H (fast, no tensors). */
function denseOperator(lambdas: number[], seed: number) {
  const q = makeQuadratic(lambdas, seed);
  q.dispose(); // only h and the eigenvalues are used
  const op: SymmetricOperator = { n: q.n, apply: async (v) => denseProduct(q.h, v) };
  return { op, h: q.h, eigenvalues: q.eigenvalues, n: q.n };
}

function lambdas(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < 3 ? 8 - 2 * i : -1 + (3 * (i - 3)) / (n - 4)));
}

/** Rademacher variance of vᵀHv: 2 Σ_{i≠j} H_ij². */
function hutchinsonVariance(h: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) s += h[i * n + j]! ** 2;
  return 2 * s;
}

describe('stochastic Lanczos quadrature', () => {
  it('each probe’s Gauss rule is exact for qᵀH^k q up to degree 2m − 1', async () => {
    const { op, h, n } = denseOperator(lambdas(40), 3);
    const steps = 6;
    const [probe] = await stochasticLanczosQuadrature(op, { probes: 1, steps, rng: makeRng(9) });
    const v = probeVector('rademacher', n, makeRng(9)); // the same draw
    const q = v.map((x) => x / Math.sqrt(n));
    let hk: Float64Array = Float64Array.from(q);
    for (let k = 0; k <= 2 * steps - 1; k++) {
      const exact = dot(q, hk);
      const rule = probe!.nodes.reduce((s, x, i) => s + probe!.weights[i]! * x ** k, 0);
      expect(Math.abs(rule - exact)).toBeLessThan(1e-9 * Math.max(1, 8 ** k));
      hk = denseProduct(h, hk);
    }
    expect(probe!.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(probe!.quadraticForm).toBeCloseTo(dot(v, denseProduct(h, v)), 9);
  });

  it('with n steps every probe’s nodes are the eigenvalues', async () => {
    const { op, eigenvalues, n } = denseOperator(lambdas(20), 4);
    const probes = await stochasticLanczosQuadrature(op, {
      probes: 3,
      steps: n,
      rng: makeRng(1),
      kind: 'gaussian',
    });
    for (const p of probes) {
      expect(p.nodes.length).toBe(n);
      [...p.nodes].reverse().forEach((x, i) => expect(x).toBeCloseTo(eigenvalues[i]!, 8));
    }
  });

  it('density: weight 1, mean = Hutchinson tr/n, and close to the dense density', async () => {
    const { op, h, eigenvalues, n } = denseOperator(lambdas(30), 5);
    const P = 20;
    const probes = await stochasticLanczosQuadrature(op, { probes: P, steps: n, rng: makeRng(2) });
    const sigma = 0.3;
    const d = spectralDensity(probes, { sigma, gridSize: 400 });
    const trace = eigenvalues.reduce((a, b) => a + b, 0);
    // total weight and the broadened curve's integral (trapezoid)
    expect(d.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const dx = d.grid[1]! - d.grid[0]!;
    const integral =
      d.values.reduce((s, v, i) => s + v * (i === 0 || i === d.values.length - 1 ? 0.5 : 1), 0) *
      dx;
    expect(integral).toBeCloseTo(1, 3);
    // ∫λρ = Σ wθ = mean over probes of vᵀHv / n (Gauss rule exact at degree 1) ≈ tr/n
    const mean = d.nodes.reduce((s, x, i) => s + d.weights[i]! * x, 0);
    const hutch = probes.reduce((s, p) => s + p.quadraticForm, 0) / P;
    expect(mean).toBeCloseTo(hutch / n, 10);
    const sd = Math.sqrt(hutchinsonVariance(h, n) / P) / n;
    expect(Math.abs(mean - trace / n)).toBeLessThan(4 * sd);
    // vs the exact density (1/n) Σ N(λ; λ_i, σ²): L1 ≤ E Σ|w̄_i − 1/n| ≤ sqrt(2/P)
    const c = 1 / (sigma * Math.sqrt(2 * Math.PI));
    const exact = d.grid.map((x) =>
      eigenvalues.reduce((s, l) => s + (c / n) * Math.exp(-0.5 * ((x - l) / sigma) ** 2), 0),
    );
    const l1 = d.values.reduce((s, v, i) => s + Math.abs(v - exact[i]!), 0) * dx;
    console.log(
      `[slq] P=${P}: ∫ρ ${integral.toFixed(5)}, mean ${mean.toFixed(4)} vs tr/n ${(trace / n).toFixed(4)} (sd ${sd.toFixed(4)}), L1 to dense ${l1.toFixed(4)} (bound ${Math.sqrt(2 / P).toFixed(3)})`,
    );
    expect(l1).toBeLessThan(Math.sqrt(2 / P));
  });
});

describe('Hutchinson trace', () => {
  it('estimates tr(H) within 4 standard errors, and reports a consistent standard error', async () => {
    const { op, h, eigenvalues, n } = denseOperator(lambdas(50), 6);
    const P = 30;
    const t = await hutchinsonTrace(op, { probes: P, rng: makeRng(7) });
    const trace = eigenvalues.reduce((a, b) => a + b, 0);
    const sd = Math.sqrt(hutchinsonVariance(h, n) / P);
    console.log(
      `[hutchinson] ${t.trace.toFixed(3)} ± ${t.stdErr.toFixed(3)} vs tr ${trace.toFixed(3)} (true sd ${sd.toFixed(3)})`,
    );
    expect(Math.abs(t.trace - trace)).toBeLessThan(4 * sd);
    expect(t.stdErr / sd).toBeGreaterThan(0.5);
    expect(t.stdErr / sd).toBeLessThan(1.5);
  });
});
