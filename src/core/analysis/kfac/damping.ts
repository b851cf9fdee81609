/**
 * Factored Tikhonov damping of K-FAC (Martens & Grosse 2015, §6.3), as in EigenDamage:
 * π = (tr A / dim A) / (tr G / dim G), A += √(λπ)·I, G += √(λ/π)·I, so that the product of the
 * two shifts is λ and they are balanced by the factors' average eigenvalues.
 */
import { KfacError } from './kfac-error';

export const DEFAULT_DAMPING = 1e-3;

export interface Damping {
  pi: number;
  /** Added to A's diagonal: √(λπ). */
  a: number;
  /** Added to G's diagonal: √(λ/π). */
  g: number;
}

/** Trace of a row-major n×n matrix. */
export function trace(m: ArrayLike<number>, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += m[i * n + i]!;
  return t;
}

/** π and the two diagonal shifts; throws when a trace is not positive or λ is not. */
export function dampingFor(
  traceA: number,
  dimA: number,
  traceG: number,
  dimG: number,
  lambda: number,
): Damping {
  if (!(lambda > 0 && Number.isFinite(lambda)))
    throw new KfacError(`damping λ must be a positive number, got ${lambda}`);
  if (!(traceA > 0 && traceG > 0 && Number.isFinite(traceA) && Number.isFinite(traceG)))
    throw new KfacError(
      `damping needs positive factor traces, got tr A = ${traceA}, tr G = ${traceG}`,
    );
  const pi = traceA / dimA / (traceG / dimG);
  return { pi, a: Math.sqrt(lambda * pi), g: Math.sqrt(lambda / pi) };
}

/** Copy of the n×n matrix with `shift` added to its diagonal. */
export function addDiagonal(m: ArrayLike<number>, n: number, shift: number): Float64Array {
  const out = Float64Array.from(m);
  for (let i = 0; i < n; i++) out[i * n + i]! += shift;
  return out;
}
