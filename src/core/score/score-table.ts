/**
 * Structural half of the MicroNet counter: walks a graph once (with inferShapes) and records, per
 * counted node, everything that does not depend on a recipe — weight counts, dot-product
 * lengths, output elements, fixed op counts, BN-folding targets, activation owners and the
 * early-exit path. scoreNetwork() then scores a recipe with a cheap loop over these rows.
 *
 * Mapping of IR ops to the official op list (counting.py, shared/docs/MICRONET_RULES.md):
 *   conv2d → Conv2D · depthwise2d → DepthWiseConv2D · dense → FullyConnected ·
 *   batchnorm → folded into the preceding conv/dense as a bias when that layer feeds only this BN
 *     (and folding is on), otherwise a per-channel affine (1×1 depthwise with bias: 2C params,
 *     1 mult + 1 add per element) · activation → per-element costs, booked on the layer (or BN)
 *     it follows when that producer feeds only the activation, as counting.py does ·
 *   add → Add (H·W·C adds; the seed profile drops them, as the seed's counter does) ·
 *   mul → Scale (SE gating) · avgpool → 1 mult + (k²−1) adds per output (not official) ·
 *   globalavgpool → GlobalAvg · upsample → 1 mult per output only if `countUpsample` ·
 *   input, padchannels, concat, flatten, shakedrop / scale (eval constants fold into the
 *   preceding BN) → free.
 */
import type { ActivationFn, Graph, GraphNode, OpName } from '../graph/ir';
import { inferShapes, type ShapeMap } from '../graph/shapes';
import { DEFAULT_ACTIVATION_COSTS, type ActivationCosts } from './op-counts';

export interface ScoreTableOptions {
  /** 'count' (default): fold or count as affine per the recipe; 'ignore': WRN-style, BN free. */
  batchNorm?: 'count' | 'ignore';
  /** Count activation functions (default true; WRN-style convention: false). */
  countActivations?: boolean;
  /** Per-element (mults, adds) of each activation, overriding DEFAULT_ACTIVATION_COSTS. */
  activationCosts?: Partial<ActivationCosts>;
  /**
   * Width of a residual Add: 'output' (default, official) or 'branch-max' — the widest feature
   * map on the residual branch (the EfficientNet-notebook / OSI README quirk: expanded width).
   */
  residualAddChannels?: 'output' | 'branch-max';
  /** Count nearest upsampling as 1 mult per output element (OSI README row); default false. */
  countUpsample?: boolean;
  /**
   * Early-exit output: a key of graph.extraOutputs or a node name. Default: the graph's only
   * extra output, if it has exactly one.
   */
  exitOutput?: string;
  /** Bits of one per-layer quantization scale/exponent (official profile); default 32. */
  quantScaleBits?: number;
}

export type RowKind = 'layer' | 'bn' | 'act' | 'free';

/** Path of a row: 'shared' runs for every image; 'main' only when the image does not exit. */
export type RowPath = 'shared' | 'main' | 'exit-head';

export interface ScoreRow {
  name: string;
  op: OpName;
  kind: RowKind;
  path: RowPath;
  /** layer: number of (prunable) weights; bn: C. */
  weights: number;
  /** layer: dense dot-product length (k²·c_in, k², c_in); bn: 1. */
  vl: number;
  /** Output elements (conv/bn: H·W·C; dense: out features). */
  outElems: number;
  /** layer: bias values of the spec (0 or channels). */
  ownBias: number;
  /** layer: channels of a BN that can fold into it (0 if none). */
  foldChannels: number;
  /** bn: row index of the layer it can fold into, else −1. */
  foldInto: number;
  /** act: row index of the layer / BN it follows (owner candidate), else −1. */
  attachTo: number;
  /** act/free: raw counts per image (official). */
  mults: number;
  adds: number;
  /** free: raw counts under the seed profile (residual adds dropped). */
  seedMults: number;
  seedAdds: number;
}

export interface ScoreTable {
  graphName: string;
  rows: readonly ScoreRow[];
  /** Prunable layers (conv2d, depthwise2d, dense): name → row index. */
  prunable: ReadonlyMap<string, number>;
  hasExit: boolean;
  /** Width of the main output (classes): what an early-exit blend (recipe.exitBlend) costs. */
  outputWidth: number;
  options: Readonly<Required<Omit<ScoreTableOptions, 'exitOutput' | 'activationCosts'>>>;
}

