/**
 * QAT with frozen, folded batch norms (recipe.fineTune.freezeBatchNorm; Jacob et al. 2018 §3.2,
 * Krishnamoorthi 2018 §2.6 "batch norm folding with frozen statistics"): the training forward
 * runs the graph quantizeNetwork deploys. Each BN that inference-graph.ts folds is folded into
 * its conv from the live tensors — s = γ / sqrt(σ²_running + ε), W' = W·s per output channel,
 * b' = (b − μ_running)·s + β — and W', b' are fake-quantized at the conv's bits with the
 * exponents the deployed network gets for them. Gradients reach W, γ and β through the fold;
 * the running statistics stay fixed (no batch statistics, so a batch of a few images cannot
 * disturb them, and micro-batching is exact). Without this, QAT trains the unfolded weights
 * against noise the deployed, folded weights never see.
 */
import * as tf from '@tensorflow/tfjs-core';
import { foldBatchNormStructure, foldWeights } from '../../graph/inference-graph';
import type { Graph, GraphNode, Weights } from '../../graph/ir';
import type { Network } from '../../graph/network';

export interface FoldedBn {
  /** The graph with the foldable BNs folded into their convs (convs gain a bias). */
  graph: Graph;
  /** Conv name → the BN folded into it. */
  folds: ReadonlyMap<string, GraphNode>;
}

export function foldedBn(graph: Graph): FoldedBn {
  return foldBatchNormStructure(graph);
}

function bnOf(
  folds: ReadonlyMap<string, GraphNode>,
  conv: string,
): GraphNode & { spec: { eps: number } } {
  const bn = folds.get(conv);
  if (!bn || bn.spec.op !== 'batchnorm') throw new Error(`QAT: '${conv}' has no folded batch norm`);
  return bn as GraphNode & { spec: { eps: number } };
}

/** s = γ / sqrt(σ² + ε) as a tensor (differentiable in γ). */
function foldScale(net: Network, bn: GraphNode & { spec: { eps: number } }): tf.Tensor {
  const g = net.getTensor(`${bn.name}.weight`);
  return tf.div(g, tf.sqrt(tf.add(net.getTensor(`${bn.name}.running_var`), bn.spec.eps)));
}

/**
 * Folded parameter `name` (`conv.weight` or `conv.bias` of a folded conv) computed from the live
 * tensors, or undefined for any other name.
 */
export function foldedParam(
  net: Network,
  folds: ReadonlyMap<string, GraphNode>,
  name: string,
): tf.Tensor | undefined {
  const dot = name.lastIndexOf('.');
  const conv = name.slice(0, dot);
  if (!folds.has(conv)) return undefined;
  const bn = bnOf(folds, conv);
  const s = foldScale(net, bn);
  const node = net.graph.nodes.find((n) => n.name === conv)!;
  if (name.slice(dot + 1) === 'weight') {
    const w = net.getTensor(name); // conv [kh, kw, cIn, cOut]; depthwise [kh, kw, C, 1]
    return tf.mul(w, node.spec.op === 'depthwise2d' ? tf.reshape(s, [-1, 1]) : s);
  }
  const hasBias = 'bias' in node.spec && node.spec.bias === true;
  const mean = net.getTensor(`${bn.name}.running_mean`);
  const centred = hasBias ? tf.sub(net.getTensor(`${conv}.bias`), mean) : tf.neg(mean);
  return tf.add(tf.mul(centred, s), net.getTensor(`${bn.name}.bias`));
}

/** The folded weights and biases on the CPU (inference-graph.ts's arithmetic), for exponents. */
export function foldedValues(
  net: Network,
  folds: ReadonlyMap<string, GraphNode>,
): Map<string, Float32Array> {
  const weights: Weights = net.toWeights();
  const byName = new Map(net.graph.nodes.map((n) => [n.name, n]));
  const out = new Map<string, Float32Array>();
  for (const [conv, bn] of folds) {
    const [w, b] = foldWeights(byName.get(conv)!, bn, weights);
    out.set(`${conv}.weight`, w.data);
    out.set(`${conv}.bias`, b.data);
  }
  return out;
}
