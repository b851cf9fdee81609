/**
 * Activation calibration for SigmaMax (the seed's profiling pass): for every layer whose input is
 * quantized, the mean and unbiased std of that input tensor (over all its values) per batch,
 * smoothed by an exponential moving average, ema ← 0.9·ema + 0.1·batch (the first batch sets it),
 * over recipe.calibrationBatches (default 8) batches; then bp from λ = recipe.activationLambda
 * (default 18) — or, with recipe.activationMethod (default quantMethod) 'mse', the bp minimising the squared error on a
 * strided sample of each input (calibration-stats.ts MSE_SAMPLE values per batch; exponents.ts); with
 * recipe.activationZeroPoint, the (bp, zero point) of unsigned codes minimising that error. Eval mode (BN running statistics), through forward's inputHook; activations are
 * not quantized during calibration (the seed quantizes each one with its running bp as it goes; at
 * λ = 18 that barely moves downstream statistics). One download per batch (per micro-batch where
 * a batch runs in parts: calibration-stats.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ParamLookup } from '../../graph/forward';
import type { Graph } from '../../graph/ir';
import type { Recipe } from '../../recipe';
import type { MicroBatchOptions } from '../../train/pass-memory';
import { batchStats, type InputStats } from './calibration-stats';
import {
  activationLambda,
  checkLayerBitsNames,
  DEFAULT_CALIBRATION_BATCHES,
  quantizedInputs,
} from './layer-bits';
import type { ActivationQuant } from '../../io/compressed/quant-params';
import { mseAsymmetric, mseBinaryPoint } from './exponents';
import { sigmaMaxBinaryPoint } from './sigma-max';
import { yieldToEventLoop } from '../../util/yield';

export const CALIBRATION_MOMENTUM = 0.9;

/** A layer input's quantizer and the statistics it came from (io/compressed/quant-params.ts). */
export type { ActivationQuant };

/** A batch larger than one forward may hold runs as micro-batches (calibration-stats.ts). */
export interface CalibrateOptions extends MicroBatchOptions {
  graph: Graph;
  params: ParamLookup;
  /** Input batches x [N,H,W,C] (the caller owns them); the first calibrationBatches are used. */
  batches: Iterable<tf.Tensor4D>;
  recipe: Recipe;
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
      await yieldToEventLoop();
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
