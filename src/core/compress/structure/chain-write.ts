/** Writing a layer chain back into a graph, replacing the layer's nodes and weights. */
import type { Graph, GraphNode, TensorData, Weights } from '../../graph/ir';
import { checkWeights } from '../../graph/network';
import { inferShapes } from '../../graph/shapes';
import { chainNodes } from './chain-read';
import type { LayerChain, LayerSpec } from './chain-types';
import { CORE_SUFFIX, IN_SUFFIX, fail } from './chain-types';
import type { PrunedNetwork } from './prune-channels';

function writeTaps(m: Float64Array, taps: number, cin: number, cout: number): Float32Array {
  const w = new Float32Array(taps * cin * cout);
  for (let t = 0; t < taps; t++)
    for (let i = 0; i < cin; i++)
      for (let o = 0; o < cout; o++) w[(t * cin + i) * cout + o] = m[(t * cout + o) * cin + i]!;
  return w;
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
