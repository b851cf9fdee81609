/**
 * A conv2d / dense layer and its low-rank factorizations as one "chain" (EigenDamage's
 * decomposed layer, Wang et al. 2019, arXiv 1905.05934, generalised to the cheapest exact form):
 *   W_t = basisOut · core_t · basisIn      (c_out × c_in per kernel tap t)
 * with either basis absent (identity). Four forms, named by the nodes they have:
 *   'plain'      `X`                                   k×k c_in → c_out
 *   'basis-in'   `X.basis_in` 1×1 c_in → p,  `X` k×k p → c_out           (core merged with Q_G)
 *   'basis-out'  `X.core` k×k c_in → q,      `X` 1×1 q → c_out           (core merged with Q_Aᵀ)
 *   'tucker'     `X.basis_in` 1×1 c_in → p,  `X.core` k×k p → q,  `X` 1×1 q → c_out
 * The k×k node keeps the layer's stride and padding; the last node is always `X` and carries the
 * layer's bias, so consumers (and a BN that folds into it) are unchanged. Dense layers likewise
 * with dense nodes. The k×k node (`X.core` if present, else `X`) is the chain's "main" node: the
 * one an eigen analysis of a later prune step looks at (the seed's "main module").
 * Matrices are row-major float64: basisIn p × c_in, core [taps][q][p], basisOut c_out × q.
 */
import type { Graph, GraphNode, NodeSpec, TensorData, Weights } from '../../graph/ir';
import { checkWeights } from '../../graph/network';
import { inferShapes } from '../../graph/shapes';
import { matMul } from './dense-matrix';
import type { PrunedNetwork } from './prune-channels';

type ConvSpec = Extract<NodeSpec, { op: 'conv2d' }>;
type DenseSpec = Extract<NodeSpec, { op: 'dense' }>;
export type LayerSpec = ConvSpec | DenseSpec;

export type ChainForm = 'plain' | 'basis-in' | 'basis-out' | 'tucker';

export interface LayerChain {
  /** The layer's name: its last node, the one consumers read. */
  name: string;
  /** Spec of the k×k (main) node: op and, for convs, kernel / stride / padding. */
  spec: LayerSpec;
  cIn: number;
  cOut: number;
  /** kernel² (dense: 1). */
  taps: number;
  /** Inner widths: rows of basisIn (c_in without it) and columns of basisOut (c_out without). */
  p: number;
  q: number;
  basisIn: Float64Array | null;
  core: Float64Array;
  basisOut: Float64Array | null;
  /** The layer's bias (last node), or null. */
  bias: Float32Array | null;
}

export interface ChainNodes {
  basisIn: GraphNode | null;
  core: GraphNode;
  basisOut: GraphNode | null;
}

const IN_SUFFIX = '.basis_in';
const CORE_SUFFIX = '.core';

function fail(msg: string): never {
  throw new Error(`layer chain: ${msg}`);
}

function dims(s: LayerSpec): { cin: number; cout: number; k: number; bias: boolean } {
  return s.op === 'conv2d'
    ? { cin: s.inChannels, cout: s.outChannels, k: s.kernel, bias: s.bias }
    : { cin: s.inFeatures, cout: s.outFeatures, k: 1, bias: s.bias };
}

function isPointwise(s: NodeSpec): boolean {
  if (s.op === 'dense') return true;
  if (s.op !== 'conv2d') return false;
  const zeroPad =
    s.padding === 'valid' || (Array.isArray(s.padding) && s.padding.every((v) => v === 0));
  return s.kernel === 1 && s.stride === 1 && zeroPad;
}

function layerSpec(n: GraphNode | undefined, what: string): LayerSpec {
  if (!n) fail(`no node ${what}`);
  if (n.spec.op !== 'conv2d' && n.spec.op !== 'dense')
    fail(`'${n.name}' is ${n.spec.op}, not conv2d or dense`);
  return n.spec;
}

/** Name of the chain (layer) that node `node` belongs to. */
export function chainNameOf(graph: Graph, node: string): string {
  const names = new Set(graph.nodes.map((n) => n.name));
  for (const suffix of [IN_SUFFIX, CORE_SUFFIX]) {
    const base = node.slice(0, -suffix.length);
    if (node.endsWith(suffix) && names.has(base)) return base;
  }
  return node;
}

/** The chain's main (k×k) node: `X.core` when it exists, else `X`. */
export function mainNodeOf(graph: Graph, name: string): string {
  return graph.nodes.some((n) => n.name === `${name}${CORE_SUFFIX}`)
    ? `${name}${CORE_SUFFIX}`
    : name;
}

