/**
 * Lanczos iteration (Lanczos 1950) with full re-orthogonalisation (classical Gram–Schmidt run
 * twice against every stored basis vector, "twice is enough" — Giraud et al. 2005), on any
 * symmetric operator given as v ↦ Av. After m steps AQ_m = Q_m T_m + β_m q_{m+1} e_mᵀ; the Ritz
 * values of T_m approximate A's extreme eigenvalues, and the residual of Ritz pair (θ_i, s_i) is
 * exactly β_m·|s_i[m]| (Parlett, The Symmetric Eigenvalue Problem, §13.2), which the top-k
 * variant uses as its stopping rule.
 */
import { CancelledError, type CancelSignal } from '../../train/types';
import { tridiagonalEigen, type TridiagonalEigen } from './tridiagonal';
import { axpy, dot, norm, scaled } from './vectors';

/** A symmetric linear operator on R^n. */
export interface SymmetricOperator {
  readonly n: number;
  apply(v: Float64Array, signal?: CancelSignal): Promise<Float64Array>;
}

export interface LanczosOptions {
  /** Maximum number of steps (= products with A); capped at n. */
  steps: number;
  signal?: CancelSignal;
  /** Called after every product with A (step = 1, 2, …). */
  onStep?: (step: number, alphas: readonly number[], betas: readonly number[]) => void;
  /** Keep q_1 … q_m in the result (to form Ritz vectors). */
  keepBasis?: boolean;
  /** Return early when it says so (after step ≥ 1, with the current T). */
  stopWhen?: (alphas: readonly number[], betas: readonly number[]) => boolean;
}

export interface LanczosResult {
  /** The orthonormal Lanczos vectors q_1 … q_m (kept only with `keepBasis`). */
  basis?: Float64Array[];
  /** Diagonal of T (length m). */
  alphas: number[];
  /** β_1 … β_m: off-diagonal of T (first m − 1) and the last residual norm β_m. */
  betas: number[];
  /** True when an invariant subspace was found (β_m ≈ 0): the Ritz values are exact. */
  exhausted: boolean;
}

/** Relative size below which β counts as zero (an invariant subspace). */
const BREAKDOWN = 1e-10;

/** w ← w − Σ_j (q_j·w) q_j, twice. */
function reorthogonalise(w: Float64Array, basis: readonly Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) for (const q of basis) axpy(-dot(q, w), q, w);
}

export async function lanczos(
  op: SymmetricOperator,
  start: Float64Array,
  o: LanczosOptions,
): Promise<LanczosResult> {
  if (start.length !== op.n)
    throw new Error(`lanczos: start vector has length ${start.length}, the operator ${op.n}`);
  if (!Number.isInteger(o.steps) || o.steps < 1)
    throw new Error(`lanczos: steps must be an integer ≥ 1, got ${o.steps}`);
  const s0 = norm(start);
  if (!(s0 > 0)) throw new Error('lanczos: start vector is zero');
  const steps = Math.min(o.steps, op.n);
  const basis: Float64Array[] = [scaled(start, 1 / s0)];
  const alphas: number[] = [];
  const betas: number[] = [];
  let scale = 0; // running estimate of ‖A‖ for the breakdown test
  for (let j = 0; j < steps; j++) {
    if (o.signal?.aborted) throw new CancelledError(`Lanczos cancelled after ${j} steps`);
    const q = basis[j]!;
    const w = await op.apply(q, o.signal);
    const alpha = dot(q, w);
    reorthogonalise(w, basis); // also removes α q_j and β q_{j−1}
    const beta = norm(w);
    alphas.push(alpha);
    betas.push(beta);
    scale = Math.max(scale, Math.abs(alpha) + beta + (betas[j - 1] ?? 0));
    o.onStep?.(j + 1, alphas, betas);
    const kept = o.keepBasis ? { basis: basis.slice(0, alphas.length) } : {};
    if (beta <= BREAKDOWN * scale) return { ...kept, alphas, betas, exhausted: true };
    if (o.stopWhen?.(alphas, betas)) return { ...kept, alphas, betas, exhausted: false };
    if (j + 1 < steps) basis.push(scaled(w, 1 / beta));
  }
  return { ...(o.keepBasis ? { basis } : {}), alphas, betas, exhausted: false };
}

