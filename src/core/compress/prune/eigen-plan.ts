/**
 * Eigenbasis pruning plan and surgery (EigenDamage, Wang et al. 2019 — the seed's step 2): from
 * the K-FAC analysis (src/core/analysis/kfac) of every layer's main node, keep the
 * eigen-directions above one global saliency threshold (per-layer cap `limit`), or a layer's own
 * ratio from `layerRatios`, then replace the layer by its rotate-and-truncate in the cheapest
 * exact form for the kept ranks (structure/layer-chain.ts): Tucker-2 1×1 → k×k core → 1×1, or a
 * two-factor form with the core merged into one side (the form for 1×1 convs and dense layers:
 * Tucker-2 of a 1×1 layer is never smaller). A merged side costs nothing per direction, so it
 * keeps all its directions. A layer is replaced only where that is smaller than it is now.
 * Layers factorized by an earlier step are pruned again through their main (core) node, the
 * seed's later iterations: the old bases are multiplied into the new rotations.
 */
import type { KfacLayer } from '../../analysis/kfac';
import { selectKept, type KeptDirections } from '../../analysis/kfac';
import type { Graph, Weights } from '../../graph/ir';
import type { PruneSpec } from '../../recipe';
import {
  chainDims,
  chainNameOf,
  cheapestForm,
  collapseChain,
  eigenView,
  keepTop,
  mainNodeOf,
  readChain,
  truncatedChain,
  writeChain,
  type ChainDims,
  type ChainForm,
} from '../structure';
import { reserveOf, type EigenReserve } from './eigen-grow';

export interface EigenLayerPlan {
  /** The layer: its last node's name (the original layer name). */
  name: string;
  /** The node the analysis covered and keepRows / keepCols index: `${name}.core` or `name`. */
  main: string;
  kernel: number;
  /** Widths of the main node: input (keepCols) and output (keepRows) directions. */
  inChannels: number;
  outChannels: number;
  keepRows: number[];
  keepCols: number[];
  /** Weights of the layer now / in `form` with the kept ranks (biases aside). */
  paramsBefore: number;
  paramsAfter: number;
  formBefore: ChainForm;
  /** The cheapest exact form for the kept ranks. */
  form: ChainForm;
  /** False when that would not be smaller: the layer is left as it is. */
  factorize: boolean;
  override: boolean;
}

const FACTOR_FORMS: ChainForm[] = ['basis-in', 'basis-out', 'tucker'];

function keepByOwnRatio(l: KfacLayer, r: number): KeptDirections {
  const side = (s: Float64Array) => keepTop(s, Math.max(1, s.length - Math.round(r * s.length)));
  return {
    keepRows: side(l.rowSaliency),
    keepCols: side(l.colSaliency),
    rowsCapped: false,
    colsCapped: false,
  };
}

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

function checkFits(l: KfacLayer, d: ChainDims): void {
  if (l.hasBias)
    throw new Error(
      `eigenPlan: layer '${l.name}' was analysed with its bias folded in (use useBias: false)`,
    );
  if (l.inChannels !== d.p || l.outChannels !== d.q || l.kernel !== d.kernel)
    throw new Error(
      `eigenPlan: the analysis of '${l.name}' (${l.kernel}×${l.kernel}, ${l.inChannels} → ${l.outChannels}) does not fit the network's (${d.kernel}×${d.kernel}, ${d.p} → ${d.q}): analyse this network again`,
    );
}

/** layerRatios keyed by layer name (a key may also name the layer's main node). */
function ratiosByLayer(graph: Graph, mains: readonly KfacLayer[], spec: PruneSpec) {
  const known = new Set(mains.map((l) => chainNameOf(graph, l.name)));
  const out = new Map<string, number>();
  for (const [key, r] of Object.entries(spec.layerRatios ?? {})) {
    const name = known.has(key) ? key : chainNameOf(graph, key);
    if (!known.has(name) || (name !== key && mainNodeOf(graph, name) !== key))
      throw new Error(
        `prune.layerRatios names '${key}', which is not an analysed conv/dense layer`,
      );
    out.set(name, r);
  }
  return out;
}

function planLayer(d: ChainDims, k: KeptDirections, override: boolean) {
  const best = cheapestForm(d, k.keepCols.length, k.keepRows.length, FACTOR_FORMS);
  const factorize = best.params < d.params;
  const merged = (side: 'in' | 'out') =>
    factorize && best.form === (side === 'in' ? 'basis-out' : 'basis-in');
  const plan: EigenLayerPlan = {
    name: d.name,
    main: d.main,
    kernel: d.kernel,
    inChannels: d.p,
    outChannels: d.q,
    keepRows: merged('out') ? all(d.q) : k.keepRows,
    keepCols: merged('in') ? all(d.p) : k.keepCols,
    paramsBefore: d.params,
    paramsAfter: best.params,
    formBefore: d.form,
    form: best.form,
    factorize,
    override,
  };
  return plan;
}

/**
 * The plan for the analysed layers of `graph` (layers analysed on a node that is not its layer's
 * main node — e.g. `X.basis_in` in an analysis of every conv — are left out).
 */
export function eigenPlan(
  layers: readonly KfacLayer[],
  spec: PruneSpec,
  graph: Graph,
): EigenLayerPlan[] {
  const mains = layers.filter((l) => mainNodeOf(graph, chainNameOf(graph, l.name)) === l.name);
  const dims = new Map(mains.map((l) => [l.name, chainDims(graph, chainNameOf(graph, l.name))]));
  for (const l of mains) checkFits(l, dims.get(l.name)!);
  const fixed = ratiosByLayer(graph, mains, spec);
  const free = mains.filter((l) => !fixed.has(dims.get(l.name)!.name));
  const kept = selectKept(free, { pruneRatio: spec.ratio, limit: spec.limit });
  return mains.map((l) => {
    const d = dims.get(l.name)!;
    const r = fixed.get(d.name);
    return planLayer(d, r === undefined ? kept[l.name]! : keepByOwnRatio(l, r), r !== undefined);
  });
}

export interface AppliedEigenPlan {
  graph: Graph;
  weights: Weights;
  /** With `reserve`: what grow-back needs of every replaced layer. */
  reserves: EigenReserve[];
}

/** Applies the plan: every layer marked `factorize` becomes its rotate-and-truncate in `form`. */
export function applyEigenPlan(
  graph: Graph,
  weights: Weights,
  layers: readonly KfacLayer[],
  plan: readonly EigenLayerPlan[],
  o: { reserve?: boolean } = {},
): AppliedEigenPlan {
  const byName = new Map(layers.map((l) => [l.name, l]));
  let g = graph;
  let w = weights;
  const reserves: EigenReserve[] = [];
  for (const p of plan) {
    if (!p.factorize) continue;
    const l = byName.get(p.main);
    if (!l) throw new Error(`applyEigenPlan: no analysis of '${p.main}'`);
    const chain = readChain(g, w, p.name);
    const view = eigenView(chain, l.qA, l.qG);
    const cut = truncatedChain(chain, view, p.keepCols, p.keepRows);
    ({ graph: g, weights: w } = writeChain(g, w, collapseChain(cut, p.form)));
    if (o.reserve) reserves.push(reserveOf(view, l, p));
  }
  return { graph: g, weights: w, reserves };
}
