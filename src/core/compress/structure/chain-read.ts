/** Reading a layer chain out of a graph: its nodes, its shape, its weights (float64). */
import type { Graph, GraphNode, NodeSpec, Weights } from '../../graph/ir';
import { formOf, formParams } from './chain-forms';
import type { ChainDims, ChainNodes, LayerChain, LayerSpec } from './chain-types';
import { CORE_SUFFIX, IN_SUFFIX, dims, fail } from './chain-types';

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
