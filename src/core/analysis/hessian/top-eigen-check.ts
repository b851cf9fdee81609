/**
 * Cross-check of the top Hessian eigenvalue, as the integration proof asks: Lanczos
 * (exact double-backprop HVPs) from two seeds, and power iteration whose products are finite
 * differences of the gradient (no second-order code involved), started either from a seeded
 * random vector or from the first Lanczos run's Ritz vector (then it checks that the pair is an
 * eigenpair of the finite-difference operator in a few steps). Plain figures out; no asserts.
 */
import { makeRng } from '../../util/rng';
import { exactHvp, finiteDifferenceHvp, modelLayout, type LossModel } from './hvp';
import { lanczosTopEigen, type SymmetricOperator } from './lanczos';
import { powerIteration } from './power-iteration';
import { gaussian } from './vectors';

export interface FdPowerOptions {
  /** 'random' (seeded Gaussian) or the first Lanczos run's Ritz vector. */
  start: 'random' | 'lanczos';
  seed: number;
  maxIterations: number;
  /** Stop when the Rayleigh quotient changes by ≤ tol (relative). */
  tol: number;
  /** Finite-difference step (in parameter-vector norm; the iterate has norm 1). */
  eps: number;
  stencil: 3 | 5;
}

export interface TopEigenCheckOptions {
  /** Seeds of the two Lanczos start vectors. */
  seeds: [number, number];
  lanczosSteps: number;
  /** Relative Ritz-residual tolerance of the Lanczos runs. */
  tol: number;
  power: FdPowerOptions;
  log?: (line: string) => void;
}

export interface LanczosRun {
  seed: number;
  value: number;
  residual: number;
  steps: number;
  seconds: number;
}

export interface TopEigenCheck {
  params: number;
  lanczos: [LanczosRun, LanczosRun];
  /** |λ_a − λ_b| / max(|λ_a|, |λ_b|). */
  seedSpread: number;
  power: {
    start: FdPowerOptions['start'];
    value: number;
    iterations: number;
    converged: boolean;
    history: number[];
    seconds: number;
  };
  /** |λ_power − mean Lanczos λ| / |mean Lanczos λ|. */
  powerGap: number;
}

const since = (t0: number) => (performance.now() - t0) / 1000;

export async function checkTopEigenvalue(
  model: LossModel,
  o: TopEigenCheckOptions,
): Promise<TopEigenCheck> {
  const { n } = modelLayout(model);
  const log = o.log ?? (() => {});
  const exact: SymmetricOperator = { n, apply: (v) => exactHvp(model, v) };
  const runs: LanczosRun[] = [];
  let ritzVector: Float64Array | undefined;
  for (const seed of o.seeds) {
    const t0 = performance.now();
    const r = await lanczosTopEigen(exact, gaussian(n, makeRng(seed)), {
      k: 1,
      steps: o.lanczosSteps,
      tol: o.tol,
      vectors: ritzVector === undefined,
      onStep: (s) => log(`lanczos seed ${seed}: step ${s}, ${since(t0).toFixed(1)} s`),
    });
    ritzVector ??= r.vectors?.[0];
    const run = { seed, value: r.values[0]!, residual: r.residuals[0]!, steps: r.steps };
    runs.push({ ...run, seconds: since(t0) });
    log(`lanczos seed ${seed}: λ1 ${run.value} (residual ${run.residual}, ${run.steps} steps)`);
  }
  const [a, b] = runs as [LanczosRun, LanczosRun];
  const p = o.power;
  const fd: SymmetricOperator = {
    n,
    apply: (v) => finiteDifferenceHvp(model, v, p.eps, { stencil: p.stencil }),
  };
  const t0 = performance.now();
  const start = p.start === 'lanczos' ? ritzVector! : gaussian(n, makeRng(p.seed));
  const pi = await powerIteration(fd, start, {
    maxIterations: p.maxIterations,
    tol: p.tol,
    onStep: (i, value) => log(`power (FD HVP): step ${i}, λ ${value}, ${since(t0).toFixed(1)} s`),
  });
  const mean = (a.value + b.value) / 2;
  return {
    params: n,
    lanczos: [a, b],
    seedSpread: Math.abs(a.value - b.value) / Math.max(Math.abs(a.value), Math.abs(b.value)),
    power: {
      start: p.start,
      value: pi.value,
      iterations: pi.iterations,
      converged: pi.converged,
      history: pi.history,
      seconds: since(t0),
    },
    powerGap: Math.abs(pi.value - mean) / Math.abs(mean),
  };
}
