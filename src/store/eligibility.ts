/**
 * Whether the current score may be shown as a MicroNet Challenge result: it qualifies only with
 * top-1 (with early exit, where the network has one) ≥ 80.00 % — at least 8,000 of the 10,000
 * CIFAR-100 test images — measured for this network and this recipe. A slice measurement only
 * estimates it (Wilson 95 % interval); a stale one (other recipe or network) does not count.
 */
import type { Measurement } from './score-slice';

export const FULL_TEST = 10_000;
export const QUALIFYING = 0.8;

export type EligibilityStatus = 'qualifies' | 'estimated' | 'fails' | 'unmeasured';

export interface Eligibility {
  status: EligibilityStatus;
  /** Top-1 the status rests on (early exit where measured), null when unmeasured. */
  top1: number | null;
  n: number;
  /** Wilson 95 % interval of a slice estimate. */
  interval: [number, number] | null;
}

/** Wilson score interval (95 %) of a proportion p measured on n trials. */
export function wilsonInterval(p: number, n: number): [number, number] {
  if (!(n > 0) || !(p >= 0 && p <= 1)) throw new Error(`wilsonInterval: p ${p}, n ${n}`);
  const z = 1.959964;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const topOf = (m: Measurement) => m.top1EarlyExit ?? m.top1;

/** The figures of one (network, recipe) pair: full-test top-1 and the largest slice's. */
export interface PairFigures {
  full: { top1: number } | null;
  slice: { top1: number; n: number } | null;
}

/** The eligibility of a pair's figures (a measure record's, or the Score panel's). */
export function eligibilityOf(f: PairFigures | null): Eligibility {
  if (f?.full) {
    const ok = Math.round(f.full.top1 * FULL_TEST) >= QUALIFYING * FULL_TEST;
    return { status: ok ? 'qualifies' : 'fails', top1: f.full.top1, n: FULL_TEST, interval: null };
  }
  const slice = f?.slice;
  if (!slice) return { status: 'unmeasured', top1: null, n: 0, interval: null };
  const interval = wilsonInterval(slice.top1, slice.n);
  const status = interval[1] < QUALIFYING ? 'fails' : 'estimated';
  return { status, top1: slice.top1, n: slice.n, interval };
}

/** The eligibility of the score of (network, recipe) given the Score panel's measurements. */
export function eligibility(
  measurements: readonly (Measurement | null)[],
  recipeKey: string,
  networkId: number | null,
): Eligibility {
  const current = measurements.filter(
    (m): m is Measurement =>
      m !== null && m.recipeKey === recipeKey && (networkId === null || m.networkId === networkId),
  );
  const full = current.find((m) => m.n === FULL_TEST);
  const slice = [...current].sort((a, b) => b.n - a.n)[0];
  return eligibilityOf({
    full: full ? { top1: topOf(full) } : null,
    slice: slice ? { top1: topOf(slice), n: slice.n } : null,
  });
}
