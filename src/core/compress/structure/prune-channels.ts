/**
 * Structured channel pruning by graph surgery (Li et al. 2017, "Pruning Filters for Efficient
 * ConvNets", generalised to dependency groups): removes whole channel classes everywhere they
 * appear — conv2d output filters and the matching input slices of every consumer, depthwise
 * filters, BN vectors, dense rows/columns (after flatten: every spatial copy of the channel),
 * padchannels zero slots — and rewrites the specs (inChannels, outChannels, channels,
 * inFeatures, outFeatures, padchannels channels/front). The result is a smaller, valid graph
 * with node and parameter names unchanged.
 */
import type { Graph, GraphNode, NodeSpec, TensorData, Weights } from '../../graph/ir';
import { checkWeights } from '../../graph/network';
import { nodeParams } from '../../graph/params';
import { inferShapes } from '../../graph/shapes';
import { analyseGroups, type GroupAnalysis } from './channel-groups';
import { takeAlong } from './tensor-slice';

/** Group id → channel indices (0 … width−1) to keep; groups not named keep everything. */
export type KeepChannels = Readonly<Record<string, readonly number[]>>;

export interface PrunedNetwork {
  graph: Graph;
  weights: Weights;
}

function keptClasses(a: GroupAnalysis, keep: KeepChannels): Uint8Array {
  const byId = new Map(a.groups.map((g, i) => [g.id, i]));
  const keepLocal: (Set<number> | null)[] = a.groups.map(() => null);
  for (const [id, idx] of Object.entries(keep)) {
    const g = byId.get(id);
    if (g === undefined) throw new Error(`pruneChannels: no channel group '${id}'`);
    const group = a.groups[g]!;
    if (!Array.isArray(idx)) throw new Error(`pruneChannels: keep['${id}'] must be an array`);
    const bad = idx.find((v) => !Number.isInteger(v) || v < 0 || v >= group.width);
    if (bad !== undefined)
      throw new Error(`pruneChannels: keep['${id}'] has index ${bad}, not in 0…${group.width - 1}`);
    const set = new Set(idx);
    if (set.size !== idx.length) throw new Error(`pruneChannels: keep['${id}'] repeats an index`);
    if (set.size === 0) throw new Error(`pruneChannels: keep['${id}'] would remove every channel`);
    if (set.size < group.width && !group.prunable)
      throw new Error(`pruneChannels: group '${id}' is frozen (${group.reason})`);
    keepLocal[g] = set;
  }
  const kept = new Uint8Array(a.layout.numClasses);
  for (let c = 0; c < kept.length; c++) {
    const set = keepLocal[a.groupOf[c]!];
    kept[c] = !set || set.has(a.localOf[c]!) ? 1 : 0;
  }
  return kept;
}

/** Node name → kept positions (ascending) of its output's last axis. */
function keptPositions(a: GroupAnalysis, kept: Uint8Array): Map<string, number[]> {
  const lay = a.layout;
  const out = new Map<string, number[]>();
  lay.nodes.forEach((n, i) => {
    const pos: number[] = [];
    for (let s = lay.offset[i]!; s < lay.offset[i + 1]!; s++)
      if (kept[lay.classOf[s]!]) pos.push(s - lay.offset[i]!);
    out.set(n.name, pos);
  });
  return out;
}

function newSpec(n: GraphNode, own: number[], input: number[]): NodeSpec {
  const s = n.spec;
  switch (s.op) {
    case 'conv2d':
      return { ...s, inChannels: input.length, outChannels: own.length };
    case 'depthwise2d':
      return { ...s, channels: own.length };
    case 'dense':
      return { ...s, inFeatures: input.length, outFeatures: own.length };
    case 'batchnorm':
      return { ...s, channels: own.length };
    case 'padchannels': {
      const front = own.filter((p) => p < (s.front ?? 0)).length;
      return s.front === undefined
        ? { ...s, channels: own.length }
        : { ...s, channels: own.length, front };
    }
    default:
      return s;
  }
}

function get(weights: Weights, name: string): TensorData {
  const w = weights.get(name);
  if (!w) throw new Error(`pruneChannels: weights lack '${name}'`);
  return w;
}

/** Sliced parameters of one node (names unchanged). */
function sliceParams(n: GraphNode, own: number[], input: number[], weights: Weights): Weights {
  const out: Weights = new Map();
  for (const p of nodeParams(n)) {
    let t = get(weights, p.name);
    if (p.kind !== 'weight' || n.spec.op === 'batchnorm') t = takeAlong(t, 0, own);
    else if (n.spec.op === 'conv2d') t = takeAlong(takeAlong(t, 2, input), 3, own);
    else if (n.spec.op === 'depthwise2d') t = takeAlong(t, 2, own);
    else if (n.spec.op === 'dense') t = takeAlong(takeAlong(t, 0, input), 1, own);
    out.set(p.name, t);
  }
  return out;
}

/**
 * `graph` and `weights` with the channels not in `keep` removed (see KeepChannels; ids from
 * channelGroups(graph)). Frozen groups must be kept whole. Inputs are not modified; untouched
 * tensors are shared with `weights`.
 */
export function pruneChannels(graph: Graph, weights: Weights, keep: KeepChannels): PrunedNetwork {
  checkWeights(graph, weights);
  const a = analyseGroups(graph);
  return rebuildWithPositions(graph, weights, keptPositions(a, keptClasses(a, keep)));
}

/**
 * `graph` rebuilt so that node n's output channels are its old channels `pos.get(n)` in that
 * order (a gather: indices may repeat — channel growth copies channels this way). Specs follow
 * the new widths; parameters are gathered along their channel axes.
 */
export function rebuildWithPositions(
  graph: Graph,
  weights: Weights,
  pos: ReadonlyMap<string, number[]>,
): PrunedNetwork {
  const nodes: GraphNode[] = [];
  const out: Weights = new Map();
  for (const n of graph.nodes) {
    const own = pos.get(n.name)!;
    const input = n.inputs.length > 0 ? pos.get(n.inputs[0]!)! : own;
    nodes.push({ name: n.name, inputs: [...n.inputs], spec: newSpec(n, own, input) });
    for (const [k, v] of sliceParams(n, own, input, weights)) out.set(k, v);
  }
  const pruned: Graph = { ...graph, nodes };
  if (graph.extraOutputs) pruned.extraOutputs = { ...graph.extraOutputs };
  inferShapes(pruned);
  checkWeights(pruned, out);
  return { graph: pruned, weights: out };
}
