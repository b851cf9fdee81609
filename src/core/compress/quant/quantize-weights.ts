/**
 * Post-training SigmaMax quantization of a graph's parameters (the seed's weight quantizer: one
 * binary point per tensor from that tensor's own mean and std, λ = recipe.lambda ?? 10): each
 * layer's weight and bias at the layer's weight bits, each batch norm still in the graph (not
 * folded) at recipe.weightBits; running statistics and anything at 32 bits are left as they are.
 * Pass a BN-folded graph (graph/inference-graph.ts) to quantize the folded weights.
 */
import type { Graph, TensorData, Weights } from '../../graph/ir';
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
  /** Every entry of the input; quantized ones replaced by new arrays. */
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

function paramBits(op: string, node: string, recipe: Recipe): number {
  if (op === 'batchnorm') return bnWeightBits(recipe);
  return weightBitsOf(recipe, node);
}

/** See the header; `weights` is not modified. */
export function quantizeWeights(graph: Graph, weights: Weights, recipe: Recipe): QuantizedWeights {
  checkLayerBitsNames(graph, recipe);
  const lambda = weightLambda(recipe);
  const out: Weights = new Map(weights);
  const weightQuant: Record<string, TensorQuant> = {};
  for (const node of graph.nodes) {
    if (!isLayer(node) && node.spec.op !== 'batchnorm') continue;
    const bits = paramBits(node.spec.op, node.name, recipe);
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
  return { weights: out, weightQuant };
}
