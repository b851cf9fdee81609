/**
 * Activation calibration for SigmaMax (the seed's profiling pass): for every layer whose input is
 * quantized, the mean and unbiased std of that input tensor (over all its values) per batch,
 * smoothed by an exponential moving average, ema ← 0.9·ema + 0.1·batch (the first batch sets it),
 * over recipe.calibrationBatches (default 8) batches; then bp from λ = recipe.activationLambda
 * (default 18). Eval mode (BN running statistics), through forward's inputHook; activations are
 * not quantized during calibration (the seed quantizes each one with its running bp as it goes; at
 * λ = 18 that barely moves downstream statistics). One download per batch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { forward, type ParamLookup } from '../../graph/forward';
import type { Graph, GraphNode } from '../../graph/ir';
import type { Recipe } from '../../score/recipe';
import {
  activationLambda,
  checkLayerBitsNames,
  DEFAULT_CALIBRATION_BATCHES,
  quantizedInputs,
} from './layer-bits';
import type { TensorQuant } from './quantize-weights';
import { sigmaMaxBinaryPoint } from './sigma-max';

export const CALIBRATION_MOMENTUM = 0.9;

/** A layer input's quantizer and the statistics it came from. */
export interface ActivationQuant extends TensorQuant {
  mean: number;
  std: number;
}

export interface CalibrateOptions {
  graph: Graph;
  params: ParamLookup;
  /** Input batches x [N,H,W,C] (the caller owns them); the first calibrationBatches are used. */
  batches: Iterable<tf.Tensor4D>;
  recipe: Recipe;
}

/** [mean, unbiased std] of all values of x: float32 [2]. */
function meanStd(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const mean = tf.mean(x);
    const n = x.size;
    const sq = tf.sum(tf.square(tf.sub(x, mean)));
    const std = n > 1 ? tf.sqrt(tf.div(sq, n - 1)) : tf.scalar(0);
    return tf.stack([mean, std]) as tf.Tensor1D;
  });
}

/** One eval forward; layer name → [mean, std] of its input in this batch. */
async function batchStats(
  o: CalibrateOptions,
  x: tf.Tensor4D,
  layers: ReadonlyMap<string, number>,
): Promise<Map<string, [number, number]>> {
  const names: string[] = [];
  const kept: tf.Tensor[] = [];
  const inputHook = (node: GraphNode, ins: tf.Tensor[]) => {
    if (layers.has(node.name)) {
      names.push(node.name);
      kept.push(tf.keep(meanStd(ins[0]!)));
    }
    return ins;
  };
  let packed: tf.Tensor | undefined;
  try {
    const r = forward(o.graph, o.params, x, { training: false, inputHook });
    tf.dispose([r.output, ...Object.values(r.extra)]);
    packed = tf.concat(kept);
    const v = await packed.data();
    return new Map(names.map((name, i) => [name, [v[2 * i]!, v[2 * i + 1]!]]));
  } finally {
    tf.dispose([...kept, ...(packed ? [packed] : [])]);
  }
}

/** Layer → { bits, bp, mean, std } for every layer whose input the recipe quantizes. */
export async function calibrateActivations(
  o: CalibrateOptions,
): Promise<Record<string, ActivationQuant>> {
  checkLayerBitsNames(o.graph, o.recipe);
  const layers = quantizedInputs(o.graph, o.recipe);
  if (layers.size === 0) return {};
  const limit = o.recipe.calibrationBatches ?? DEFAULT_CALIBRATION_BATCHES;
  const ema = new Map<string, [number, number]>();
  const it = o.batches[Symbol.iterator]();
  let seen = 0;
  try {
    while (seen < limit) {
      const next = it.next();
      if (next.done) break;
      for (const [name, [mean, std]] of await batchStats(o, next.value, layers)) {
        const prev = ema.get(name);
        const m = CALIBRATION_MOMENTUM;
        ema.set(
          name,
          prev ? [m * prev[0] + (1 - m) * mean, m * prev[1] + (1 - m) * std] : [mean, std],
        );
      }
      seen++;
    }
  } finally {
    it.return?.();
  }
  if (seen === 0) {
    throw new Error(
      `calibrateActivations: no batches given, but ${layers.size} layer input(s) are quantized (e.g. '${[...layers.keys()][0]}')`,
    );
  }
  return toQuant(layers, ema, activationLambda(o.recipe));
}

function toQuant(
  layers: ReadonlyMap<string, number>,
  ema: ReadonlyMap<string, [number, number]>,
  lambda: number,
): Record<string, ActivationQuant> {
  const out: Record<string, ActivationQuant> = {};
  for (const [name, bits] of layers) {
    const s = ema.get(name);
    if (!s) throw new Error(`calibrateActivations: layer '${name}' never ran`);
    const [mean, std] = s;
    out[name] = { bits, bp: sigmaMaxBinaryPoint(mean, std, bits, lambda), mean, std };
  }
  return out;
}
