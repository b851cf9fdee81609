/**
 * Magnitude profile: per prunable layer, the ascending non-zero |w| subsampled to at most
 * `maxPoints` evenly spaced order statistics (first and last kept; all of them when the layer
 * has ≤ maxPoints non-zeros). Plain data, so it crosses a worker boundary; the UI keeps it and
 * calls layerSparsityFromProfile (profile-sparsity.ts) on every slider move.
 *
 * Order statistic j of P points sits at rank round(j · (m − 1) / (P − 1)) of the m non-zeros
 * (profileRank), so the ranks need not be stored.
 */
import type { Graph, Weights } from '../../graph/ir';
import { absBits, sortBits } from './magnitude-bits';
import { layerBits } from './magnitude-masks';

export interface LayerMagnitudes {
  name: string;
  /** Number of weights. */
  size: number;
  /** Exact zeros among them. */
  zeros: number;
  nonZero: number;
  /** Ascending |w| order statistics of the non-zero weights (≤ maxPoints, see profileRank). */
  quantiles: Float32Array;
}

export interface MagnitudeProfile {
  layers: LayerMagnitudes[];
}

/** 0-based rank (among the m non-zeros) of order statistic j of p stored points. */
export function profileRank(j: number, p: number, m: number): number {
  return p === m ? j : Math.round((j * (m - 1)) / (p - 1));
}

/** Sorted non-zero |w| bits of one layer. */
function sortedNonZero(bits: Uint32Array, nonZero: number): Uint32Array {
  const out = new Uint32Array(nonZero);
  let k = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = absBits(bits[i]!);
    if (b !== 0) out[k++] = b;
  }
  return sortBits(out);
}

export function magnitudeProfile(
  graph: Graph,
  weights: Weights,
  maxPoints = 1024,
): MagnitudeProfile {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new Error(`magnitudeProfile: maxPoints must be an integer ≥ 2, got ${maxPoints}`);
  }
  const layers = layerBits(graph, weights).map((l): LayerMagnitudes => {
    const nonZero = l.size - l.zeros;
    const sorted = sortedNonZero(l.bits, nonZero);
    const p = Math.min(nonZero, maxPoints);
    const picked = new Uint32Array(p);
    for (let j = 0; j < p; j++) picked[j] = sorted[profileRank(j, p, nonZero)]!;
    const quantiles = new Float32Array(picked.buffer);
    return { name: l.name, size: l.size, zeros: l.zeros, nonZero, quantiles };
  });
  return { layers };
}
