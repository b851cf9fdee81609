/**
 * One structured prune step on a network description (graph + weights → smaller graph +
 * weights), by `recipe.prune.method`:
 * - 'channels': channel groups from the graph, L1 importance (or caller scores), global threshold;
 * - 'eigenbasis': K-FAC analysis of every layer's main node on training batches (labels sampled
 *   from the model), global saliency threshold, rotate-and-truncate of the layers it shrinks in
 *   the cheapest exact form (Tucker-2 or two-factor; eigen-plan.ts).
 * The result runs, scores and exports like any network; parameters are really removed.
 */
import { kfacAnalysis, type KfacLayer } from '../../analysis/kfac';
import { countParams } from '../../graph/params';
import type { Graph, Weights } from '../../graph/ir';
import { Network } from '../../graph/network';
import type { PruneSpec } from '../../recipe';
import type { BatchSource, CancelSignal } from '../../train/types';
import { eigenLayerNames, pruneChannels } from '../structure';
import { channelPlan, type GroupPlan } from './channel-plan';
import type { EigenReserve } from './eigen-grow';
import { applyEigenPlan, eigenPlan, type EigenLayerPlan } from './eigen-plan';

export interface PruneInput {
  graph: Graph;
  weights: Weights;
  spec: PruneSpec;
  /** Channel method: scores per group id (default: L1 magnitude). */
  scores?: ReadonlyMap<string, ArrayLike<number>>;
  /** Eigenbasis method: a finished analysis (analysed with useBias: false), or data to run one. */
  kfac?: readonly KfacLayer[];
  source?: BatchSource;
  batchSize?: number;
  seed?: number;
  signal?: CancelSignal;
  onProgress?: (fraction: number) => void;
  /** Eigenbasis method: also return what grow-back needs (PruneResult.reserves). */
  reserve?: boolean;
}

export interface PruneResult {
  graph: Graph;
  weights: Weights;
  paramsBefore: number;
  paramsAfter: number;
  groups?: GroupPlan[];
  /** Channel method: kept channel indices per group id of the input graph. */
  keep?: Record<string, number[]>;
  layers?: EigenLayerPlan[];
  /** Eigenbasis method with `reserve`: the removed directions of every replaced layer. */
  reserves?: EigenReserve[];
}

/** K-FAC layers for the eigenbasis method: every layer's main node, bias kept out of the factors. */
export async function analyseForPrune(o: PruneInput): Promise<KfacLayer[]> {
  if (o.kfac) return [...o.kfac];
  if (!o.source) throw new Error('eigenbasis pruning needs training data for the K-FAC analysis');
  const net = Network.fromWeights(o.graph, o.weights);
  try {
    const r = await kfacAnalysis({
      net,
      source: o.source,
      batches: o.spec.analysisBatches ?? 8,
      batchSize: o.batchSize ?? 32,
      seed: o.seed ?? 0,
      useBias: false,
      layers: eigenLayerNames(o.graph),
      signal: o.signal,
      onProgress: (p) => o.onProgress?.(p.fraction),
    });
    return r.layers;
  } finally {
    net.dispose();
  }
}

export async function pruneNetwork(o: PruneInput): Promise<PruneResult> {
  const paramsBefore = countParams(o.graph);
  if (o.spec.method === 'channels') {
    const plan = channelPlan(o.graph, o.weights, o.spec, o.scores);
    const r = pruneChannels(o.graph, o.weights, plan.keep);
    const paramsAfter = countParams(r.graph);
    return { ...r, paramsBefore, paramsAfter, groups: plan.groups, keep: plan.keep };
  }
  const layers = await analyseForPrune(o);
  const plan = eigenPlan(layers, o.spec, o.graph);
  const r = applyEigenPlan(o.graph, o.weights, layers, plan, { reserve: o.reserve });
  return {
    graph: r.graph,
    weights: r.weights,
    paramsBefore,
    paramsAfter: countParams(r.graph),
    layers: plan,
    ...(o.reserve ? { reserves: r.reserves } : {}),
  };
}
