/**
 * The MicroNet score of a concrete network (graph + weights) under a recipe: the weights decide
 * each layer's effective sparsity (its own zeros, the global magnitude threshold of
 * `recipe.sparsity`, per-layer targets — exactly as the pruning will apply them), then the pure
 * counter (src/core/score) does the rest. Used by the CLI `score` command and the worker.
 */
import type { Graph, Weights } from '../graph/ir';
import { buildScoreTable, type ScoreTable } from '../score/score-table';
import { scoreNetwork, type ScoreResult } from '../score/score-network';
import { validateRecipe, type Recipe } from '../recipe';
import { layerZeroFractions, magnitudeMasks, maskSparsity } from './sparsity';

export interface ScoreModelOptions {
  /** Early-exit rate in [0, 1] for a network with an exit head (default 0: every image runs the full path). */
  exitRate?: number;
  detail?: boolean;
  /** A table built earlier for this graph (saves the shape pass). */
  table?: ScoreTable;
}

export function hasEarlyExit(graph: Graph): boolean {
  return graph.extraOutputs?.exit !== undefined;
}

/** Effective per-layer sparsity of `weights` under the recipe's magnitude pruning. */
export function effectiveLayerSparsity(
  graph: Graph,
  weights: Weights,
  recipe: Recipe,
): Record<string, number> {
  const prunes = (recipe.sparsity ?? 0) > 0 || Object.keys(recipe.layerSparsity ?? {}).length > 0;
  if (!prunes) return layerZeroFractions(graph, weights);
  return maskSparsity(magnitudeMasks(graph, weights, recipe));
}

export function scoreModel(
  graph: Graph,
  weights: Weights,
  recipeIn: Recipe,
  o: ScoreModelOptions = {},
): ScoreResult {
  const recipe = validateRecipe(recipeIn);
  const table = o.table ?? buildScoreTable(graph);
  const layerSparsity = effectiveLayerSparsity(graph, weights, recipe);
  const exitRate = hasEarlyExit(graph) ? (o.exitRate ?? 0) : undefined;
  if (o.exitRate !== undefined && exitRate === undefined) {
    throw new Error(`exit rate ${o.exitRate} given but '${graph.name}' has no early-exit head`);
  }
  return scoreNetwork(table, recipe, { layerSparsity, exitRate, detail: o.detail ?? true });
}
