/**
 * Power iteration (von Mises 1929) for the eigenvalue of largest magnitude of a symmetric
 * operator: v ← Av/‖Av‖, estimate = Rayleigh quotient vᵀAv. Used as an independent check of
 * Lanczos with finite-difference Hessian-vector products. Converges at rate |λ₂/λ₁| per step.
 */
import { CancelledError, type CancelSignal } from '../../train/types';
import type { SymmetricOperator } from './lanczos';
import { dot, norm, scaled } from './vectors';

export interface PowerIterationResult {
  /** The last Rayleigh quotient. */
  value: number;
  /** Rayleigh quotient after each step. */
  history: number[];
  iterations: number;
  converged: boolean;
}

export async function powerIteration(
  op: SymmetricOperator,
  start: Float64Array,
  o: {
    maxIterations: number;
    tol: number;
    signal?: CancelSignal;
    onStep?: (i: number, value: number) => void;
  },
): Promise<PowerIterationResult> {
  const s = norm(start);
  if (!(s > 0)) throw new Error('powerIteration: start vector is zero');
  let v = scaled(start, 1 / s);
  const history: number[] = [];
  for (let i = 0; i < o.maxIterations; i++) {
    if (o.signal?.aborted) throw new CancelledError(`power iteration cancelled after ${i} steps`);
    const w = await op.apply(v, o.signal);
    const value = dot(v, w);
    history.push(value);
    o.onStep?.(i + 1, value);
    const prev = history[history.length - 2];
    if (prev !== undefined && Math.abs(value - prev) <= o.tol * Math.abs(value))
      return { value, history, iterations: i + 1, converged: true };
    const wn = norm(w);
    if (!(wn > 0)) return { value, history, iterations: i + 1, converged: true };
    v = scaled(w, 1 / wn);
  }
  return {
    value: history[history.length - 1] ?? NaN,
    history,
    iterations: o.maxIterations,
    converged: false,
  };
}