const LAYER_OPS: ReadonlySet<OpName> = new Set(['conv2d', 'depthwise2d', 'dense']);

function prod(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

function shapeOf(shapes: ShapeMap, name: string): number[] {
  const s = shapes.get(name);
  if (!s) throw new Error(`score table: no shape for node '${name}'`);
  return s;
}

/** Names of `start` and everything it depends on. */
function ancestors(byName: Map<string, GraphNode>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const i of byName.get(n)?.inputs ?? []) stack.push(i);
  }
  return seen;
}

function resolveExit(graph: Graph, opt: string | undefined): string | undefined {
  const extra = graph.extraOutputs ?? {};
  if (opt === undefined) {
    const vals = Object.values(extra);
    return vals.length === 1 ? vals[0] : undefined;
  }
  if (Object.hasOwn(extra, opt)) return extra[opt];
  if (graph.nodes.some((n) => n.name === opt)) return opt;
  throw new Error(
    `score table: exitOutput '${opt}' is neither an extra output (${Object.keys(extra).join(', ') || 'none'}) nor a node of '${graph.name}'`,
  );
}

/** Widest H·W·C-shaped map on the branch between an Add and its inputs' common ancestors. */
function branchMaxChannels(
  byName: Map<string, GraphNode>,
  shapes: ShapeMap,
  node: GraphNode,
): number {
  const [a, b] = node.inputs.map((i) => ancestors(byName, i)) as [Set<string>, Set<string>];
  let max = 0;
  const visit = (x: Set<string>, y: Set<string>) => {
    for (const n of x) {
      const s = shapeOf(shapes, n);
      if (!y.has(n) && s.length === 3) max = Math.max(max, s[2]!);
    }
  };
  visit(a, b);
  visit(b, a);
  return max;
}

interface BuildState {
  graph: Graph;
  shapes: ShapeMap;
  byName: Map<string, GraphNode>;
  consumers: Map<string, string[]>;
  rowOf: Map<string, number>;
  rows: ScoreRow[];
  costs: ActivationCosts;
  opts: ScoreTable['options'];
}

function blankRow(node: GraphNode, kind: RowKind, path: RowPath): ScoreRow {
  return {
    name: node.name,
    op: node.spec.op,
    kind,
    path,
    weights: 0,
    vl: 0,
    outElems: 0,
    ownBias: 0,
    foldChannels: 0,
    foldInto: -1,
    attachTo: -1,
    mults: 0,
    adds: 0,
    seedMults: 0,
    seedAdds: 0,
  };
}

/** The single-consumer producer row of `node`'s input, if it is a layer or BN row. */
function soleProducerRow(st: BuildState, node: GraphNode, kinds: RowKind[]): number {
  const src = node.inputs[0]!;
  if ((st.consumers.get(src) ?? []).length !== 1) return -1;
  const r = st.rowOf.get(src);
  return r !== undefined && kinds.includes(st.rows[r]!.kind) ? r : -1;
}

function layerRow(st: BuildState, node: GraphNode, row: ScoreRow): void {
  const spec = node.spec;
  const out = shapeOf(st.shapes, node.name);
  row.outElems = prod(out);
  if (spec.op === 'conv2d') {
    row.vl = spec.kernel * spec.kernel * spec.inChannels;
    row.weights = row.vl * spec.outChannels;
    row.ownBias = spec.bias ? spec.outChannels : 0;
  } else if (spec.op === 'depthwise2d') {
    row.vl = spec.kernel * spec.kernel;
    row.weights = row.vl * spec.channels;
    row.ownBias = spec.bias ? spec.channels : 0;
  } else if (spec.op === 'dense') {
    row.vl = spec.inFeatures;
    row.weights = spec.inFeatures * spec.outFeatures;
    row.ownBias = spec.bias ? spec.outFeatures : 0;
  }
}