/** Ritz values/vectors' first and last components of the result's T. */
export function ritz(r: LanczosResult): TridiagonalEigen {
  return tridiagonalEigen(r.alphas, r.betas.slice(0, r.alphas.length - 1));
}

export interface TopEigenOptions {
  k: number;
  /** Maximum Lanczos steps. */
  steps: number;
  /**
   * Stop once the k largest Ritz values have residuals β_m|s_i[m]| ≤ tol·max(|θ_i|, |θ_max|·1e-3)
   * (default 1e-4). 0 runs all steps.
   */
  tol?: number;
  signal?: CancelSignal;
  onStep?: (step: number) => void;
  /** Also return the Ritz vectors (unit, length n) of the k values. */
  vectors?: boolean;
}

export interface TopEigenResult {
  /** The k largest Ritz values, descending. */
  values: number[];
  /** Their residual norms ‖Ay − θy‖ (‖y‖ = 1). */
  residuals: number[];
  /** The smallest Ritz value (an estimate of λ_min). */
  smallest: number;
  steps: number;
  converged: boolean;
  /** With `vectors`: the Ritz vectors y_i = Q s_i, aligned with `values`. */
  vectors?: Float64Array[];
}

/** y = Q s for the Ritz vector with tridiagonal eigenvector s. */
function ritzVector(basis: readonly Float64Array[], s: readonly number[]): Float64Array {
  const y = new Float64Array(basis[0]!.length);
  basis.forEach((q, j) => axpy(s[j]!, q, y));
  return y;
}

function topOf(alphas: readonly number[], betas: readonly number[], k: number) {
  const e = tridiagonalEigen(alphas, betas.slice(0, alphas.length - 1));
  const m = e.values.length;
  const beta = betas[alphas.length - 1] ?? 0;
  const idx = Array.from({ length: Math.min(k, m) }, (_, i) => m - 1 - i);
  return {
    values: idx.map((i) => e.values[i]!),
    residuals: idx.map((i) => Math.abs(beta * e.last[i]!)),
    smallest: e.values[0]!,
  };
}

function isConverged(t: ReturnType<typeof topOf>, k: number, tol: number): boolean {
  if (t.values.length < k || tol <= 0) return false;
  const floor = Math.abs(t.values[0]!) * 1e-3;
  return t.residuals.every((r, i) => r <= tol * Math.max(Math.abs(t.values[i]!), floor));
}

/** The k largest (algebraic) eigenvalues of a symmetric operator, by Lanczos. */
export async function lanczosTopEigen(
  op: SymmetricOperator,
  start: Float64Array,
  o: TopEigenOptions,
): Promise<TopEigenResult> {
  if (!Number.isInteger(o.k) || o.k < 1 || o.k > op.n)
    throw new Error(`lanczosTopEigen: k must be an integer in [1, ${op.n}], got ${o.k}`);
  if (o.steps < o.k) throw new Error(`lanczosTopEigen: steps (${o.steps}) must be ≥ k (${o.k})`);
  const tol = o.tol ?? 1e-4;
  const r = await lanczos(op, start, {
    steps: o.steps,
    signal: o.signal,
    onStep: o.onStep,
    stopWhen: (a, b) => a.length >= o.k && isConverged(topOf(a, b, o.k), o.k, tol),
    keepBasis: o.vectors,
  });
  const t = topOf(r.alphas, r.betas, o.k);
  const out: TopEigenResult = {
    ...t,
    steps: r.alphas.length,
    converged: r.exhausted || isConverged(t, o.k, tol),
  };
  if (o.vectors && r.basis) {
    const e = ritz(r);
    const m = e.values.length;
    out.vectors = t.values.map((_, i) => ritzVector(r.basis!, e.vectors[m - 1 - i]!));
  }
  return out;
}
