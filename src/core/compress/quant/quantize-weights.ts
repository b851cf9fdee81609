/**
 * Post-training fixed-point quantization of a graph's parameters (the seed's weight quantizer:
 * one binary point per tensor from that tensor's own mean and std, λ = recipe.lambda ?? 10; or,
 * per recipe.weightGranularity / quantMethod, one per output channel and / or the least-squared-
 * error exponent, exponents.ts; per channel covers biases and BN shifts too): each
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
import type { QuantMethod, Recipe } from '../../recipe';
import {
  bnWeightBits,
  checkLayerBitsNames,
  isLayer,
  NOT_QUANTIZED,
  weightBitsOf,
  weightLambda,
} from './layer-bits';
import { channelBinaryPoints, chooseBinaryPoint, quantizeChannels } from './exponents';
import { quantizeValues } from './sigma-max';

import type { TensorQuant } from '../../io/compressed/quant-params';

/** Width and binary point(s) of one quantized tensor (io/compressed/quant-params.ts). */
export type { TensorQuant };

/** How one tensor is quantized: width, exponent method, and channels (1 = per tensor). */
export interface TensorQuantSpec {
  bits: number;
  lambda: number;
  method?: QuantMethod;
  /** Output channels for per-channel exponents; undefined = one exponent per tensor. */
  channels?: number;
}

export interface QuantizedWeights {
  /** The input graph with every batch norm in affine form (eps 0). */
  graph: Graph;
  /** Every entry of the input; quantized ones and batch norms replaced by new arrays. */
  weights: Weights;
  /** Parameter name → its quantizer, for the quantized parameters only. */
  weightQuant: Record<string, TensorQuant>;
}

/** Quantizes one tensor (new data) and reports its binary point(s). */
export function quantizeTensor(
  t: TensorData,
  spec: TensorQuantSpec,
): { tensor: TensorData; quant: TensorQuant } {
  const { bits } = spec;
  const choice = { bits, lambda: spec.lambda, method: spec.method ?? 'sigmamax' } as const;
  const shape = [...t.shape];
  if (spec.channels === undefined) {
    const bp = chooseBinaryPoint(t.data, choice);
    return { tensor: { shape, data: quantizeValues(t.data, bits, bp) }, quant: { bits, bp } };
  }
  const channelBp = channelBinaryPoints(t.data, spec.channels, choice);
  const bp = Math.min(...channelBp);
  const data = quantizeChannels(t.data, bits, channelBp);
  return { tensor: { shape, data }, quant: { bits, bp, channelBp } };
}

/** Output channels of a layer's (or BN's) weight: the last axis of its channel-last layout. */
export function outChannelsOf(node: GraphNode): number {
  const s = node.spec;
  switch (s.op) {
    case 'conv2d':
      return s.outChannels;
    case 'depthwise2d':
    case 'batchnorm':
      return s.channels;
    case 'dense':
      return s.outFeatures;
    default:
      throw new Error(`'${node.name}' (${s.op}) has no output channels to quantize by`);
  }
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
  spec: TensorQuantSpec,
  out: Weights,
  weightQuant: Record<string, TensorQuant>,
): void {
  const bits = spec.bits;
  if (node.spec.op !== 'batchnorm') return;
  const c = node.spec.channels;
  const p = (kind: string) => get(weights, `${node.name}.${kind}`);
  const [beta, mean] = [p('bias'), p('running_mean')];
  let { scale } = affineParams(p('weight'), beta, mean, p('running_var'), node.spec.eps);
  let shift: TensorData = { shape: [c], data: affineShift(beta, mean, scale) };
  if (bits !== NOT_QUANTIZED) {
    const s = quantizeTensor({ shape: [c], data: scale }, spec);
    scale = s.tensor.data;
    const t = quantizeTensor({ shape: [c], data: affineShift(beta, mean, scale) }, spec);
    shift = t.tensor;
    weightQuant[`${node.name}.weight`] = s.quant;
    weightQuant[`${node.name}.bias`] = t.quant;
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
  const method = recipe.quantMethod ?? 'sigmamax';
  const perChannel = recipe.weightGranularity === 'channel';
  const specOf = (node: GraphNode, bits: number): TensorQuantSpec => ({
    bits,
    lambda,
    method,
    channels: perChannel ? outChannelsOf(node) : undefined,
  });
  const out: Weights = new Map(weights);
  const weightQuant: Record<string, TensorQuant> = {};
  for (const node of graph.nodes) {
    if (node.spec.op === 'batchnorm') {
      quantizeBatchNorm(node, weights, specOf(node, bnWeightBits(recipe)), out, weightQuant);
      continue;
    }
    if (!isLayer(node)) continue;
    const bits = weightBitsOf(recipe, node.name);
    if (bits === NOT_QUANTIZED) continue;
    for (const p of nodeParams(node)) {
      if (p.kind !== 'weight' && p.kind !== 'bias') continue;
      const t = weights.get(p.name);
      if (!t) throw new Error(`quantizeWeights: weights lack '${p.name}'`);
      // Per channel: the bias too (one exponent per value). One exponent for a whole bias
      // vector breaks BN-folded biases, which span orders of magnitude (OSI: 76 % → 22 %).
      const { tensor, quant } = quantizeTensor(t, specOf(node, bits));
      out.set(p.name, tensor);
      weightQuant[p.name] = quant;
    }
  }
  return { graph: affineBatchNormGraph(graph), weights: out, weightQuant };
}
