/**
 * Channel-slot union-find, the core of dependency-group analysis for structured pruning (the
 * "dependency graph" idea of Fang et al. 2023, DepGraph, reduced to this IR's ops). Every node's
 * output has one slot per index of its last axis (channels of [H,W,C], features of [F]); two slots
 * are joined when the graph forces them to carry the same channel:
 * - conv2d / dense / input create fresh slots (a conv's input channels are its input node's slots);
 * - depthwise2d, batchnorm, activations, pools, shakedrop, scale, upsample: out[i] ≡ in[i];
 * - flatten of [H,W,C]: feature f ≡ channel f mod C (NHWC order);
 * - add: out[i] ≡ a[i] ≡ b[i] (residual streams); mul: the same per channel (SE gate × map), or,
 *   when one side has 1 channel broadcast over all, only the wide side (the 1-channel side frozen);
 * - padchannels: out[front + i] ≡ in[i]; the zero slots are fresh (so a zero-padded shortcut ties
 *   the narrow stream to a segment of the wide one, and the padded tail stays separate);
 * - concat: out[offset_k + i] ≡ in_k[i].
 * Classes (connected slots) are the atomic units of channel pruning: removing a class removes
 * every slot of it. Classes touching the network input or an output are frozen.
 */
import type { Graph, GraphNode } from '../../graph/ir';
import { inferShapes } from '../../graph/shapes';

export interface SlotLayout {
  graph: Graph;
  nodes: readonly GraphNode[];
  /** node name → index in `nodes`. */
  index: ReadonlyMap<string, number>;
  /** Slots of node i are offset[i] … offset[i+1]−1 (length nodes + 1). */
  offset: Int32Array;
  /** Global slot → class id (0 … numClasses−1, numbered by first slot). */
  classOf: Int32Array;
  numClasses: number;
  /** Class → why it may not be pruned (undefined: prunable). */
  frozen: (string | undefined)[];
}

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(a: number): number {
    const p = this.parent;
    let r = a;
    while (p[r] !== r) r = p[r]!;
    while (p[a] !== r) {
      const next = p[a]!;
      p[a] = r;
      a = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

interface Ctx {
  uf: UnionFind;
  offset: Int32Array;
  index: ReadonlyMap<string, number>;
  width: (i: number) => number;
  marks: Map<number, string>;
}

function slot(ctx: Ctx, nodeIdx: number, pos: number): number {
  return ctx.offset[nodeIdx]! + pos;
}

/** out[outOff + i] ≡ in[i] for every slot of input `inIdx` (or f ≡ f mod C for flatten). */
function tie(ctx: Ctx, outIdx: number, inIdx: number, outOff = 0, modulo = false): void {
  const w = modulo ? ctx.width(outIdx) : ctx.width(inIdx);
  const c = ctx.width(inIdx);
  for (let i = 0; i < w; i++) {
    ctx.uf.union(slot(ctx, outIdx, outOff + i), slot(ctx, inIdx, modulo ? i % c : i));
  }
}

function markAll(ctx: Ctx, nodeIdx: number, reason: string): void {
  for (let i = 0; i < ctx.width(nodeIdx); i++) {
    const s = slot(ctx, nodeIdx, i);
    if (!ctx.marks.has(s)) ctx.marks.set(s, reason);
  }
}

function joinNode(ctx: Ctx, node: GraphNode, i: number): void {
  const ins = node.inputs.map((n) => ctx.index.get(n)!);
  const s = node.spec;
  switch (s.op) {
    case 'input':
      return markAll(ctx, i, 'network input');
    case 'conv2d':
    case 'dense':
      return; // fresh output channels
    case 'padchannels':
      return tie(ctx, i, ins[0]!, s.front ?? 0);
    case 'flatten':
      return tie(ctx, i, ins[0]!, 0, true);
    case 'concat': {
      let off = 0;
      for (const k of ins) {
        tie(ctx, i, k, off);
        off += ctx.width(k);
      }
      return;
    }
    case 'add':
    case 'mul':
      for (const k of ins) {
        if (ctx.width(k) === ctx.width(i)) tie(ctx, i, k);
        else markAll(ctx, k, `broadcast over channels by '${node.name}'`);
      }
      return;
    default:
      return tie(ctx, i, ins[0]!); // depthwise, BN, activations, pools, shakedrop, scale, upsample
  }
}

/** Slots, their classes and frozen reasons for `graph` (validated; shapes inferred). */
export function slotLayout(graph: Graph): SlotLayout {
  const shapes = inferShapes(graph);
  const nodes = graph.nodes;
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  const offset = new Int32Array(nodes.length + 1);
  nodes.forEach((n, i) => (offset[i + 1] = offset[i]! + shapes.get(n.name)!.at(-1)!));
  const total = offset[nodes.length]!;
  const ctx: Ctx = {
    uf: new UnionFind(total),
    offset,
    index,
    width: (i) => offset[i + 1]! - offset[i]!,
    marks: new Map(),
  };
  nodes.forEach((n, i) => joinNode(ctx, n, i));
  markAll(ctx, index.get(graph.output)!, `network output '${graph.output}' (logits)`);
  for (const [key, name] of Object.entries(graph.extraOutputs ?? {}))
    markAll(ctx, index.get(name)!, `extra output '${key}' ('${name}')`);
  const classOf = new Int32Array(total);
  const classOfRoot = new Map<number, number>();
  for (let s = 0; s < total; s++) {
    const r = ctx.uf.find(s);
    let c = classOfRoot.get(r);
    if (c === undefined) classOfRoot.set(r, (c = classOfRoot.size));
    classOf[s] = c;
  }
  const frozen: (string | undefined)[] = new Array(classOfRoot.size).fill(undefined);
  for (const [s, reason] of [...ctx.marks].sort((a, b) => a[0] - b[0])) {
    const c = classOf[s]!;
    frozen[c] ??= reason;
  }
  return { graph, nodes, index, offset, classOf, numClasses: classOfRoot.size, frozen };
}
