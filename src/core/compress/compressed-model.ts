/**
 * Between the lab and the compressed checkpoint (io/compressed, docs/COMPRESSED_FORMAT.md):
 * - compressedData: compressNetwork's result → the data a file stores (graph, weights as they
 *   run, quantizers, the pruning masks — stored sparse exactly where the score counts a layer
 *   sparse: the layer's weights had zeros before quantization), recipe and info;
 * - compressedNetwork: data (e.g. read back from a file) → a runnable eval-only network: the
 *   stored weights plus the stored activation quantizers on each layer's input, the same
 *   computation as compressNetwork's model, so it predicts exactly what was exported;
 * - scoreCompressed: the MicroNet score of what a file holds (its stored recipe with the
 *   sparsity already applied: each layer's sparsity is its mask's).
 */
import { Network } from '../graph/network';
import type { CompressedModelData } from '../io/compressed/format';
import { buildScoreTable } from '../score/score-table';
import { scoreNetwork, type ScoreResult } from '../score/score-network';
import { validateRecipe, type Recipe } from '../recipe';
import type { EvaluableNetwork } from '../train/evaluate-network';
import type { CompressedNetwork } from './apply-recipe';
import { activationHook, hookedRunner } from './quant';
import { hasEarlyExit, scoreModel } from './score-model';
import { prunableLayers, zeroMasks } from './sparsity';

/** What compressNetwork(net, recipe) computed, as a compressed checkpoint stores it. */
export function compressedData(
  c: CompressedNetwork,
  recipe: Recipe,
  info: Record<string, unknown> = {},
): CompressedModelData {
  const masks: Record<string, Uint8Array> = {};
  for (const [layer, mask] of zeroMasks(c.graph, c.sparseWeights)) masks[`${layer}.weight`] = mask;
  return {
    graph: c.graph,
    weights: c.weights,
    weightQuant: { ...(c.quantized?.weightQuant ?? {}) },
    activationQuant: { ...(c.quantized?.activationQuant ?? {}) },
    masks,
    recipe: validateRecipe(recipe),
    info,
  };
}

export interface CompressedRunnable extends EvaluableNetwork {
  dispose(): void;
}

/** An eval-only network running `data` (caller disposes it). */
export function compressedNetwork(data: CompressedModelData): CompressedRunnable {
  const net = Network.fromWeights(data.graph, data.weights);
  return {
    ...hookedRunner(net, activationHook(data.activationQuant), 'a compressed network'),
    dispose: () => net.dispose(),
  };
}

/** Layer → share of pruned entries of its mask (0 for layers stored dense). */
export function maskLayerSparsity(data: CompressedModelData): Record<string, number> {
  const out: Record<string, number> = {};
  for (const layer of prunableLayers(data.graph)) {
    const mask = data.masks?.[`${layer}.weight`];
    out[layer] = mask ? mask.filter((m) => m === 0).length / mask.length : 0;
  }
  return out;
}

export interface ScoreCompressedOptions {
  /** Score under this recipe instead (as for any checkpoint: its sparsity prunes further). */
  recipe?: Recipe;
  exitRate?: number;
  detail?: boolean;
}

/**
 * Score of a compressed checkpoint's network. Default: its stored recipe, the sparsity fields
 * dropped (already applied) and each layer's sparsity taken from its mask, so the parameter
 * storage is what the file stores. With `o.recipe`: scoreModel on the stored weights.
 */
export function scoreCompressed(
  data: CompressedModelData,
  o: ScoreCompressedOptions = {},
): ScoreResult {
  const exitRate = hasEarlyExit(data.graph) ? (o.exitRate ?? 0) : undefined;
  if (o.exitRate !== undefined && exitRate === undefined) {
    throw new Error(
      `exit rate ${o.exitRate} given but '${data.graph.name}' has no early-exit head`,
    );
  }
  if (o.recipe)
    return scoreModel(data.graph, data.weights, o.recipe, { exitRate, detail: o.detail });
  const recipe: Recipe = { ...validateRecipe(data.recipe) };
  delete recipe.sparsity;
  delete recipe.layerSparsity;
  return scoreNetwork(buildScoreTable(data.graph), recipe, {
    layerSparsity: maskLayerSparsity(data),
    exitRate,
    detail: o.detail ?? true,
  });
}
