/**
 * Channel-pruning plan: which channels of each dependency group to keep. One global threshold
 * (the seed's rule, applied to channels): every prunable group's channel scores are divided by
 * the group's mean score (so groups of different size and scale compete fairly), pooled, and the
 * lowest `ratio` share falls; a group may lose at most ⌊limit·width⌋ channels per step and keeps at
 * least one. `layerRatios` override the threshold for a group, named by its id or by any of its
 * layers (coupled layers share one ratio; conflicting values are an error).
 */
import type { Graph, Weights } from '../../graph/ir';
import type { PruneSpec } from '../../recipe';
import { channelGroups, channelImportance, keepTop, type ChannelGroup } from '../structure';

export interface GroupPlan {
  id: string;
  layers: string[];
  width: number;
  kept: number;
  /** Removed share of the group's channels. */
  ratio: number;
  /** The per-step cap bound (the group would have lost more). */
  capped: boolean;
  /** Set from spec.layerRatios rather than the global threshold. */
  override: boolean;
}

export interface ChannelPlan {
  keep: Record<string, number[]>;
  groups: GroupPlan[];
}

/** Group id → ratio from spec.layerRatios (keys: group ids or member layer names). */
export function groupRatios(
  groups: readonly ChannelGroup[],
  layerRatios: Readonly<Record<string, number>> = {},
): Map<string, number> {
  const byKey = new Map<string, ChannelGroup>();
  for (const g of groups) {
    byKey.set(g.id, g);
    for (const l of g.layers) byKey.set(l, g);
    for (const m of g.members) if (!byKey.has(m.node)) byKey.set(m.node, g);
  }
  const out = new Map<string, number>();
  for (const [key, r] of Object.entries(layerRatios)) {
    const g = byKey.get(key);
    if (!g) throw new Error(`prune.layerRatios names '${key}', which is no layer or channel group`);
    if (!g.prunable)
      throw new Error(`prune.layerRatios['${key}']: its channel group is frozen (${g.reason})`);
    const prev = out.get(g.id);
    if (prev !== undefined && prev !== r)
      throw new Error(
        `prune.layerRatios: '${key}' is coupled with other named layers (group ${g.id}) but asks ${r}, not ${prev}`,
      );
    out.set(g.id, r);
  }
  return out;
}

function normalized(scores: ArrayLike<number>): Float64Array {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += scores[i]!;
  const mean = sum / scores.length || 1;
  return Float64Array.from(scores, (v) => v / mean);
}

/** Global threshold: the ⌊ratio·P⌋-th smallest pooled normalized score (−∞ when none falls). */
function threshold(pool: number[], ratio: number): number {
  const m = Math.floor(ratio * pool.length);
  if (m === 0) return Number.NEGATIVE_INFINITY;
  pool.sort((a, b) => a - b);
  return pool[m - 1]!;
}

export function channelPlan(
  graph: Graph,
  weights: Weights,
  spec: PruneSpec,
  scores?: ReadonlyMap<string, ArrayLike<number>>,
): ChannelPlan {
  const groups = channelGroups(graph).filter((g) => g.prunable);
  const s = scores ?? channelImportance(graph, weights, groups);
  const fixed = groupRatios(groups, spec.layerRatios);
  const limit = spec.limit ?? 0.5;
  const norm = new Map(
    groups.map((g) => [g.id, normalized(s.get(g.id) ?? new Float64Array(g.width))]),
  );
  const pool: number[] = [];
  for (const g of groups) if (!fixed.has(g.id)) pool.push(...norm.get(g.id)!);
  const t = threshold(pool, spec.ratio);
  const plan: ChannelPlan = { keep: {}, groups: [] };
  for (const g of groups) {
    const n = norm.get(g.id)!;
    const override = fixed.has(g.id);
    let drop = override ? Math.round(fixed.get(g.id)! * g.width) : n.filter((v) => v <= t).length;
    const cap = override ? g.width - 1 : Math.min(g.width - 1, Math.floor(limit * g.width));
    const capped = drop > cap;
    drop = Math.min(drop, cap);
    const kept = g.width - drop;
    if (drop > 0) plan.keep[g.id] = keepTop(n, kept);
    plan.groups.push({
      id: g.id,
      layers: g.layers,
      width: g.width,
      kept,
      ratio: drop / g.width,
      capped,
      override,
    });
  }
  return plan;
}
