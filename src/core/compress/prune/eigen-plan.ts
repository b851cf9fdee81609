/**
 * Eigenbasis pruning plan and surgery (EigenDamage, Wang et al. 2019 — the seed's step 2): from
 * the K-FAC analysis (src/core/analysis/kfac), keep the eigen-directions above one global
 * saliency threshold (per-layer cap `limit`), or a layer's own ratio from `layerRatios`, then
 * replace each layer by its Tucker-2 factorization 1×1 → k×k core → 1×1 in the eigenbasis — only
 * where that really has fewer parameters than the layer it replaces.
 */
import type { KfacLayer } from '../../analysis/kfac';
import { selectKept, type KeptDirections } from '../../analysis/kfac';
import type { Graph, Weights } from '../../graph/ir';
import type { PruneSpec } from '../../score/prune-spec';
import { factorizeLayer, keepTop } from '../structure';

export interface EigenLayerPlan {
  name: string;
  kernel: number;
  inChannels: number;
  outChannels: number;
  keepRows: number[];
  keepCols: number[];
  /** Weights of the layer now / of its factorization (biases aside). */
  paramsBefore: number;
  paramsAfter: number;
  /** False when the factorization would not be smaller: the layer is left as it is. */
  factorize: boolean;
  override: boolean;
}

function keepByOwnRatio(l: KfacLayer, r: number): KeptDirections {
  const side = (s: Float64Array) => keepTop(s, Math.max(1, s.length - Math.round(r * s.length)));
  return {
    keepRows: side(l.rowSaliency),
    keepCols: side(l.colSaliency),
    rowsCapped: false,
    colsCapped: false,
  };
}

export function eigenPlan(layers: readonly KfacLayer[], spec: PruneSpec): EigenLayerPlan[] {
  const fixed = spec.layerRatios ?? {};
  const names = new Set(layers.map((l) => l.name));
  for (const k of Object.keys(fixed))
    if (!names.has(k))
      throw new Error(`prune.layerRatios names '${k}', which is not an analysed conv/dense layer`);
  const free = layers.filter((l) => !(l.name in fixed));
  const kept = selectKept(free, { pruneRatio: spec.ratio, limit: spec.limit });
  return layers.map((l) => {
    if (l.hasBias)
      throw new Error(
        `eigenPlan: layer '${l.name}' was analysed with its bias folded in (use useBias: false)`,
      );
    const override = l.name in fixed;
    const k = override ? keepByOwnRatio(l, fixed[l.name]!) : kept[l.name]!;
    const taps = l.kernel * l.kernel;
    const rA = k.keepCols.length;
    const rG = k.keepRows.length;
    const paramsBefore = taps * l.inChannels * l.outChannels;
    const paramsAfter = l.inChannels * rA + taps * rA * rG + rG * l.outChannels;
    return {
      name: l.name,
      kernel: l.kernel,
      inChannels: l.inChannels,
      outChannels: l.outChannels,
      keepRows: k.keepRows,
      keepCols: k.keepCols,
      paramsBefore,
      paramsAfter,
      factorize: paramsAfter < paramsBefore,
      override,
    };
  });
}

/** Applies the plan: every layer marked `factorize` becomes its three-layer factorization. */
export function applyEigenPlan(
  graph: Graph,
  weights: Weights,
  layers: readonly KfacLayer[],
  plan: readonly EigenLayerPlan[],
): { graph: Graph; weights: Weights } {
  const byName = new Map(layers.map((l) => [l.name, l]));
  let g = graph;
  let w = weights;
  for (const p of plan) {
    if (!p.factorize) continue;
    const l = byName.get(p.name)!;
    ({ graph: g, weights: w } = factorizeLayer(g, w, p.name, l.qA, l.qG, p.keepCols, p.keepRows));
  }
  return { graph: g, weights: w };
}
