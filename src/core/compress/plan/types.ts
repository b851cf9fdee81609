/** Types of the recipe planner (plan-recipe.ts). Plain data, as the worker and the CLI pass it. */
import type { Graph, Weights } from '../../graph/ir';
import type { Recipe } from '../../recipe';
import type { SensitivityReport } from '../sensitivity';

export type SparsityPlanAllocation = 'sensitivity' | 'uniform';

export interface PlanOptions {
  graph: Graph;
  weights: Weights;
  report: SensitivityReport;
  /** Exactly one of targetScore / accuracyFloor. */
  targetScore?: number;
  /** Lowest predicted top-1 (a fraction) the plan may reach. */
  accuracyFloor?: number;
  /** Early-exit rate for a network with an exit head (score-model.ts; default 0). */
  exitRate?: number;
  /** Kept in the output: activation bits, granularity, method, BN folding, counting profile … */
  base?: Recipe;
  /** Candidate weight widths (default every width 2–16 the report can predict). */
  bitsChoices?: number[];
  /** Candidate EXTRA sparsities (default [0, …measured]). */
  sparsityChoices?: number[];
  /** Per-layer sparsity chosen by sensitivity (default), or one extra share for every layer. */
  allocation?: SparsityPlanAllocation;
}

export interface PlannedLayer {
  layer: string;
  weightBits: number;
  /** Extra sparsity (share of the layer's non-zeros pruned); the recipe holds the final target. */
  sparsity: number;
  /** Predicted loss increase of this layer at these settings. */
  deltaLoss: number;
}

export interface PlanResult {
  recipe: Recipe;
  /** Score of `recipe` under its counting (official unless the base says 'seed'). */
  score: number;
  /** False when no choice meets the target / floor: `recipe` is then the closest one found. */
  feasible: boolean;
  predictedTop1: number;
  predictedLossIncrease: number;
  layers: PlannedLayer[];
}
