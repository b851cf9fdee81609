/**
 * EigenDamage's selection of kept eigen-directions (Wang et al. 2019; the seed's _make_changes):
 * pool every layer's row (output-direction) and column (input-direction) scores, take ONE global
 * threshold at the `pruneRatio` quantile, drop each score ≤ threshold — but a layer side may lose
 * at most ⌊limit·n⌋ of its n directions (else its own lowest ⌊limit·n⌋ go: "its own quantile"),
 * and always keeps at least one.
 * Threshold: with P pooled scores sorted ascending and m = ⌊pruneRatio·P⌋, t = sorted[m − 1]
 * (−∞ when m = 0), so m scores (plus ties) fall. The seed takes sorted[m] and so drops one more.
 */
import { KfacError } from './kfac-error';

export const DEFAULT_PRUNE_LIMIT = 0.5;

export interface LayerScores {
  name: string;
  rowSaliency: ArrayLike<number>;
  colSaliency: ArrayLike<number>;
}

export interface SelectOptions {
  /** Share of all pooled scores to drop, in [0, 1). */
  pruneRatio: number;
  /** Largest share one layer side may lose, in [0, 1] (default 0.5). */
  limit?: number;
}

export interface KeptDirections {
  /** Kept output directions (indices into rowSaliency / eigG), ascending. */
  keepRows: number[];
  /** Kept input directions (indices into colSaliency / eigA), ascending. */
  keepCols: number[];
  /** The side hit the per-layer cap (its own quantile was used). */
  rowsCapped: boolean;
  colsCapped: boolean;
}

/** The global threshold: scores ≤ it are dropped (before per-layer caps). */
export function globalThreshold(layers: readonly LayerScores[], pruneRatio: number): number {
  if (!(pruneRatio >= 0 && pruneRatio < 1))
    throw new KfacError(`pruneRatio must be in [0, 1), got ${pruneRatio}`);
  const pooled: number[] = [];
  for (const l of layers) {
    for (const scores of [l.rowSaliency, l.colSaliency]) {
      for (let i = 0; i < scores.length; i++) {
        const v = scores[i]!;
        if (!Number.isFinite(v)) throw new KfacError(`layer '${l.name}': score ${i} is ${v}`);
        pooled.push(v);
      }
    }
  }
  const m = Math.floor(pruneRatio * pooled.length);
  if (m === 0) return Number.NEGATIVE_INFINITY;
  pooled.sort((a, b) => a - b);
  return pooled[m - 1]!;
}

/** Indices kept on one side, and whether the cap bound. */
function keepSide(
  scores: ArrayLike<number>,
  threshold: number,
  limit: number,
): { keep: number[]; capped: boolean } {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  const cap = Math.min(Math.floor(limit * n), n - 1);
  let dropped = idx.filter((i) => scores[i]! <= threshold);
  const capped = dropped.length > cap;
  if (capped) {
    // its own quantile: the `cap` lowest scores (stable: ties by index)
    dropped = [...idx].sort((a, b) => scores[a]! - scores[b]! || a - b).slice(0, cap);
  }
  const gone = new Set(dropped);
  return { keep: idx.filter((i) => !gone.has(i)), capped };
}

/** name → kept rows/columns under one global threshold with a per-layer cap. */
export function selectKept(
  layers: readonly LayerScores[],
  o: SelectOptions,
): Record<string, KeptDirections> {
  const limit = o.limit ?? DEFAULT_PRUNE_LIMIT;
  if (!(limit >= 0 && limit <= 1)) throw new KfacError(`limit must be in [0, 1], got ${limit}`);
  const threshold = globalThreshold(layers, o.pruneRatio);
  const out: Record<string, KeptDirections> = {};
  for (const l of layers) {
    if (l.rowSaliency.length === 0 || l.colSaliency.length === 0)
      throw new KfacError(`layer '${l.name}' has no scores`);
    if (l.name in out) throw new KfacError(`layer '${l.name}' appears twice`);
    const rows = keepSide(l.rowSaliency, threshold, limit);
    const cols = keepSide(l.colSaliency, threshold, limit);
    out[l.name] = {
      keepRows: rows.keep,
      keepCols: cols.keep,
      rowsCapped: rows.capped,
      colsCapped: cols.capped,
    };
  }
  return out;
}