/** Main nodes of every conv2d / dense chain, in graph order (what an eigen analysis covers). */
export function eigenLayerNames(graph: Graph): string[] {
  return graph.nodes
    .filter((n) => n.spec.op === 'conv2d' || n.spec.op === 'dense')
    .map((n) => n.name)
    .filter((n) => mainNodeOf(graph, chainNameOf(graph, n)) === n);
}

function consumers(graph: Graph, name: string): string[] {
  return graph.nodes.filter((n) => n.inputs.includes(name)).map((n) => n.name);
}

function checkInner(graph: Graph, inner: GraphNode, next: GraphNode): void {
  const used = consumers(graph, inner.name);
  const outputs = [graph.output, ...Object.values(graph.extraOutputs ?? {})];
  if (used.length !== 1 || used[0] !== next.name || outputs.includes(inner.name))
    fail(`'${inner.name}' must feed only '${next.name}', it feeds [${used.join(', ')}]`);
  if (next.inputs.length !== 1) fail(`'${next.name}' must have one input`);
  if (inner.spec.op !== next.spec.op)
    fail(`'${inner.name}' (${inner.spec.op}) and '${next.name}' (${next.spec.op}) differ in op`);
}

/** The nodes of layer `name` (checked: 1×1 bases without bias, single-consumer links). */
export function chainNodes(graph: Graph, name: string): ChainNodes {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const last = byName.get(name);
  layerSpec(last, `'${name}'`);
  let core = last!;
  let basisOut: GraphNode | null = null;
  const coreNode = byName.get(`${name}${CORE_SUFFIX}`);
  if (coreNode) {
    layerSpec(coreNode, `'${coreNode.name}'`);
    if (!isPointwise(last!.spec)) fail(`'${name}' follows '${coreNode.name}' but is not 1×1`);
    if (last!.inputs[0] !== coreNode.name) fail(`'${name}' must read '${coreNode.name}'`);
    if (dims(coreNode.spec as LayerSpec).bias) fail(`'${coreNode.name}' must have no bias`);
    checkInner(graph, coreNode, last!);
    core = coreNode;
    basisOut = last!;
  }
  const bin = byName.get(`${name}${IN_SUFFIX}`) ?? null;
  if (bin) {
    layerSpec(bin, `'${bin.name}'`);
    if (!isPointwise(bin.spec) || dims(bin.spec as LayerSpec).bias)
      fail(`'${bin.name}' must be 1×1 without bias`);
    if (core.inputs[0] !== bin.name) fail(`'${core.name}' must read '${bin.name}'`);
    checkInner(graph, bin, core);
  }
  return { basisIn: bin, core, basisOut };
}

function weightOf(weights: Weights, node: string): Float32Array {
  const w = weights.get(`${node}.weight`);
  if (!w) fail(`weights lack '${node}.weight'`);
  return w.data;
}

/** W[t][o][i] (float64 [taps][out][in]) of a conv2d / dense node in tfjs layout. */
function readTaps(w: Float32Array, taps: number, cin: number, cout: number): Float64Array {
  const out = new Float64Array(taps * cout * cin);
  for (let t = 0; t < taps; t++)
    for (let i = 0; i < cin; i++)
      for (let o = 0; o < cout; o++) out[(t * cout + o) * cin + i] = w[(t * cin + i) * cout + o]!;
  return out;
}

function writeTaps(m: Float64Array, taps: number, cin: number, cout: number): Float32Array {
  const w = new Float32Array(taps * cin * cout);
  for (let t = 0; t < taps; t++)
    for (let i = 0; i < cin; i++)
      for (let o = 0; o < cout; o++) w[(t * cin + i) * cout + o] = m[(t * cout + o) * cin + i]!;
  return w;
}

/** Shape of layer `name` as the graph has it (no weights needed). */
export interface ChainDims {
  name: string;
  /** The main (k×k) node's name. */
  main: string;
  form: ChainForm;
  spec: LayerSpec;
  kernel: number;
  taps: number;
  cIn: number;
  cOut: number;
  p: number;
  q: number;
  hasBias: boolean;
  /** Weights now (biases aside). */
  params: number;
}

export function chainDims(graph: Graph, name: string): ChainDims {
  const n = chainNodes(graph, name);
  const spec = n.core.spec as LayerSpec;
  const c = dims(spec);
  const last = dims((n.basisOut ?? n.core).spec as LayerSpec);
  const form = formOf(n);
  const d = {
    taps: c.k * c.k,
    cIn: n.basisIn ? dims(n.basisIn.spec as LayerSpec).cin : c.cin,
    cOut: last.cout,
  };
  return {
    name,
    main: n.core.name,
    form,
    spec,
    kernel: c.k,
    ...d,
    p: c.cin,
    q: c.cout,
    hasBias: last.bias,
    params: formParams(form, d, c.cin, c.cout),
  };
}

