/**
 * Parameters of a graph computed from its specs alone (no tensors): names, tfjs-layout shapes,
 * trainability; counting; and seeded initialisation matching the seed project (He et al. 2015
 * normal init for convs, N(0, sqrt(2 / (k·k·out))); BN weight 1 / bias 0, running mean 0 /
 * var 1; dense PyTorch-default U(±1/sqrt(in)) for weight and bias).
 */
import type { Graph, GraphNode, OpName, Weights } from './ir';
import { makeRng, randNormal, type Rng } from '../util/rng';

export type ParamKind = 'weight' | 'bias' | 'running_mean' | 'running_var';

export interface ParamInfo {
  /** PyTorch-style name `${node}.${kind}`. */
  name: string;
  node: string;
  op: OpName;
  kind: ParamKind;
  /** tfjs layout (see ir.ts). */
  shape: number[];
  /** false for BN running statistics (buffers). */
  trainable: boolean;
}

function info(node: GraphNode, kind: ParamKind, shape: number[]): ParamInfo {
  const trainable = kind === 'weight' || kind === 'bias';
  return {
    name: `${node.name}.${kind}`,
    node: node.name,
    op: node.spec.op,
    kind,
    shape,
    trainable,
  };
}

/** Parameters and buffers of one node, in state_dict order (weight, bias, running stats). */
export function nodeParams(node: GraphNode): ParamInfo[] {
  const s = node.spec;
  switch (s.op) {
    case 'conv2d': {
      const w = info(node, 'weight', [s.kernel, s.kernel, s.inChannels, s.outChannels]);
      return s.bias ? [w, info(node, 'bias', [s.outChannels])] : [w];
    }
    case 'depthwise2d': {
      const w = info(node, 'weight', [s.kernel, s.kernel, s.channels, 1]);
      return s.bias ? [w, info(node, 'bias', [s.channels])] : [w];
    }
    case 'dense': {
      const w = info(node, 'weight', [s.inFeatures, s.outFeatures]);
      return s.bias ? [w, info(node, 'bias', [s.outFeatures])] : [w];
    }
    case 'batchnorm':
      return (['weight', 'bias', 'running_mean', 'running_var'] as const).map((k) =>
        info(node, k, [s.channels]),
      );
    default:
      return [];
  }
}

/** Every parameter and buffer of the graph, in node order. */
export function listParams(graph: Graph): ParamInfo[] {
  return graph.nodes.flatMap(nodeParams);
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Learnable parameters (conv/dense weights and biases, BN affine); running stats excluded. */
export function countParams(graph: Graph): number {
  return listParams(graph)
    .filter((p) => p.trainable)
    .reduce((sum, p) => sum + sizeOf(p.shape), 0);
}

function fill(n: number, f: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f();
  return a;
}

function initValues(p: ParamInfo, spec: GraphNode['spec'], rng: Rng): Float32Array {
  const n = sizeOf(p.shape);
  if (p.kind === 'running_mean') return new Float32Array(n);
  if (p.kind === 'running_var' || (p.op === 'batchnorm' && p.kind === 'weight'))
    return new Float32Array(n).fill(1);
  if (spec.op === 'dense') {
    const bound = 1 / Math.sqrt(spec.inFeatures);
    return fill(n, () => (2 * rng() - 1) * bound);
  }
  if (p.kind === 'bias') return new Float32Array(n); // conv / depthwise / BN bias
  const [k, , , out] = p.shape as [number, number, number, number];
  const fanOut = spec.op === 'depthwise2d' ? k * k * spec.channels : k * k * out;
  const std = Math.sqrt(2 / fanOut);
  return fill(n, () => randNormal(rng) * std);
}

/** Fresh weights for every parameter and buffer, reproducible from `seed`. */
export function initWeights(graph: Graph, seed: number): Weights {
  const rng = makeRng(seed);
  const specs = new Map(graph.nodes.map((n) => [n.name, n.spec]));
  const weights: Weights = new Map();
  for (const p of listParams(graph)) {
    weights.set(p.name, { shape: [...p.shape], data: initValues(p, specs.get(p.node)!, rng) });
  }
  return weights;
}
