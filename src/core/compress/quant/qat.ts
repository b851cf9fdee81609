/**
 * Quantization-aware fine-tuning (recipe.fineTune.qat; Jacob et al. 2018 §3 "training with
 * simulated quantization", straight-through estimator as in Hubara et al. 2016): the network's
 * float weights stay the trained variables, and every training forward
 * - fake-quantizes each quantized parameter with SigmaMax, its binary point recomputed from the
 *   current weights on every step (on the device; fake-quant.ts fakeQuantSteSigmaMax), and
 * - fake-quantizes each quantized layer input with the calibrated, fixed { bits, bp },
 * with clipped-STE gradients. Which parameters: as quantize-weights.ts, on the unfolded graph —
 * with foldBN (default) the batch norms that inference-graph.ts folds stay float here (they are
 * folded into the conv, and that product quantized, by quantizeNetwork after fine-tuning); the
 * others at recipe.weightBits. BN uses batch statistics in training as usual.
 */
import type * as tf from '@tensorflow/tfjs-core';
import {
  forward,
  type BnBatchStats,
  type ForwardResult,
  type ParamLookup,
} from '../../graph/forward';
import type { Graph, GraphNode } from '../../graph/ir';
import type { Network } from '../../graph/network';
import { nodeParams } from '../../graph/params';
import type { Recipe } from '../../score/recipe';
import type { BnStats, TrainableModel, TrainForward } from '../../train/types';
import type { Rng } from '../../util/rng';
import { own } from '../../score/resolve';
import { fakeQuantSte, fakeQuantSteSigmaMax } from './fake-quant';
import {
  bnWeightBits,
  checkLayerBitsNames,
  isLayer,
  NOT_QUANTIZED,
  weightBitsOf,
  weightLambda,
} from './layer-bits';
import type { TensorQuant } from './quantize-weights';

export interface QatModel extends TrainableModel {
  /** Parameter name → bits of the parameters fake-quantized in the forward. */
  readonly quantizedParams: ReadonlyMap<string, number>;
  /** Eval-mode forward with the same fake quantization (early-exit evaluation). */
  forward(x: tf.Tensor4D, opts: { training: false }): ForwardResult;
}

/**
 * Batch norms that inference-graph.ts folds: input is a conv2d / depthwise2d whose only consumer
 * is this BN (and which is no graph output). Mirrors its foldablePairs; a test keeps them equal.
 */
export function foldedBatchNorms(graph: Graph): Set<string> {
  const uses = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of [graph.output, ...Object.values(graph.extraOutputs ?? {})]) uses.set(o, Infinity);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const out = new Set<string>();
  for (const n of graph.nodes) {
    if (n.spec.op !== 'batchnorm') continue;
    const src = byName.get(n.inputs[0]!);
    const op = src?.spec.op;
    if ((op === 'conv2d' || op === 'depthwise2d') && uses.get(src!.name) === 1) out.add(n.name);
  }
  return out;
}

function paramBits(node: GraphNode, recipe: Recipe, folded: Set<string>): number {
  if (isLayer(node)) return weightBitsOf(recipe, node.name);
  if (node.spec.op === 'batchnorm' && !folded.has(node.name)) return bnWeightBits(recipe);
  return NOT_QUANTIZED;
}

/** Parameter name → bits for every weight / bias that QAT fake-quantizes. */
export function qatParamBits(graph: Graph, recipe: Recipe): Map<string, number> {
  checkLayerBitsNames(graph, recipe);
  const folded = (recipe.foldBN ?? true) ? foldedBatchNorms(graph) : new Set<string>();
  const out = new Map<string, number>();
  for (const node of graph.nodes) {
    const bits = paramBits(node, recipe, folded);
    if (bits === NOT_QUANTIZED) continue;
    for (const p of nodeParams(node))
      if (p.kind === 'weight' || p.kind === 'bias') out.set(p.name, bits);
  }
  return out;
}

/** `net` as a TrainableModel whose forward simulates the recipe's quantization (see header). */
export function qatModel(
  net: Network,
  recipe: Recipe,
  activationQuant: Record<string, TensorQuant>,
): QatModel {
  const bits = qatParamBits(net.graph, recipe);
  const lambda = weightLambda(recipe);
  const lookup: ParamLookup = (name) => {
    const t = net.lookup().get(name);
    const b = bits.get(name);
    return t && b !== undefined ? fakeQuantSteSigmaMax(t, b, lambda) : t;
  };
  const inputHook = (node: GraphNode, inputs: tf.Tensor[]) => {
    const q = own(activationQuant, node.name);
    return q ? inputs.map((t) => fakeQuantSte(t, q.bits, q.bp)) : inputs;
  };
  const evalForward = (x: tf.Tensor4D, opts: { training: false }): ForwardResult => {
    if (opts.training !== false)
      throw new Error(
        `qatModel.forward is eval-only (use forwardTrain), got training ${opts.training}`,
      );
    return forward(net.graph, lookup, x, { training: false, inputHook });
  };
  return {
    quantizedParams: bits,
    trainableVariables: () => net.trainableVariables(),
    trainableNames: () => net.trainableNames(),
    forwardTrain(x: tf.Tensor4D, rng: Rng): TrainForward {
      const r = forward(net.graph, lookup, x, { training: true, rng, inputHook });
      return { logits: r.output, bnBatchStats: r.bnBatchStats };
    },
    applyBnUpdates: (stats: ReadonlyMap<string, BnStats>) =>
      net.applyBnUpdates(stats as ReadonlyMap<string, BnBatchStats>),
    forward: evalForward,
    predict(x: tf.Tensor4D): tf.Tensor {
      const { output, extra } = evalForward(x, { training: false });
      for (const t of Object.values(extra)) if (t !== output) t.dispose();
      return output;
    },
  };
}
