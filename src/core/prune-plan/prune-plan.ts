/**
 * Planned structured prunes of a network, for the Pruning panel's live table and score: the
 * channel plan (dependency groups, global threshold, per-layer cap — core/compress/prune) or the
 * eigenbasis plan (K-FAC saliencies, Tucker-2), applied to a copy, so the planned network's
 * parameter count and MicroNet score (core/compress/score-model) are exact. Nothing here touches
 * the current network.
 */
import type { KfacLayer } from '../analysis/kfac/index';
import {
  applyEigenPlan,
  channelPlan,
  eigenPlan,
  type EigenLayerPlan,
  type GroupPlan,
} from '../compress/prune/index';
import { scoreModel } from '../compress/score-model';
import { channelGroups, channelImportance, pruneChannels } from '../compress/structure/index';
import type { Graph, Weights } from '../graph/ir';
import { countParams } from '../graph/params';
import type { PruneSpec, Recipe } from '../recipe/index';
import type { PlanGroup, PlanLayer, PrunePlan } from './plan-types';

const PRODUCER_OPS = new Set(['conv2d', 'depthwise2d', 'dense']);

type Roles = Map<string, PlanGroup['layers']>;

/** L1 channel importance of every prunable group (channelPlan's default, computed once). */
export function groupImportance(graph: Graph, weights: Weights): Map<string, Float64Array> {
  return channelImportance(
    graph,
    weights,
    channelGroups(graph).filter((g) => g.prunable),
  );
}

/** Per channel group: each layer it touches with its role (output channels, BN, inputs). */
export function groupRoles(graph: Graph): Roles {
  const op = new Map(graph.nodes.map((n) => [n.name, n.spec.op]));
  const out: Roles = new Map();
  for (const g of channelGroups(graph)) {
    const layers = new Set(g.layers);
    const rows: PlanGroup['layers'] = [];
    const seen = new Set<string>();
    for (const m of g.members) {
      if (!layers.has(m.node)) continue;
      const kind = op.get(m.node);
      const role = m.axis === 'in' ? 'in' : kind === 'batchnorm' ? 'bn' : 'out';
      if (role === 'out' && !PRODUCER_OPS.has(kind ?? '')) continue;
      const key = `${m.node}|${role}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ name: m.node, role });
    }
    out.set(g.id, rows);
  }
  return out;
}

function planGroup(g: GroupPlan, roles: Roles): PlanGroup {
  const layers = roles.get(g.id) ?? g.layers.map((name) => ({ name, role: 'out' as const }));
  return {
    id: g.id,
    width: g.width,
    kept: g.kept,
    ratio: g.ratio,
    capped: g.capped,
    override: g.override,
    producers: layers.filter((l) => l.role === 'out').map((l) => l.name),
    layers,
  };
}

function planLayer(p: EigenLayerPlan): PlanLayer {
  const all = p.inChannels + p.outChannels;
  const kept = p.keepRows.length + p.keepCols.length;
  return {
    name: p.name,
    kernel: p.kernel,
    inChannels: p.inChannels,
    outChannels: p.outChannels,
    keptRows: p.keepRows.length,
    keptCols: p.keepCols.length,
    ratio: (all - kept) / all,
    paramsBefore: p.paramsBefore,
    paramsAfter: p.factorize ? p.paramsAfter : p.paramsBefore,
    factorize: p.factorize,
    override: p.override,
  };
}

/** The recipe without its prune section: what the planned network is scored with. */
export function scoringRecipe(recipe: Recipe): Recipe {
  const rest = { ...recipe };
  delete rest.prune;
  return rest;
}

export interface Scored {
  scoreBefore: number | null;
  scoreAfter: number | null;
  scoreError: string | null;
}

/** Scores of the network before and after the planned prune (errors reported, not thrown). */
export function scoreBoth(
  before: { graph: Graph; weights: Weights },
  after: { graph: Graph; weights: Weights },
  recipe: Recipe,
  exitRate: number | undefined,
): Scored {
  const r = scoringRecipe(recipe);
  const score = (n: { graph: Graph; weights: Weights }) => {
    const hasExit = n.graph.extraOutputs?.exit !== undefined;
    return scoreModel(n.graph, n.weights, r, {
      detail: false,
      ...(hasExit ? { exitRate: exitRate ?? 0 } : {}),
    }).score;
  };
  try {
    return { scoreBefore: score(before), scoreAfter: score(after), scoreError: null };
  } catch (err) {
    return {
      scoreBefore: null,
      scoreAfter: null,
      scoreError: err instanceof Error ? err.message : String(err),
    };
  }
}

export interface PlanInput {
  graph: Graph;
  weights: Weights;
  spec: PruneSpec;
  recipe: Recipe;
  exitRate?: number;
  /** Group roles of `graph` (cached by the caller); computed when absent. */
  roles?: Roles;
  /** Channel importance per group id (cached by the caller); L1 magnitude when absent. */
  scores?: ReadonlyMap<string, ArrayLike<number>>;
  /** Eigenbasis: the K-FAC layers of this network and the analysis id. */
  kfac?: { id: number; layers: readonly KfacLayer[] } | null;
}

export function planPrune(o: PlanInput): PrunePlan {
  const paramsBefore = countParams(o.graph);
  const base = { graph: o.graph, weights: o.weights };
  if (o.spec.method === 'channels') {
    const plan = channelPlan(o.graph, o.weights, o.spec, o.scores);
    const after = pruneChannels(o.graph, o.weights, plan.keep);
    const roles = o.roles ?? groupRoles(o.graph);
    return {
      method: 'channels',
      paramsBefore,
      paramsAfter: countParams(after.graph),
      ...scoreBoth(base, after, o.recipe, o.exitRate),
      groups: plan.groups.map((g) => planGroup(g, roles)),
      layers: [],
      analysisId: null,
    };
  }
  if (!o.kfac)
    throw new Error(
      'Eigenbasis pruning needs a K-FAC analysis of the current network: press Analyse in the Spectra panel first',
    );
  const plan = eigenPlan(o.kfac.layers, o.spec, o.graph);
  const after = applyEigenPlan(o.graph, o.weights, o.kfac.layers, plan);
  return {
    method: 'eigenbasis',
    paramsBefore,
    paramsAfter: countParams(after.graph),
    ...scoreBoth(base, after, o.recipe, o.exitRate),
    groups: [],
    layers: plan.map(planLayer),
    analysisId: o.kfac.id,
  };
}
