/**
 * Grow-back ("annealing") for eigenbasis pruning — the seed's grow step (SEED_PIPELINE.md step
 * 2.9) for factorized layers: after a prune step (and its fine-tune), a layer re-gains `count` of
 * the eigen-directions that step removed from it, those with the largest lost saliency first
 * (input and output directions compete in one list). The re-added directions come back with
 * their eigenvectors and rotated weights from before the prune (structure/eigen-chain.ts
 * growChain), so without fine-tuning in between the grown layer is exactly the rotate-and-
 * truncate at the larger ranks; the seed instead copies the layer's last row / column plus noise.
 * The grown layer takes the cheapest exact form its bases allow (possibly plain again).
 */
import type { KfacLayer } from '../../analysis/kfac';
import type { Graph, Weights } from '../../graph/ir';
import {
  chainParams,
  cheapestForm,
  collapseChain,
  formOf,
  growChain,
  reachableForms,
  readChain,
  writeChain,
  type ChainForm,
  type EigenView,
} from '../structure';

/** One removed eigen-direction: input ('A', a column of W′) or output ('G', a row). */
export interface RemovedDirection {
  side: 'A' | 'G';
  index: number;
  saliency: number;
}

/** What a prune step removed from one layer, and what grow-back needs to bring it back. */
export interface EigenReserve {
  name: string;
  /** The layer before the prune, in its main node's eigenbasis. */
  view: EigenView;
  /** Directions the pruned layer holds (its basis rows / columns in this order). */
  keepA: number[];
  keepG: number[];
  /** Removed directions, largest saliency first. */
  removed: RemovedDirection[];
}

export interface GrownLayer {
  name: string;
  addA: number[];
  addG: number[];
  paramsBefore: number;
  paramsAfter: number;
  form: ChainForm;
}

/** The reserve of a replaced layer from its eigen view, analysis and kept directions. */
export function reserveOf(
  view: EigenView,
  l: Pick<KfacLayer, 'rowSaliency' | 'colSaliency'>,
  kept: { keepCols: number[]; keepRows: number[] },
): EigenReserve {
  const removed: RemovedDirection[] = [];
  const side = (s: 'A' | 'G', sal: Float64Array, keep: number[]) => {
    const k = new Set(keep);
    sal.forEach((saliency, index) => {
      if (!k.has(index)) removed.push({ side: s, index, saliency });
    });
  };
  side('A', l.colSaliency, kept.keepCols);
  side('G', l.rowSaliency, kept.keepRows);
  removed.sort((a, b) => b.saliency - a.saliency);
  return { name: view.name, view, keepA: kept.keepCols, keepG: kept.keepRows, removed };
}

/** Saliency the prune step took from the layer. */
export function lostSaliency(r: EigenReserve): number {
  return r.removed.reduce((a, d) => a + d.saliency, 0);
}

/** The `count` removed directions with the largest saliency, by side. */
export function directionsToGrow(r: EigenReserve, count: number) {
  if (!Number.isInteger(count) || count < 0 || count > r.removed.length)
    throw new Error(
      `growEigen: '${r.name}' lost ${r.removed.length} directions, cannot re-add ${count}`,
    );
  const pick = r.removed.slice(0, count);
  return {
    addA: pick.filter((d) => d.side === 'A').map((d) => d.index),
    addG: pick.filter((d) => d.side === 'G').map((d) => d.index),
  };
}

/**
 * Re-adds `counts[name]` directions to each reserved layer of the (pruned, maybe fine-tuned)
 * network. Layers not named, or named with 0, are unchanged.
 */
export function growEigen(
  graph: Graph,
  weights: Weights,
  reserves: readonly EigenReserve[],
  counts: Readonly<Record<string, number>>,
): { graph: Graph; weights: Weights; grown: GrownLayer[] } {
  const byName = new Map(reserves.map((r) => [r.name, r]));
  for (const name of Object.keys(counts))
    if (!byName.has(name)) throw new Error(`growEigen: no reserve for layer '${name}'`);
  let g = graph;
  let w = weights;
  const grown: GrownLayer[] = [];
  for (const r of reserves) {
    const n = counts[r.name] ?? 0;
    if (n === 0) continue;
    const { addA, addG } = directionsToGrow(r, n);
    const chain = readChain(g, w, r.name);
    const big = growChain(chain, r.view, { keepA: r.keepA, keepG: r.keepG }, addA, addG);
    const form = cheapestForm(big, big.p, big.q, reachableForms(big)).form;
    const next = collapseChain(big, form);
    ({ graph: g, weights: w } = writeChain(g, w, next));
    grown.push({
      name: r.name,
      addA,
      addG,
      paramsBefore: chainParams(chain),
      paramsAfter: chainParams(next),
      form: formOf(next),
    });
  }
  return { graph: g, weights: w, grown };
}
