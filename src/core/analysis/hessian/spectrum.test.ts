// hessianSpectrum / lossModelSpectrum end to end through exact HVPs: on ½θᵀHθ the top-k equal
// the dense eigen-solve, the trace is Hutchinson's, the density has weight 1 and mean tr/n; on a
// small real network the top-k and the trace equal those of the dense Hessian assembled column
// by column from HVPs. Seeded, cancellable, with progress, and no tensors left behind.
import * as tf from '@tensorflow/tfjs-core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../train/types';
import { makeRng } from '../../util/rng';
import { exactHvp, modelLayout } from './hvp';
import { networkLossModel } from './network-loss';
import { microGraph, randomBatches, randomNetwork } from './networks.test-helpers';
import { makeQuadratic } from './quadratic.test-helpers';
import { hutchinsonTrace } from './slq';
import {
  hessianOperator,
  hessianSpectrum,
  lossModelSpectrum,
  type SpectrumProgress,
} from './spectrum';

const LAMBDAS = Array.from({ length: 48 }, (_, i) =>
  i < 3 ? [9, 6, 4.5][i]! : -1.5 + (4 * (i - 3)) / 44,
);

describe('lossModelSpectrum on ½θᵀHθ', () => {
  it('top-k = dense eigenvalues; trace, density weight and mean consistent; progress', async () => {
    const before = tf.memory().numTensors;
    const q = makeQuadratic(LAMBDAS, 31, [[4, 4], [32]]);
    const progress: SpectrumProgress[] = [];
    const s = await lossModelSpectrum(q.model, {
      topK: 3,
      lanczosSteps: 30,
      probes: 6,
      densitySteps: 12,
      seed: 5,
      onProgress: (p) => progress.push(p),
    });
    const tr = LAMBDAS.reduce((a, b) => a + b, 0);
    console.log(
      `[spectrum quadratic] top ${s.top.map((v) => v.toFixed(6))} (${s.topSteps} steps), ` +
        `trace ${s.trace.toFixed(3)} ± ${s.traceStdErr.toFixed(3)} vs ${tr.toFixed(3)}, ${s.hvps} HVPs`,
    );
    s.top.forEach((v, i) => expect(v).toBeCloseTo(q.eigenvalues[i]!, 4));
    expect(s.topConverged).toBe(true);
    expect(s.smallest).toBeLessThan(-1.3);
    expect(Math.abs(s.trace - tr)).toBeLessThan(4 * s.traceStdErr + 1e-9);
    const w = s.density.weights.reduce((a, b) => a + b, 0);
    expect(w).toBeCloseTo(1, 10);
    const mean = s.density.nodes.reduce((a, x, i) => a + x * s.density.weights[i]!, 0);
    expect(mean).toBeCloseTo(s.trace / q.n, 8);
    expect(s.params).toBe(48);
    // progress: one report per product, the plan met exactly at the end
    expect(progress.length).toBe(s.hvps);
    expect(s.hvps).toBe(s.topSteps + 6 * 12);
    expect(progress.at(-1)!.totalHvps).toBe(s.hvps);
    expect(progress.at(-1)!.etaSeconds).toBe(0);
    expect(progress.map((p) => p.phase)).toContain('density');
    q.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is seeded: same seed → same numbers; another seed → same top-k', async () => {
    const q = makeQuadratic(LAMBDAS, 32);
    const o = { topK: 2, lanczosSteps: 30, probes: 2, densitySteps: 8 };
    const a = await lossModelSpectrum(q.model, { ...o, seed: 1 });
    const b = await lossModelSpectrum(q.model, { ...o, seed: 1 });
    const c = await lossModelSpectrum(q.model, { ...o, seed: 2 });
    expect(b).toEqual({ ...a, seconds: b.seconds });
    expect(c.trace).not.toBe(a.trace);
    c.top.forEach((v, i) => expect(v).toBeCloseTo(a.top[i]!, 4));
    q.dispose();
  });

  it('cancels with CancelledError and leaves no tensors', async () => {
    const before = tf.memory().numTensors;
    const q = makeQuadratic(LAMBDAS, 33);
    const signal = { aborted: false };
    const run = lossModelSpectrum(q.model, {
      signal,
      onProgress: (p) => {
        if (p.hvps === 4) signal.aborted = true;
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    q.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('hessianSpectrum on a real (micro) network', () => {
  it('top-k and trace equal those of the dense Hessian built from HVPs', async () => {
    const before = tf.memory().numTensors;
    const net = randomNetwork(microGraph(), 3);
    const batches = randomBatches([6, 4], 4, [4, 4, 2]);
    // dense reference: column j = H e_j
    const model = networkLossModel(net, batches);
    const { n } = modelLayout(model);
    const cols: Float64Array[] = [];
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      cols.push(await exactHvp(model, e));
    }
    model.dispose();
    let asym = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) asym = Math.max(asym, Math.abs(cols[j]![i]! - cols[i]![j]!));
    const rows = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => 0.5 * (cols[j]![i]! + cols[i]![j]!)),
    );
    const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
    const dense = [...eig.realEigenvalues].sort((a, b) => b - a);
    const trace = rows.reduce((s, r, i) => s + r[i]!, 0);
    const s = await hessianSpectrum({
      net,
      batches,
      topK: 3,
      lanczosSteps: n,
      tol: 1e-7,
      probes: 2,
      densitySteps: 30,
      seed: 7,
    });
    // Hutchinson with more probes vs the dense trace, within 4 true standard deviations
    const m2 = networkLossModel(net, batches);
    const P = 24;
    const hutch = await hutchinsonTrace(hessianOperator(m2), { probes: P, rng: makeRng(8) });
    m2.dispose();
    let off = 0;
    rows.forEach((r, i) => r.forEach((v, j) => (off += i === j ? 0 : v * v)));
    const sd = Math.sqrt((2 * off) / P);
    console.log(
      `[spectrum micro net] n=${n}, max |H_ij − H_ji| ${asym.toExponential(2)}; top ${s.top.map((v) => v.toFixed(5))} vs dense ` +
        `${dense.slice(0, 3).map((v) => v.toFixed(5))}; λmin ${dense.at(-1)!.toFixed(5)}; trace ${s.trace.toFixed(4)} ± ${s.traceStdErr.toFixed(4)}, ` +
        `Hutchinson(${P}) ${hutch.trace.toFixed(4)} ± ${hutch.stdErr.toFixed(4)} vs ${trace.toFixed(4)}`,
    );
    expect(s.params).toBe(n);
    expect(asym).toBeLessThan(1e-6 * Math.abs(dense[0]!));
    s.top.forEach((v, i) => expect(v).toBeCloseTo(dense[i]!, 5));
    expect(Math.abs(s.trace - trace)).toBeLessThan(4 * s.traceStdErr + 1e-6);
    expect(Math.abs(hutch.trace - trace)).toBeLessThan(4 * sd);
    expect(Math.max(...s.density.nodes)).toBeCloseTo(dense[0]!, 4);
    expect(Math.min(...s.density.nodes)).toBeCloseTo(dense.at(-1)!, 2);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
