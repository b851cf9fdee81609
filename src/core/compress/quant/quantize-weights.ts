/**
 * Post-training SigmaMax quantization of a graph's parameters (the seed's weight quantizer: one
 * binary point per tensor from that tensor's own mean and std, λ = recipe.lambda ?? 10): each
 * layer's weight and bias at the layer's weight bits; anything at 32 bits stays float.
 * Each batch norm still in the graph (not folded) becomes its per-channel affine
 * (graph/affine-batchnorm.ts: weight = scale, bias = shift, running mean 0 / var 1, eps 0 in the
 * returned graph) — the 2C values the MicroNet score counts — quantized at recipe.weightBits
 * scale first: s_q = q(γ/sqrt(σ²+ε)), then the shift from the quantized scale, t_q = q(β − μ·s_q),
 * so a channel whose scale clamps (near-constant input, tiny σ²) still outputs ≈ β around its
 * mean instead of the clamped scale times μ.
 * Pass a BN-folded graph (graph/inference-graph.ts) to quantize the folded weights.
 */
import { affineBatchNormGraph, affineParams, affineShift } from '../../graph/affine-batchnorm';
import type { Graph, GraphNode, TensorData, Weights } from '../../graph/ir';
import { nodeParams } from '../../graph/params';
import type { Recipe } from '../../score/recipe';
import {
  bnWeightBits,
  checkLayerBitsNames,
  isLayer,
  NOT_QUANTIZED,
  weightBitsOf,
  weightLambda,
} from './layer-bits';
import { quantizeValues, sigmaMaxBinaryPoint, tensorStats } from './sigma-max';

/** Width and binary point of one quantized tensor: values are k·2^−bp, |k| ≤ 2^(bits−1). */
export interface TensorQuant {
  bits: number;
  bp: number;
}

export interface QuantizedWeights {
  /** The input graph with every batch norm in affine form (eps 0). */
  graph: Graph;
  /** Every entry of the input; quantized ones and batch norms replaced by new arrays. */
  weights: Weights;
  /** Parameter name → its quantizer, for the quantized parameters only. */
  weightQuant: Record<string, TensorQuant>;
}

/** SigmaMax-quantizes one tensor (new data) and reports its binary point. */
export function quantizeTensor(
  t: TensorData,
  bits: number,
  lambda: number,
): { tensor: TensorData; bp: number } {
  const { mean, std } = tensorStats(t.data);
  const bp = sigmaMaxBinaryPoint(mean, std, bits, lambda);
  return { tensor: { shape: [...t.shape], data: quantizeValues(t.data, bits, bp) }, bp };
}

function get(weights: Weights, name: string): Float32Array {
  const t = weights.get(name);
  if (!t) throw new Error(`quantizeWeights: weights lack '${name}'`);
  return t.data;
}

/** One batch norm in affine form, quantized scale first when bits < 32 (see the header). */
function quantizeBatchNorm(
  node: GraphNode,
  weights: Weights,
  bits: number,
  lambda: number,
  out: Weights,
  weightQuant: Record<string, TensorQuant>,
): void {
  if (node.spec.op !== 'batchnorm') return;
  const c = node.spec.channels;
  const p = (kind: string) => get(weights, `${node.name}.${kind}`);
  const [beta, mean] = [p('bias'), p('running_mean')];
  let { scale } = affineParams(p('weight'), beta, mean, p('running_var'), node.spec.eps);
  let shift: TensorData = { shape: [c], data: affineShift(beta, mean, scale) };
  if (bits !== NOT_QUANTIZED) {
    const s = quantizeTensor({ shape: [c], data: scale }, bits, lambda);
    scale = s.tensor.data;
    const t = quantizeTensor({ shape: [c], data: affineShift(beta, mean, scale) }, bits, lambda);
    shift = t.tensor;
    weightQuant[`${node.name}.weight`] = { bits, bp: s.bp };
    weightQuant[`${node.name}.bias`] = { bits, bp: t.bp };
  }
  out.set(`${node.name}.weight`, { shape: [c], data: scale });
  out.set(`${node.name}.bias`, shift);
  out.set(`${node.name}.running_mean`, { shape: [c], data: new Float32Array(c) });
  out.set(`${node.name}.running_var`, { shape: [c], data: new Float32Array(c).fill(1) });
}

/** See the header; `weights` is not modified. */
export function quantizeWeights(graph: Graph, weights: Weights, recipe: Recipe): QuantizedWeights {
  checkLayerBitsNames(graph, recipe);
  const lambda = weightLambda(recipe);
  const out: Weights = new Map(weights);
  const weightQuant: Record<string, TensorQuant> = {};
  for (const node of graph.nodes) {
    if (node.spec.op === 'batchnorm') {
      quantizeBatchNorm(node, weights, bnWeightBits(recipe), lambda, out, weightQuant);
      continue;
    }
    if (!isLayer(node)) continue;
    const bits = weightBitsOf(recipe, node.name);
    if (bits === NOT_QUANTIZED) continue;
    for (const p of nodeParams(node)) {
      if (p.kind !== 'weight' && p.kind !== 'bias') continue;
      const t = weights.get(p.name);
      if (!t) throw new Error(`quantizeWeights: weights lack '${p.name}'`);
      const { tensor, bp } = quantizeTensor(t, bits, lambda);
      out.set(p.name, tensor);
      weightQuant[p.name] = { bits, bp };
    }
  }
  return { graph: affineBatchNormGraph(graph), weights: out, weightQuant };
}
