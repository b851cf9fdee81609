/**
 * Eval-only rewrite of a graph and its weights into an equivalent, faster one (same outputs up
 * to float32 rounding; only for forward in eval mode, never for training):
 * - batch-norm folding (Jacob et al. 2018, §3.2): a conv2d / depthwise2d whose only consumer is
 *   a batchnorm becomes one conv with bias: s = γ / sqrt(σ² + ε), W' = W · s (per output
 *   channel), b' = (b − μ) · s + β. The BN node disappears; references to it (inputs, output,
 *   extra outputs) now name the conv.
 * - global average pooling becomes a full-window avgpool (+ flatten when keepDims is false):
 *   tfjs-backend-wasm's Mean over H, W transposes the tensor first; AvgPool does not.
 * Parameter names of the kept nodes are unchanged, so the result is not a checkpoint layout.
 */
import type { Graph, GraphNode, TensorData, Weights } from './ir';
import { Network } from './network';
import { nodeParams } from './params';
import { inferShapes, type ShapeMap } from './shapes';

function consumers(graph: Graph): Map<string, number> {
  const count = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) count.set(i, (count.get(i) ?? 0) + 1);
  for (const name of [graph.output, ...Object.values(graph.extraOutputs ?? {})])
    count.set(name, Number.POSITIVE_INFINITY);
  return count;
}

/** BN node name → conv node it folds into. */
function foldablePairs(graph: Graph): Map<string, GraphNode> {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const uses = consumers(graph);
  const pairs = new Map<string, GraphNode>();
  for (const n of graph.nodes) {
    if (n.spec.op !== 'batchnorm') continue;
    const conv = byName.get(n.inputs[0]!)!;
    const op = conv.spec.op;
    if ((op === 'conv2d' || op === 'depthwise2d') && uses.get(conv.name) === 1)
      pairs.set(n.name, conv);
  }
  return pairs;
}

function get(weights: Weights, name: string): TensorData {
  const w = weights.get(name);
  if (!w) throw new Error(`inferenceGraph: weights lack '${name}'`);
  return w;
}

/** W' and b' of a conv folded with the BN `bn` (weights in tfjs layout: channel = last index). */
export function foldWeights(
  conv: GraphNode,
  bn: GraphNode,
  weights: Weights,
): [TensorData, TensorData] {
  if (bn.spec.op !== 'batchnorm') throw new Error(`'${bn.name}' is not a batchnorm`);
  const c = bn.spec.channels;
  const gamma = get(weights, `${bn.name}.weight`).data;
  const beta = get(weights, `${bn.name}.bias`).data;
  const mean = get(weights, `${bn.name}.running_mean`).data;
  const variance = get(weights, `${bn.name}.running_var`).data;
  const hasBias = 'bias' in conv.spec && conv.spec.bias;
  const bias = hasBias ? get(weights, `${conv.name}.bias`).data : new Float32Array(c);
  const scale = new Float64Array(c);
  const b = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    scale[i] = gamma[i]! / Math.sqrt(variance[i]! + bn.spec.eps);
    b[i] = (bias[i]! - mean[i]!) * scale[i]! + beta[i]!;
  }
  const w = get(weights, `${conv.name}.weight`);
  const data = w.data.map((v, i) => v * scale[i % c]!);
  return [
    { shape: [...w.shape], data },
    { shape: [c], data: b },
  ];
}

/** globalavgpool → avgpool over the whole map (+ flatten), keeping the node's name. */
function windowPool(n: GraphNode, shapes: ShapeMap): GraphNode[] {
  if (n.spec.op !== 'globalavgpool') return [n];
  const [h, w] = shapes.get(n.inputs[0]!)!;
  if (h !== w) return [n];
  const spec = { op: 'avgpool', size: h!, stride: h!, ceil: false } as const;
  if (n.spec.keepDims) return [{ ...n, spec }];
  const pooled = `${n.name}.window`;
  return [
    { name: pooled, inputs: n.inputs, spec },
    { name: n.name, inputs: [pooled], spec: { op: 'flatten' } },
  ];
}

/**
 * Batch-norm folding as structure only: the graph without the folded BN nodes (their convs get a
 * bias; references renamed) and conv name → the BN folded into it. Parameter values are the
 * caller's (foldWeights on the CPU, or the same arithmetic on tensors, as QAT does).
 */
export function foldBatchNormStructure(graph: Graph): {
  graph: Graph;
  folds: Map<string, GraphNode>;
} {
  const pairs = foldablePairs(graph);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const folds = new Map([...pairs].map(([bn, conv]) => [conv.name, byName.get(bn)!]));
  const rename = (name: string) => pairs.get(name)?.name ?? name;
  const nodes: GraphNode[] = [];
  for (const n of graph.nodes) {
    if (pairs.has(n.name)) continue;
    const node: GraphNode = { ...n, inputs: n.inputs.map(rename) };
    if (folds.has(n.name) && (n.spec.op === 'conv2d' || n.spec.op === 'depthwise2d'))
      node.spec = { ...n.spec, bias: true };
    nodes.push(node);
  }
  const extra = Object.entries(graph.extraOutputs ?? {}).map(([k, v]) => [k, rename(v)]);
  const g: Graph = { ...graph, nodes, output: rename(graph.output) };
  if (graph.extraOutputs) g.extraOutputs = Object.fromEntries(extra);
  return { graph: g, folds };
}

/** The rewritten graph (name unchanged) and its weights; inputs are not modified. */
export function inferenceGraph(graph: Graph, weights: Weights): { graph: Graph; weights: Weights } {
  const shapes = inferShapes(graph);
  const pairs = foldablePairs(graph);
  const folded = new Map([...pairs].map(([bn, conv]) => [conv.name, bn]));
  const rename = (name: string) => pairs.get(name)?.name ?? name;
  const nodes: GraphNode[] = [];
  const out: Weights = new Map();
  for (const n of graph.nodes) {
    if (pairs.has(n.name)) continue;
    const bn = folded.get(n.name);
    const node: GraphNode = { ...n, inputs: n.inputs.map(rename) };
    if (bn && (n.spec.op === 'conv2d' || n.spec.op === 'depthwise2d')) {
      node.spec = { ...n.spec, bias: true };
      const bnNode = graph.nodes.find((m) => m.name === bn)!;
      const [w, b] = foldWeights(n, bnNode, weights);
      out.set(`${n.name}.weight`, w).set(`${n.name}.bias`, b);
    } else {
      for (const p of nodeParams(n)) out.set(p.name, get(weights, p.name));
    }
    nodes.push(...windowPool(node, shapes));
  }
  const extra = Object.entries(graph.extraOutputs ?? {}).map(([k, v]) => [k, rename(v)]);
  const g: Graph = { ...graph, nodes, output: rename(graph.output) };
  if (graph.extraOutputs) g.extraOutputs = Object.fromEntries(extra);
  inferShapes(g);
  return { graph: g, weights: out };
}

/** A new Network (the caller disposes it) computing `net`'s eval outputs faster. */
export async function inferenceNetwork(net: Network): Promise<Network> {
  const { graph, weights } = inferenceGraph(net.graph, await net.toWeightsAsync());
  return Network.fromWeights(graph, weights);
}
