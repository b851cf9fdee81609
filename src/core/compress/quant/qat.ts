/**
 * Quantization-aware fine-tuning (recipe.fineTune.qat; Jacob et al. 2018 §3 "training with
 * simulated quantization", straight-through estimator as in Hubara et al. 2016): the network's
 * float weights stay the trained variables, and every training forward
 * - fake-quantizes each quantized parameter with the recipe's exponents, per tensor or per output
 *   channel (qat-weights.ts: SigmaMax recomputed from the current weights on the device every
 *   step; least-squared-error exponents computed on the CPU and held between refreshes), and
 * - fake-quantizes each quantized layer input with the calibrated, fixed { bits, bp, zeroPoint? },
 * with clipped-STE gradients (per channel: each channel's own clamp range). Sparsity masks are
 * the caller's (TrainOptions.afterStep re-applies them; a zero weight quantizes to 0). Which parameters: as quantize-weights.ts, on the unfolded graph —
 * with foldBN (default) the batch norms that inference-graph.ts folds stay float here (they are
 * folded into the conv, and that product quantized, by quantizeNetwork after fine-tuning); the
 * others at recipe.weightBits. BN uses batch statistics in training as usual. The eval forward
 * runs those quantized batch norms as quantizeNetwork deploys them (quantize-weights.ts): in
 * affine form, s_q = fq(γ/sqrt(σ²+ε)) and shift fq(β − μ·s_q).
 */
import * as tf from '@tensorflow/tfjs-core';
import { affineBatchNormGraph } from '../../graph/affine-batchnorm';
import {
  forward,
  type BnBatchStats,
  type ForwardResult,
  type ParamLookup,
} from '../../graph/forward';
import type { Graph, GraphNode } from '../../graph/ir';
import type { Network } from '../../graph/network';
import { nodeParams } from '../../graph/params';
import type { Recipe } from '../../recipe';
import type { BnStats, MicroBatchPart, TrainableModel, TrainForward } from '../../train/types';
import type { Rng } from '../../util/rng';
import { own } from '../../score/resolve';
import { fakeQuantSte } from './fake-quant';
import {
  bnWeightBits,
  checkLayerBitsNames,
  isLayer,
  NOT_QUANTIZED,
  weightBitsOf,
} from './layer-bits';
import { foldedBn, foldedParam } from './qat-folded';
import { qatWeightQuant, type QatWeightQuant } from './qat-weights';
import type { TensorQuant } from './quantize-weights';

export interface QatModel extends TrainableModel {
  /** Parameter name → bits of the parameters fake-quantized in the forward. */
  readonly quantizedParams: ReadonlyMap<string, number>;
  /** Eval-mode forward with the same fake quantization (early-exit evaluation). */
  forward(x: tf.Tensor4D, opts: { training: false }): ForwardResult;
  /** Where the weight exponents come from: 'device' (SigmaMax) or 'held' (MSE, CPU). */
  readonly exponents: 'device' | 'held';
  /**
   * Held exponents: recompute them from the current weights now (e.g. after weights were
   * changed outside training). Eval forwards already do so after any training forward.
   */
  refreshExponents(): void;
}

export interface QatOptions {
  /** Held (MSE) exponents: training forwards between CPU refreshes (default 100). */
  refreshEvery?: number;
  /**
   * Frozen batch norms (recipe.fineTune.freezeBatchNorm): BNs use their running statistics, and
   * those that deployment folds are folded into their convs and quantized as deployed
   * (qat-folded.ts), in training and eval forwards alike.
   */
  freezeBatchNorm?: boolean;
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

/**
 * Eval lookup of the quantized batch norms in affine form (running mean 0, var 1 and a graph
 * with eps 0 complete it): the tensor version of affine-batchnorm.ts's float32 arithmetic.
 */
function affineBnLookup(
  net: Network,
  other: (name: string) => tf.Tensor | undefined,
  bns: ReadonlyMap<string, number>,
  wq: QatWeightQuant,
): (name: string) => tf.Tensor | undefined {
  const get = (name: string) => net.getTensor(name);
  const scale = (bn: string, eps: number) =>
    wq.affine(
      `${bn}.weight`,
      tf.div(get(`${bn}.weight`), tf.sqrt(tf.add(get(`${bn}.running_var`), eps))),
    );
  return (name) => {
    const dot = name.lastIndexOf('.');
    const bn = name.slice(0, dot);
    const eps = bns.get(bn);
    if (eps === undefined) return other(name);
    const s = scale(bn, eps);
    switch (name.slice(dot + 1)) {
      case 'weight':
        return s;
      case 'bias':
        return wq.affine(name, tf.sub(get(name), tf.mul(get(`${bn}.running_mean`), s)));
      case 'running_mean':
        return tf.zerosLike(s);
      default:
        return tf.onesLike(s);
    }
  };
}

/** `net` as a TrainableModel whose forward simulates the recipe's quantization (see header). */
export function qatModel(
  net: Network,
  recipe: Recipe,
  activationQuant: Record<string, TensorQuant & { zeroPoint?: number }>,
  opts: QatOptions = {},
): QatModel {
  const fold = opts.freezeBatchNorm ? foldedBn(net.graph) : null;
  const bits = qatParamBits(net.graph, recipe);
  for (const conv of fold?.folds.keys() ?? []) {
    const b = bits.get(`${conv}.weight`);
    if (b !== undefined) bits.set(`${conv}.bias`, b); // deployed: the layer's bits, as the weight
  }
  const bns = new Map<string, number>();
  for (const n of net.graph.nodes)
    if (n.spec.op === 'batchnorm' && bits.has(`${n.name}.weight`)) bns.set(n.name, n.spec.eps);
  const wq = qatWeightQuant(net, recipe, bits, bns, opts.refreshEvery, fold?.folds);
  const lookup: ParamLookup = (name) => {
    const t = (fold && foldedParam(net, fold.folds, name)) ?? net.lookup().get(name);
    return t && bits.has(name) ? wq.param(name, t) : t;
  };
  const inputHook = (node: GraphNode, inputs: tf.Tensor[]) => {
    const q = own(activationQuant, node.name);
    return q ? inputs.map((t) => fakeQuantSte(t, q.bits, q.bp, q.zeroPoint)) : inputs;
  };
  const evalGraph = affineBatchNormGraph(fold?.graph ?? net.graph, bns);
  const evalLookup = affineBnLookup(net, lookup, bns, wq);
  const evalForward = (x: tf.Tensor4D, opts: { training: false }): ForwardResult => {
    if (opts.training !== false)
      throw new Error(
        `qatModel.forward is eval-only (use forwardTrain), got training ${opts.training}`,
      );
    wq.beforeEvalForward();
    return forward(evalGraph, evalLookup, x, { training: false, inputHook });
  };
  return {
    quantizedParams: bits,
    exponents: wq.exponents,
    refreshExponents: () => wq.refresh(),
    footprint: { graph: net.graph, quantAware: true },
    trainableVariables: () => net.trainableVariables(),
    trainableNames: () => net.trainableNames(),
    forwardTrain(x: tf.Tensor4D, rng: Rng, part?: MicroBatchPart): TrainForward {
      // once per optimizer step: the parts of a micro-batched step share the same weights
      if ((part?.index ?? 0) === 0) wq.beforeTrainForward();
      const r = fold
        ? forward(evalGraph, evalLookup, x, {
            training: true,
            rng,
            inputHook,
            frozenBatchNorm: true,
          })
        : forward(net.graph, lookup, x, { training: true, rng, inputHook });
      return { logits: r.output, extra: r.extra, bnBatchStats: r.bnBatchStats };
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