export function readChain(graph: Graph, weights: Weights, name: string): LayerChain {
  const n = chainNodes(graph, name);
  const d = chainDims(graph, name);
  const bias = d.hasBias ? weights.get(`${name}.bias`)?.data : null;
  if (bias === undefined) fail(`weights lack '${name}.bias'`);
  return {
    name,
    spec: d.spec,
    cIn: d.cIn,
    cOut: d.cOut,
    taps: d.taps,
    p: d.p,
    q: d.q,
    basisIn: n.basisIn ? readTaps(weightOf(weights, n.basisIn.name), 1, d.cIn, d.p) : null,
    core: readTaps(weightOf(weights, n.core.name), d.taps, d.p, d.q),
    basisOut: n.basisOut ? readTaps(weightOf(weights, name), 1, d.q, d.cOut) : null,
    bias: bias ? Float32Array.from(bias) : null,
  };
}

export function formOf(c: { basisIn: unknown; basisOut: unknown }): ChainForm {
  if (c.basisIn && c.basisOut) return 'tucker';
  if (c.basisIn) return 'basis-in';
  return c.basisOut ? 'basis-out' : 'plain';
}

/** Weights of a layer in `form` with inner widths p (input side) and q (output side). */
export function formParams(
  form: ChainForm,
  d: Pick<LayerChain, 'cIn' | 'cOut' | 'taps'>,
  p: number,
  q: number,
): number {
  switch (form) {
    case 'plain':
      return d.taps * d.cIn * d.cOut;
    case 'basis-in':
      return d.cIn * p + d.taps * p * d.cOut;
    case 'basis-out':
      return d.taps * d.cIn * q + q * d.cOut;
    case 'tucker':
      return d.cIn * p + d.taps * p * q + q * d.cOut;
  }
}

/** Weights of the chain now (biases aside). */
export function chainParams(c: LayerChain): number {
  return formParams(formOf(c), c, c.p, c.q);
}

/** Forms by node count: ties in cost go to the simpler one. */
export const CHAIN_FORMS: readonly ChainForm[] = ['plain', 'basis-in', 'basis-out', 'tucker'];

/** The cheapest of `forms` (in CHAIN_FORMS order on ties) for inner widths p and q. */
export function cheapestForm(
  d: Pick<LayerChain, 'cIn' | 'cOut' | 'taps'>,
  p: number,
  q: number,
  forms: readonly ChainForm[] = CHAIN_FORMS,
): { form: ChainForm; params: number } {
  let best: { form: ChainForm; params: number } | null = null;
  for (const form of CHAIN_FORMS) {
    if (!forms.includes(form)) continue;
    const params = formParams(form, d, p, q);
    if (!best || params < best.params) best = { form, params };
  }
  if (!best) fail('no form to choose from');
  return best;
}

/** The forms collapseChain can turn `c` into (its bases or fewer). */
export function reachableForms(c: Pick<LayerChain, 'basisIn' | 'basisOut'>): ChainForm[] {
  return CHAIN_FORMS.filter(
    (f) =>
      (c.basisIn || (f !== 'basis-in' && f !== 'tucker')) &&
      (c.basisOut || (f !== 'basis-out' && f !== 'tucker')),
  );
}

/**
 * The same linear map in `form`, reached by multiplying bases into the core (a basis can be
 * merged, not recovered: `form`'s bases must be a subset of the chain's).
 */
export function collapseChain(c: LayerChain, form: ChainForm): LayerChain {
  const wantIn = form === 'basis-in' || form === 'tucker';
  const wantOut = form === 'basis-out' || form === 'tucker';
  if ((wantIn && !c.basisIn) || (wantOut && !c.basisOut))
    fail(`'${c.name}' (${formOf(c)}) cannot become '${form}'`);
  let { core, p, q } = c;
  if (!wantOut && c.basisOut) {
    const next = new Float64Array(c.taps * c.cOut * p);
    for (let t = 0; t < c.taps; t++)
      next.set(
        matMul(c.basisOut, core.subarray(t * q * p, (t + 1) * q * p), c.cOut, q, p),
        t * c.cOut * p,
      );
    [core, q] = [next, c.cOut];
  }
  if (!wantIn && c.basisIn) {
    const next = new Float64Array(c.taps * q * c.cIn);
    for (let t = 0; t < c.taps; t++)
      next.set(
        matMul(core.subarray(t * q * p, (t + 1) * q * p), c.basisIn, q, p, c.cIn),
        t * q * c.cIn,
      );
    [core, p] = [next, c.cIn];
  }
  return {
    ...c,
    core,
    p,
    q,
    basisIn: wantIn ? c.basisIn : null,
    basisOut: wantOut ? c.basisOut : null,
  };
}

