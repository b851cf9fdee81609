/**
 * The full-network Hessian spectrum: top-k eigenvalues (Lanczos with full re-orthogonalisation,
 * stopped on Ritz residuals), spectral density (stochastic Lanczos quadrature, Rademacher
 * probes) and trace (Hutchinson over the same probes), all from exact Hessian-vector products
 * (double back-propagation) — the analysis of PyHessian (Yao et al. 2020), in the browser.
 * Seeded: same inputs and seed → same numbers. Plain data out; no tensors survive.
 */
import type { Network } from '../../graph/network';
import { deriveSeed } from '../../train/batching';
import type { MicroBatchOptions } from '../../train/pass-memory';
import type { Batch, CancelSignal } from '../../train/types';
import { makeRng } from '../../util/rng';
import { exactHvp, modelLayout, type LossModel } from './hvp';
import { lanczosTopEigen, type SymmetricOperator } from './lanczos';
import { networkLossModel } from './network-loss';
import {
  spectralDensity,
  stochasticLanczosQuadrature,
  traceFromSamples,
  type SpectralDensity,
} from './slq';
import { gaussian } from './vectors';

export interface SpectrumProgress {
  phase: 'top' | 'density';
  /** Hessian-vector products done / planned (planned shrinks when Lanczos converges early). */
  hvps: number;
  totalHvps: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface SpectrumOptions {
  /** How many of the largest eigenvalues (default 5). */
  topK?: number;
  /** Maximum Lanczos steps for them (default 40). */
  lanczosSteps?: number;
  /** Relative Ritz-residual tolerance that stops the top-k run (default 1e-4; 0 = all steps). */
  tol?: number;
  /** SLQ probes (default 4); they are also the trace's Hutchinson probes. */
  probes?: number;
  /** Lanczos steps per SLQ probe (default 24). */
  densitySteps?: number;
  /** Density grid size and Gaussian broadening (see spectralDensity). */
  gridSize?: number;
  sigma?: number;
  seed?: number;
  signal?: CancelSignal;
  onProgress?: (p: SpectrumProgress) => void;
}

export interface HessianSpectrum {
  /** The largest eigenvalues, descending. */
  top: number[];
  /** Residual norms ‖Hy − θy‖ of their Ritz vectors: each θ is within that of an eigenvalue. */
  topResiduals: number[];
  /** Smallest Ritz value of the top-k run (estimate of λ_min; negative = non-convex here). */
  smallest: number;
  topSteps: number;
  topConverged: boolean;
  /** Hutchinson estimate of tr(H) and its standard error over the probes. */
  trace: number;
  traceStdErr: number;
  density: SpectralDensity;
  /** Number of parameters (H is params × params). */
  params: number;
  hvps: number;
  seconds: number;
  /** Records per double-backprop pass (hessianSpectrum only; pass-memory.ts). */
  microBatch?: number;
}

/** Streams of the seed: the top-k start vector and the SLQ probes. */
const STREAM = { start: 1, probes: 2 } as const;

function defaults(o: SpectrumOptions) {
  return {
    topK: o.topK ?? 5,
    lanczosSteps: o.lanczosSteps ?? 40,
    tol: o.tol ?? 1e-4,
    probes: o.probes ?? 4,
    densitySteps: o.densitySteps ?? 24,
    seed: o.seed ?? 0,
  };
}

/** The Hessian of a loss model as a SymmetricOperator (exact products). */
export function hessianOperator(model: LossModel): SymmetricOperator {
  const { n } = modelLayout(model);
  return { n, apply: (v, signal) => exactHvp(model, v, signal) };
}

/** Spectrum of the Hessian of any loss model (see hessianSpectrum for networks). */
export async function lossModelSpectrum(
  model: LossModel,
  options: SpectrumOptions = {},
): Promise<HessianSpectrum> {
  const o = defaults(options);
  const base = hessianOperator(model);
  const n = base.n;
  const t0 = performance.now();
  let hvps = 0;
  let phase: SpectrumProgress['phase'] = 'top';
  let planned = Math.min(o.lanczosSteps, n) + o.probes * Math.min(o.densitySteps, n);
  const op: SymmetricOperator = {
    n,
    apply: async (v, signal) => {
      const r = await base.apply(v, signal);
      hvps++;
      const elapsed = (performance.now() - t0) / 1000;
      options.onProgress?.({
        phase,
        hvps,
        totalHvps: planned,
        elapsedSeconds: elapsed,
        etaSeconds: (elapsed / hvps) * Math.max(0, planned - hvps),
      });
      return r;
    },
  };
  const start = gaussian(n, makeRng(deriveSeed(o.seed, STREAM.start)));
  const top = await lanczosTopEigen(op, start, {
    k: Math.min(o.topK, n),
    steps: Math.max(Math.min(o.lanczosSteps, n), Math.min(o.topK, n)),
    tol: o.tol,
    signal: options.signal,
  });
  planned += hvps - Math.min(o.lanczosSteps, n);
  phase = 'density';
  const probes = await stochasticLanczosQuadrature(op, {
    probes: o.probes,
    steps: o.densitySteps,
    rng: makeRng(deriveSeed(o.seed, STREAM.probes)),
    kind: 'rademacher',
    signal: options.signal,
  });
  const trace = traceFromSamples(probes.map((p) => p.quadraticForm));
  return {
    top: top.values,
    topResiduals: top.residuals,
    smallest: top.smallest,
    topSteps: top.steps,
    topConverged: top.converged,
    trace: trace.trace,
    traceStdErr: trace.stdErr,
    density: spectralDensity(probes, { gridSize: options.gridSize, sigma: options.sigma }),
    params: n,
    hvps,
    seconds: (performance.now() - t0) / 1000,
  };
}

export interface HessianSpectrumOptions extends SpectrumOptions, MicroBatchOptions {
  net: Network;
  /** The records (NHWC normalised x, labels), in batches; the loss is their overall mean. */
  batches: readonly Batch[];
}

/**
 * Spectrum of the Hessian of the mean cross-entropy of `net`'s main output over `batches`
 * (eval mode) with respect to all trainable parameters the main output depends on. Batches run
 * as micro-batches where one would not fit (o.microBatch / o.memoryBudget; network-loss.ts).
 */
export async function hessianSpectrum(o: HessianSpectrumOptions): Promise<HessianSpectrum> {
  const model = networkLossModel(o.net, o.batches, o);
  try {
    return { ...(await lossModelSpectrum(model, o)), microBatch: model.microBatch };
  } finally {
    model.dispose();
  }
}
