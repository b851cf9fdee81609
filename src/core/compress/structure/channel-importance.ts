/**
 * Channel importance and selection for channel pruning. Default importance is the L1 magnitude
 * criterion (Li et al. 2017) summed over a dependency group: for channel j of a group, the sum of
 * |w| over every conv2d / depthwise2d / dense weight slice that touches j — output filters and
 * consumers' input slices alike (biases and BN affine excluded). Callers with better scores (the
 * K-FAC eigen analysis) pass them to keepByRatio instead.
 */
import type { Graph, Weights } from '../../graph/ir';
import { channelGroups, type ChannelGroup } from './channel-groups';
import type { KeepChannels } from './prune-channels';

/** Σ|w| per index of `axis` of a [..] weight, accumulated into acc[j] for positions[j]. */
function addAxisL1(
  w: { shape: number[]; data: Float32Array },
  axis: number,
  positions: readonly number[],
  width: number,
  acc: Float64Array,
): void {
  const n = w.shape[axis]!;
  const inner = w.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const perIndex = new Float64Array(n);
  for (let k = 0; k < w.data.length; k++) {
    const j = Math.floor(k / inner) % n;
    perIndex[j] = perIndex[j]! + Math.abs(w.data[k]!);
  }
  positions.forEach((p, r) => (acc[r % width] = acc[r % width]! + perIndex[p]!));
}

/** Group id → L1 importance of each of its channels (length = group width). */
export function channelImportance(
  graph: Graph,
  weights: Weights,
  groups: readonly ChannelGroup[] = channelGroups(graph),
): Map<string, Float64Array> {
  const specs = new Map(graph.nodes.map((n) => [n.name, n.spec]));
  const out = new Map<string, Float64Array>();
  for (const g of groups) {
    const acc = new Float64Array(g.width);
    for (const m of g.members) {
      const op = specs.get(m.node)?.op;
      if (op !== 'conv2d' && op !== 'depthwise2d' && op !== 'dense') continue;
      const w = weights.get(`${m.node}.weight`);
      if (!w) throw new Error(`channelImportance: weights lack '${m.node}.weight'`);
      const conv = op !== 'dense';
      const axis = m.axis === 'in' ? (conv ? 2 : 0) : op === 'conv2d' ? 3 : conv ? 2 : 1;
      addAxisL1(w, axis, m.positions, g.width, acc);
    }
    out.set(g.id, acc);
  }
  return out;
}

/** Indices (ascending) of the `count` highest scores; ties keep the lower index. */
export function keepTop(scores: ArrayLike<number>, count: number): number[] {
  if (!Number.isInteger(count) || count < 1 || count > scores.length)
    throw new Error(`keepTop: count must be an integer in 1…${scores.length}, got ${count}`);
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}

/**
 * Keep sets removing round(ratio · width) channels of every prunable group (at least one kept),
 * by lowest score. `ratio` is one number or per group id (groups not named are left whole).
 */
export function keepByRatio(
  groups: readonly ChannelGroup[],
  scores: ReadonlyMap<string, ArrayLike<number>>,
  ratio: number | Readonly<Record<string, number>>,
): Record<string, number[]> {
  const keep: Record<string, number[]> = {};
  for (const g of groups) {
    const r = typeof ratio === 'number' ? ratio : ratio[g.id];
    if (r === undefined || !g.prunable) continue;
    if (!(r >= 0 && r < 1))
      throw new Error(`keepByRatio: ratio for '${g.id}' must be in [0, 1), got ${r}`);
    const s = scores.get(g.id);
    if (!s || s.length !== g.width)
      throw new Error(
        `keepByRatio: need ${g.width} scores for group '${g.id}', got ${s?.length ?? 'none'}`,
      );
    const count = Math.max(1, g.width - Math.round(r * g.width));
    if (count < g.width) keep[g.id] = keepTop(s, count);
  }
  return keep satisfies KeepChannels;
}