/** The layer's effective weights W_t, [taps][c_out][c_in]. */
export function effectiveWeights(c: LayerChain): Float64Array {
  return collapseChain(c, 'plain').core;
}

function pointwiseSpec(s: LayerSpec, cin: number, cout: number, bias: boolean): LayerSpec {
  return s.op === 'dense'
    ? { op: 'dense', inFeatures: cin, outFeatures: cout, bias }
    : { ...s, inChannels: cin, outChannels: cout, kernel: 1, stride: 1, padding: 'valid', bias };
}

function coreSpec(s: LayerSpec, cin: number, cout: number, bias: boolean): LayerSpec {
  return s.op === 'dense'
    ? { op: 'dense', inFeatures: cin, outFeatures: cout, bias }
    : { ...s, inChannels: cin, outChannels: cout, bias };
}

function shapeOf(s: LayerSpec, cin: number, cout: number): number[] {
  return s.op === 'dense' ? [cin, cout] : [s.kernel, s.kernel, cin, cout];
}

function checkChain(c: LayerChain): void {
  const want = (what: string, a: Float64Array | null, n: number) => {
    if (a && a.length !== n) fail(`'${c.name}': ${what} has ${a.length} values, expected ${n}`);
  };
  want('basisIn', c.basisIn, c.p * c.cIn);
  want('core', c.core, c.taps * c.q * c.p);
  want('basisOut', c.basisOut, c.cOut * c.q);
  if (!c.basisIn && c.p !== c.cIn)
    fail(`'${c.name}': p = ${c.p} ≠ c_in = ${c.cIn} without basisIn`);
  if (!c.basisOut && c.q !== c.cOut)
    fail(`'${c.name}': q = ${c.q} ≠ c_out = ${c.cOut} without basisOut`);
  if (c.bias && c.bias.length !== c.cOut) fail(`'${c.name}': bias has ${c.bias.length} values`);
}

/**
 * `graph` with layer `c.name` (in whatever form it has there) replaced by the chain `c`: its
 * nodes take the place of the old last node, the first reads the old first node's inputs.
 * Inputs are not modified; other tensors are shared.
 */
export function writeChain(graph: Graph, weights: Weights, c: LayerChain): PrunedNetwork {
  checkChain(c);
  const old = chainNodes(graph, c.name);
  const oldNodes = [old.basisIn, old.core, old.basisOut].filter((n): n is GraphNode => n !== null);
  const oldNames = new Set(oldNodes.map((n) => n.name));
  const inputs = [...oldNodes[0]!.inputs];
  const s = c.spec;
  const hasBias = c.bias !== null;
  const fresh: { node: GraphNode; weight: TensorData }[] = [];
  const add = (
    name: string,
    spec: LayerSpec,
    m: Float64Array,
    taps: number,
    cin: number,
    cout: number,
  ) => {
    const prev = fresh.at(-1)?.node.name;
    fresh.push({
      node: { name, inputs: prev ? [prev] : inputs, spec },
      weight: { shape: shapeOf(spec, cin, cout), data: writeTaps(m, taps, cin, cout) },
    });
  };
  if (c.basisIn)
    add(`${c.name}${IN_SUFFIX}`, pointwiseSpec(s, c.cIn, c.p, false), c.basisIn, 1, c.cIn, c.p);
  const coreName = c.basisOut ? `${c.name}${CORE_SUFFIX}` : c.name;
  add(coreName, coreSpec(s, c.p, c.q, hasBias && !c.basisOut), c.core, c.taps, c.p, c.q);
  if (c.basisOut) add(c.name, pointwiseSpec(s, c.q, c.cOut, hasBias), c.basisOut, 1, c.q, c.cOut);
  for (const f of fresh)
    if (!oldNames.has(f.node.name) && graph.nodes.some((n) => n.name === f.node.name))
      fail(`node '${f.node.name}' already exists`);
  const nodes = graph.nodes.flatMap((n): GraphNode[] =>
    n.name === c.name ? fresh.map((f) => f.node) : oldNames.has(n.name) ? [] : [n],
  );
  const out: Weights = new Map(weights);
  for (const n of oldNames) {
    out.delete(`${n}.weight`);
    out.delete(`${n}.bias`);
  }
  for (const f of fresh) out.set(`${f.node.name}.weight`, f.weight);
  if (c.bias) out.set(`${c.name}.bias`, { shape: [c.cOut], data: Float32Array.from(c.bias) });
  const g: Graph = { ...graph, nodes };
  inferShapes(g);
  checkWeights(g, out);
  return { graph: g, weights: out };
}
