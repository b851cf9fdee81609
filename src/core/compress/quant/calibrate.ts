/**
 * Activation calibration for SigmaMax (the seed's profiling pass): for every layer whose input is
 * quantized, the mean and unbiased std of that input tensor (over all its values) per batch,
 * smoothed by an exponential moving average, ema ← 0.9·ema + 0.1·batch (the first batch sets it),
 * over recipe.calibrationBatches (default 8) batches; then bp from λ = recipe.activationLambda
 * (default 18) — or, with recipe.activationMethod (default quantMethod) 'mse', the bp minimising the squared error on a
 * strided sample of each input (MSE_SAMPLE values per batch; exponents.ts); with
 * recipe.activationZeroPoint, the (bp, zero point) of unsigned codes minimising that error. Eval mode (BN running statistics), through forward's inputHook; activations are
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
import { mseAsymmetric, mseBinaryPoint } from './exponents';
import { sigmaMaxBinaryPoint } from './sigma-max';

export const CALIBRATION_MOMENTUM = 0.9;
/** Values kept per layer input and batch for the MSE exponent search (a strided sample). */
export const MSE_SAMPLE = 16384;

/** A layer input's quantizer and the statistics it came from. */
export interface ActivationQuant extends TensorQuant {
  mean: number;
  std: number;
  /** Unsigned codes with this zero point (recipe.activationZeroPoint); else signed. */
  zeroPoint?: number;
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

/** Every ⌈n / MSE_SAMPLE⌉-th value of x (flattened), for the MSE exponent search. */
function sample(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const stride = Math.max(1, Math.ceil(x.size / MSE_SAMPLE));
    return tf.stridedSlice(tf.reshape(x, [-1]), [0], [x.size], [stride]) as tf.Tensor1D;
  });
}

/** One layer input's statistics in one batch (sample only for the MSE method). */
interface InputStats {
  mean: number;
  std: number;
  sample?: Float32Array;
}

/** One eval forward; layer name → statistics of its input in this batch. */
async function batchStats(
  o: CalibrateOptions,
  x: tf.Tensor4D,
  layers: ReadonlyMap<string, number>,
  withSample: boolean,
): Promise<Map<string, InputStats>> {
  const names: string[] = [];
  const kept: tf.Tensor[] = [];
  const samples: tf.Tensor[] = [];
  const inputHook = (node: GraphNode, ins: tf.Tensor[]) => {
    if (layers.has(node.name)) {
      names.push(node.name);
      kept.push(tf.keep(meanStd(ins[0]!)));
      if (withSample) samples.push(tf.keep(sample(ins[0]!)));
    }
    return ins;
  };
  let packed: tf.Tensor | undefined;
  try {
    const r = forward(o.graph, o.params, x, { training: false, inputHook });
    tf.dispose([r.output, ...Object.values(r.extra)]);
    packed = tf.concat(kept);
    const v = await packed.data();
    const sampled = await Promise.all(samples.map((t) => t.data() as Promise<Float32Array>));
    return new Map(
      names.map((name, i) => {
        return [name, { mean: v[2 * i]!, std: v[2 * i + 1]!, sample: sampled[i] }];
      }),
    );
  } finally {
    tf.dispose([...kept, ...samples, ...(packed ? [packed] : [])]);
  }
}

/** Running calibration state of one layer input. */
interface Running {
  mean: number;
  std: number;
  samples: Float32Array[];
}

function update(prev: Running | undefined, b: InputStats): Running {
  const m = CALIBRATION_MOMENTUM;
  const samples = [...(prev?.samples ?? []), ...(b.sample ? [b.sample] : [])];
  if (!prev) return { mean: b.mean, std: b.std, samples };
  return {
    mean: m * prev.mean + (1 - m) * b.mean,
    std: m * prev.std + (1 - m) * b.std,
    samples,
  };
}

/** Layer → { bits, bp, mean, std } for every layer whose input the recipe quantizes. */
export async function calibrateActivations(
  o: CalibrateOptions,
): Promise<Record<string, ActivationQuant>> {
  checkLayerBitsNames(o.graph, o.recipe);
  const layers = quantizedInputs(o.graph, o.recipe);
  if (layers.size === 0) return {};
  const limit = o.recipe.calibrationBatches ?? DEFAULT_CALIBRATION_BATCHES;
  const mse = (o.recipe.activationMethod ?? o.recipe.quantMethod) === 'mse';
  const ema = new Map<string, Running>();
  const it = o.batches[Symbol.iterator]();
  let seen = 0;
  try {
    while (seen < limit) {
      const next = it.next();
      if (next.done) break;
      for (const [name, stats] of await batchStats(o, next.value, layers, mse)) {
        ema.set(name, update(ema.get(name), stats));
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
  return toQuant(
    layers,
    ema,
    activationLambda(o.recipe),
    mse,
    o.recipe.activationZeroPoint === true,
  );
}

function concatSamples(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function toQuant(
  layers: ReadonlyMap<string, number>,
  ema: ReadonlyMap<string, Running>,
  lambda: number,
  mse: boolean,
  zeroPoint: boolean,
): Record<string, ActivationQuant> {
  const out: Record<string, ActivationQuant> = {};
  for (const [name, bits] of layers) {
    const s = ema.get(name);
    if (!s) throw new Error(`calibrateActivations: layer '${name}' never ran`);
    const { mean, std } = s;
    if (zeroPoint) {
      out[name] = { bits, ...mseAsymmetric(concatSamples(s.samples), bits), mean, std };
      continue;
    }
    const bp = mse
      ? mseBinaryPoint(concatSamples(s.samples), bits)
      : sigmaMaxBinaryPoint(mean, std, bits, lambda);
    out[name] = { bits, bp, mean, std };
  }
  return out;
}