/** Fills a free/act/bn row; returns false if the node costs nothing under these options. */
function otherRow(st: BuildState, node: GraphNode, row: ScoreRow): boolean {
  const spec = node.spec;
  const out = shapeOf(st.shapes, node.name);
  const n = prod(out);
  switch (spec.op) {
    case 'batchnorm': {
      if (st.opts.batchNorm === 'ignore') return false;
      row.weights = spec.channels;
      row.vl = 1;
      row.outElems = n;
      row.foldInto = soleProducerRow(st, node, ['layer']);
      if (row.foldInto >= 0) st.rows[row.foldInto]!.foldChannels = spec.channels;
      return true;
    }
    case 'activation': {
      if (!st.opts.countActivations) return false;
      const [m, a] = st.costs[spec.fn as ActivationFn];
      row.mults = m * n;
      row.adds = a * n;
      row.attachTo = soleProducerRow(st, node, ['layer', 'bn']);
      return true;
    }
    case 'add': {
      let elems = n;
      if (st.opts.residualAddChannels === 'branch-max' && out.length === 3) {
        const c = Math.max(out[2]!, branchMaxChannels(st.byName, st.shapes, node));
        elems = out[0]! * out[1]! * c;
      }
      row.adds = elems;
      return true;
    }
    case 'mul':
      row.mults = row.seedMults = n;
      return true;
    case 'avgpool':
      row.mults = row.seedMults = n;
      row.adds = row.seedAdds = (spec.size * spec.size - 1) * n;
      return true;
    case 'globalavgpool': {
      const [h, w, c] = shapeOf(st.shapes, node.inputs[0]!) as [number, number, number];
      row.mults = row.seedMults = c;
      row.adds = row.seedAdds = (h * w - 1) * c;
      return true;
    }
    case 'upsample':
      if (!st.opts.countUpsample) return false;
      row.mults = row.seedMults = n;
      return true;
    default:
      return false; // input, padchannels, concat, flatten, shakedrop, scale
  }
}

function kindOf(op: OpName): RowKind {
  if (LAYER_OPS.has(op)) return 'layer';
  if (op === 'batchnorm') return 'bn';
  if (op === 'activation') return 'act';
  return 'free';
}

function normaliseOptions(o: ScoreTableOptions): ScoreTable['options'] {
  const scaleBits = o.quantScaleBits ?? 32;
  if (!(Number.isInteger(scaleBits) && scaleBits >= 0 && scaleBits <= 64)) {
    throw new Error(`score table: quantScaleBits must be an integer in 0–64, got ${scaleBits}`);
  }
  return {
    batchNorm: o.batchNorm ?? 'count',
    countActivations: o.countActivations ?? true,
    residualAddChannels: o.residualAddChannels ?? 'output',
    countUpsample: o.countUpsample ?? false,
    quantScaleBits: scaleBits,
  };
}

/** Precomputes the recipe-independent per-node counting table of a graph (once per graph). */
export function buildScoreTable(graph: Graph, options: ScoreTableOptions = {}): ScoreTable {
  const shapes = inferShapes(graph);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, string[]>();
  for (const n of graph.nodes) {
    for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n.name]);
  }
  const exitNode = resolveExit(graph, options.exitOutput);
  const main = ancestors(byName, graph.output);
  const exit = exitNode === undefined ? new Set<string>() : ancestors(byName, exitNode);
  const st: BuildState = {
    graph,
    shapes,
    byName,
    consumers,
    rowOf: new Map(),
    rows: [],
    costs: { ...DEFAULT_ACTIVATION_COSTS, ...options.activationCosts },
    opts: normaliseOptions(options),
  };
  const prunable = new Map<string, number>();
  for (const node of graph.nodes) {
    const inMain = main.has(node.name);
    if (!inMain && !exit.has(node.name)) continue; // dead node: never executed
    const path: RowPath = exit.has(node.name) ? (inMain ? 'shared' : 'exit-head') : 'main';
    const row = blankRow(node, kindOf(node.spec.op), path);
    if (row.kind === 'layer') layerRow(st, node, row);
    else if (!otherRow(st, node, row)) continue;
    st.rowOf.set(node.name, st.rows.length);
    if (row.kind === 'layer') prunable.set(node.name, st.rows.length);
    st.rows.push(row);
  }
  return {
    graphName: graph.name,
    rows: st.rows,
    prunable,
    hasExit: exitNode !== undefined,
    outputWidth: prod(shapeOf(shapes, graph.output)),
    options: st.opts,
  };
}
