/**
 * Stochastic Lanczos quadrature (Golub & Meurant 1997; Ubaru, Chen & Saad 2017; for network
 * Hessians Ghorbani, Krishnan & Xiao 2019): for a probe v (Rademacher ±1, or Gaussian) and
 * q = v/‖v‖, m Lanczos steps give T_m = S Θ Sᵀ and the m-point Gauss rule
 * qᵀ f(A) q ≈ Σ_i τ_i f(θ_i) with nodes θ_i (Ritz values) and weights τ_i = S[0,i]² (Σ τ = 1),
 * exact for polynomials of degree ≤ 2m − 1. Averaged over probes, Σ τ δ(λ − θ) estimates the
 * spectral density φ(λ) = (1/n) Σ_j δ(λ − λ_j); Gaussian broadening gives a smooth curve.
 * Hutchinson (1989): tr(A) ≈ mean over Rademacher v of vᵀAv — the first Lanczos step of every
 * SLQ probe computes n·α_1 = vᵀAv, so SLQ yields the trace estimate for free.
 */
import type { CancelSignal } from '../../train/types';
import type { Rng } from '../../util/rng';
import { lanczos, ritz, type SymmetricOperator } from './lanczos';
import { dot, gaussian, rademacher } from './vectors';

export type ProbeKind = 'rademacher' | 'gaussian';

export function probeVector(kind: ProbeKind, n: number, rng: Rng): Float64Array {
  return kind === 'rademacher' ? rademacher(n, rng) : gaussian(n, rng);
}

export interface SlqOptions {
  probes: number;
  /** Lanczos steps per probe (capped at n). */
  steps: number;
  rng: Rng;
  kind?: ProbeKind;
  signal?: CancelSignal;
  /** Called after every product with A. */
  onStep?: () => void;
}

export interface SlqProbe {
  /** Ritz values θ_i, ascending. */
  nodes: number[];
  /** τ_i = (first component of the i-th Ritz vector)², Σ τ_i = 1. */
  weights: number[];
  /** vᵀAv for the probe as drawn (= ‖v‖²·α_1): one Hutchinson sample. */
  quadraticForm: number;
}

export async function stochasticLanczosQuadrature(
  op: SymmetricOperator,
  o: SlqOptions,
): Promise<SlqProbe[]> {
  if (!Number.isInteger(o.probes) || o.probes < 1)
    throw new Error(`SLQ: probes must be an integer ≥ 1, got ${o.probes}`);
  const out: SlqProbe[] = [];
  for (let p = 0; p < o.probes; p++) {
    const v = probeVector(o.kind ?? 'rademacher', op.n, o.rng);
    const r = await lanczos(op, v, {
      steps: o.steps,
      signal: o.signal,
      onStep: () => o.onStep?.(),
    });
    const e = ritz(r);
    out.push({
      nodes: e.values,
      weights: e.first.map((s) => s * s),
      quadraticForm: dot(v, v) * r.alphas[0]!,
    });
  }
  return out;
}

export interface TraceEstimate {
  trace: number;
  /** Standard error of the mean over probes (0 with one probe). */
  stdErr: number;
  samples: number[];
}

/** Mean and standard error of Hutchinson samples vᵀAv. */
export function traceFromSamples(samples: readonly number[]): TraceEstimate {
  const p = samples.length;
  if (p === 0) throw new Error('trace: no samples');
  const mean = samples.reduce((a, b) => a + b, 0) / p;
  const variance = p > 1 ? samples.reduce((a, s) => a + (s - mean) ** 2, 0) / (p - 1) : 0;
  return { trace: mean, stdErr: Math.sqrt(variance / p), samples: [...samples] };
}

/** Hutchinson's estimator tr(A) ≈ (1/P) Σ vᵀAv over P Rademacher probes (one product each). */
export async function hutchinsonTrace(
  op: SymmetricOperator,
  o: { probes: number; rng: Rng; signal?: CancelSignal; onStep?: () => void },
): Promise<TraceEstimate> {
  if (!Number.isInteger(o.probes) || o.probes < 1)
    throw new Error(`Hutchinson: probes must be an integer ≥ 1, got ${o.probes}`);
  const samples: number[] = [];
  for (let p = 0; p < o.probes; p++) {
    const v = rademacher(op.n, o.rng);
    samples.push(dot(v, await op.apply(v, o.signal)));
    o.onStep?.();
  }
  return traceFromSamples(samples);
}

export interface SpectralDensity {
  /** All probes' nodes, ascending. */
  nodes: number[];
  /** Their weights divided by the probe count: Σ = 1. */
  weights: number[];
  /** Evenly spaced λ values. */
  grid: number[];
  /** Σ_i w_i·N(λ; θ_i, σ²) at each grid point (integrates to ≈ 1). */
  values: number[];
  /** The Gaussian broadening σ used. */
  sigma: number;
}

export interface DensityOptions {
  /** Grid points (default 201). */
  gridSize?: number;
  /** Broadening σ (default 1 % of the node range, or 1e-3·(|θ|max + 1) if that is 0). */
  sigma?: number;
}

/** Pools probes' quadrature rules and broadens them into a density on a grid. */
export function spectralDensity(
  probes: readonly SlqProbe[],
  o: DensityOptions = {},
): SpectralDensity {
  if (probes.length === 0) throw new Error('spectralDensity: no probes');
  const pairs = probes
    .flatMap((p) => p.nodes.map((x, i) => [x, p.weights[i]! / probes.length] as const))
    .sort((a, b) => a[0] - b[0]);
  const nodes = pairs.map(([x]) => x);
  const weights = pairs.map(([, w]) => w);
  const lo = nodes[0]!;
  const hi = nodes[nodes.length - 1]!;
  const span = hi - lo;
  const sigma =
    o.sigma ?? (span > 0 ? 0.01 * span : 1e-3 * (Math.max(Math.abs(lo), Math.abs(hi)) + 1));
  if (!(sigma > 0)) throw new Error(`spectralDensity: sigma must be > 0, got ${sigma}`);
  const size = o.gridSize ?? 201;
  if (!Number.isInteger(size) || size < 2)
    throw new Error(`spectralDensity: gridSize must be an integer ≥ 2, got ${size}`);
  const a = lo - 4 * sigma;
  const step = (hi + 4 * sigma - a) / (size - 1);
  const grid = Array.from({ length: size }, (_, g) => a + g * step);
  const c = 1 / (sigma * Math.sqrt(2 * Math.PI));
  const values = grid.map((x) => {
    let s = 0;
    for (let i = 0; i < nodes.length; i++)
      s += weights[i]! * Math.exp(-0.5 * ((x - nodes[i]!) / sigma) ** 2);
    return c * s;
  });
  return { nodes, weights, grid, values, sigma };
}
