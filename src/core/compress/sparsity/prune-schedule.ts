/**
 * Sparsity targets of gradual pruning, one per prune step t = 1..T, ending exactly at `final`:
 * - 'agp': automated gradual pruning (Zhu & Gupta 2017, "To prune, or not to prune"), cubic:
 *   s_t = s_f · (1 − (1 − t/T)³) — large steps first, small ones near the end;
 * - 'seed': the seed pipeline's equal multiplicative steps (SEED_PIPELINE.md step 3): every step
 *   removes the same fraction r of the REMAINING weights, 1 − (1 − r)^T = s_f, so
 *   s_t = 1 − (1 − r)^t (the seed's 2 × 30 % gives 51 %).
 */
import type { PruneSchedule } from '../../recipe';

export function pruneTargets(final: number, steps: number, kind: PruneSchedule): number[] {
  if (!(final >= 0 && final < 1)) {
    throw new Error(`pruneTargets: final sparsity must be in [0, 1), got ${final}`);
  }
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`pruneTargets: steps must be an integer ≥ 1, got ${steps}`);
  }
  if (kind !== 'agp' && kind !== 'seed') {
    throw new Error(`pruneTargets: schedule must be 'agp' or 'seed', got ${String(kind)}`);
  }
  const keepPerStep = (1 - final) ** (1 / steps); // seed: 1 − r
  return Array.from({ length: steps }, (_, i) => {
    const t = i + 1;
    if (t === steps) return final;
    return kind === 'agp' ? final * (1 - (1 - t / steps) ** 3) : 1 - keepPerStep ** t;
  });
}
