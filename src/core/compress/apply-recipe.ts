/**
 * A recipe applied to a copy of a network, for measurement and export: magnitude sparsity
 * (masks from the weights: global threshold + per-layer targets), then SigmaMax fixed-point
 * quantization (BN folded, weights quantized per layer, activation quantizers calibrated on
 * training batches). The network passed in is never modified. The result is in the form a
 * compressed checkpoint stores (io/compressed), so what the lab measures is what gets exported:
 * BN folded (recipe.foldBN, default true) and any BN left in affine form, also without
 * quantization; with the 16-bit freebie (score/resolve.ts) every unquantized value rounded to
 * float16, the width the score counts.
 *   compressed = await compressNetwork(net, recipe, { calibration });   // → runs like a Network
 *   r = await evaluateRecipe(net, recipe, { source, calibration, batchSize, limit });
 * Early exit: an explicit `threshold` wins, else recipe.exitThreshold, else the network's own
 * (exit-threshold.ts: 0.85).
 */
import { Network } from '../graph/network';
import type { Weights } from '../graph/ir';
import type { EvalProgress } from '../train/evaluate';
import {
  evaluateNetwork,
  type EvaluableNetwork,
  type NetworkEvalResult,
} from '../train/evaluate-network';
import type { BatchSource, CancelSignal } from '../train/types';
import { minRecipeBits, validateRecipe, type Recipe } from '../recipe';
import { resolveBits } from '../score/resolve';
import { exitBlendOf, exitThresholdOf } from './exit-threshold';
import { quantizeNetwork, type QuantizedModel } from './quant';
import { effectiveLayerSparsity } from './score-model';
import { applyMasks, magnitudeMasks } from './sparsity';

export interface CompressedNetwork extends EvaluableNetwork {
  /** The sparse float weights, before quantization (graph of the original network). */
  readonly sparseWeights: Weights;
  /** The weights it runs (of `graph`): folded / affine BN, quantized or float16 as the recipe says. */
  readonly weights: Weights;
  /** Effective sparsity of every prunable layer after masking. */
  readonly layerSparsity: Record<string, number>;
  /** The quantized model, when the recipe quantizes anything. */
  readonly quantized: QuantizedModel | null;
  /** Early-exit threshold of the recipe (exitThresholdOf). */
  readonly exitThreshold: number;
  dispose(): void;
}

export interface CompressOptions {
  /** Training batches for the activation quantizers (needed when activations are quantized). */
  calibration?: BatchSource;
}

function prunes(recipe: Recipe): boolean {
  return (recipe.sparsity ?? 0) > 0 || Object.keys(recipe.layerSparsity ?? {}).length > 0;
}

/** Sparse (and quantized) copy of `net` under `recipe`. The caller disposes it. */
export async function compressNetwork(
  net: Network,
  recipeIn: Recipe,
  o: CompressOptions = {},
): Promise<CompressedNetwork> {
  const recipe = validateRecipe(recipeIn);
  const dense = await net.toWeightsAsync();
  const sparse = prunes(recipe)
    ? applyMasks(dense, magnitudeMasks(net.graph, dense, recipe))
    : dense;
  const layerSparsity = effectiveLayerSparsity(net.graph, sparse, {});
  const copy = Network.fromWeights(net.graph, sparse);
  try {
    const calibration = o.calibration ? { source: o.calibration } : undefined;
    const halfFloats = resolveBits(recipe).freebie;
    const q = await quantizeNetwork(copy, recipe, calibration, { halfFloats });
    return {
      graph: q.graph,
      sparseWeights: sparse,
      weights: q.weights,
      layerSparsity,
      quantized: minRecipeBits(recipe) < 32 ? q : null,
      exitThreshold: exitThresholdOf(recipe),
      forward: (x, opts) => q.forward(x, opts),
      predict: (x) => q.predict(x),
      dispose: () => q.dispose(),
    };
  } finally {
    copy.dispose();
  }
}

export interface RecipeEvalOptions {
  source: BatchSource;
  calibration?: BatchSource;
  batchSize: number;
  /** Early-exit threshold (default: recipe.exitThreshold, else 0.85). */
  threshold?: number;
  /** Early-exit blend weight (default: recipe.exitBlend, else 0). */
  blend?: number;
  signal?: CancelSignal;
  onProgress?: (p: EvalProgress) => void;
}

export type RecipeEvalResult = NetworkEvalResult & {
  layerSparsity: Record<string, number>;
  /** The early-exit threshold used. */
  exitThreshold: number;
  /** The early-exit blend weight used (0: the main head alone). */
  exitBlend: number;
};

/** Accuracy of `net` with the recipe's sparsity and quantization applied (net is unchanged). */
export async function evaluateRecipe(
  net: Network,
  recipe: Recipe,
  o: RecipeEvalOptions,
): Promise<RecipeEvalResult> {
  const c = await compressNetwork(net, recipe, { calibration: o.calibration });
  try {
    const threshold = exitThresholdOf(recipe, o.threshold);
    const blend = exitBlendOf(recipe, o.blend);
    const r = await evaluateNetwork(c, o.source, { ...o, threshold, blend });
    return { ...r, layerSparsity: c.layerSparsity, exitThreshold: threshold, exitBlend: blend };
  } finally {
    c.dispose();
  }
}
