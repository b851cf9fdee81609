/**
 * Plain data of the Score panel's sensitivity view and recipe planner, as it crosses the
 * main-thread ↔ worker boundary. The report and plan mirror core/compress/sensitivity and
 * core/compress/plan (SensitivityReport, PlanResult): sensitivity-service.ts hands the core's
 * results over as they are, and the compiler checks there that the shapes still agree. No tfjs
 * imports: the main thread imports these types only.
 */
import type { Recipe } from '../core/score/recipe.ts';

/** One candidate (a width or a sparsity) applied to one layer: loss and top-1 on the slice. */
export interface SensitivityPoint {
  value: number;
  loss: number;
  top1: number;
}

export interface LayerSensitivity {
  layer: string;
  op: string;
  params: number;
  /** One point per candidate weight width (the other layers as in the base recipe). */
  bits: SensitivityPoint[];
  /** One point per candidate sparsity. */
  sparsity: SensitivityPoint[];
  /** Hutchinson estimate of the layer's Hessian trace (when asked for). */
  hessianTrace?: number;
  /** Second-order (HAWQ-v2) estimate: trace / params × ‖ΔW‖² / 2 at each width. */
  secondOrder?: { bits: number; deltaLoss: number }[];
}

export interface SensitivityReport {
  /** Validation records measured. */
  n: number;
  /** The base recipe's loss and top-1 on those records. */
  base: { loss: number; top1: number };
  layers: LayerSensitivity[];
  /** The base recipe the layers were varied from. */
  recipe: Recipe;
  seconds: number;
}

/** What "Measure sensitivity" asks for (sensitivity-service.ts). */
export interface SensitivityRequest {
  /** The first `images` test records (the validation slice). */
  images: number;
  /** Base recipe: every layer but the one measured stays as here. */
  recipe: Recipe;
  batchSize?: number;
  /** Candidate widths and sparsities (the core's defaults when absent). */
  bits?: number[];
  sparsities?: number[];
  /** Hessian-trace estimate: Hutchinson probes on `batches` batches; false = skip it. */
  hessian?: { probes: number; batches: number } | false;
}

/** The report plus where it was measured. */
export interface SensitivityResult extends SensitivityReport {
  /** Changes with every report; a plan names the report it used. */
  reportId: number;
  /** Split the activation quantizers were calibrated on. */
  calibratedOn: 'train' | 'test';
}

/** What "Find a recipe" asks for: a target score or an accuracy floor (exactly one). */
export interface PlanRequest {
  /** Id of the sensitivity report to plan with (the worker refuses another one). */
  reportId: number;
  targetScore?: number;
  /** Lowest predicted top-1 accepted, a fraction in (0, 1]. */
  accuracyFloor?: number;
  /** Early-exit rate to count with (networks with an exit head). */
  exitRate?: number;
  /** Recipe the plan starts from (counting profile, activation bits, BN folding, …). */
  base?: Recipe;
  bitsChoices?: number[];
  sparsityChoices?: number[];
  allocation?: 'sensitivity' | 'uniform';
}

export interface PlannedLayer {
  layer: string;
  weightBits: number;
  /** EXTRA sparsity: the share of the layer's remaining non-zeros pruned (see PlanResponse). */
  sparsity: number;
  /** Predicted loss increase of this layer at these settings. */
  deltaLoss: number;
}

export interface PlanResult {
  recipe: Recipe;
  score: number;
  /** False when no choice meets the target: the recipe is the closest one found. */
  feasible: boolean;
  predictedTop1: number;
  predictedLossIncrease: number;
  layers: PlannedLayer[];
}

/** The plan plus what the main thread needs to edit it exactly as the planner encodes it. */
export interface PlanResponse extends PlanResult {
  /**
   * Zero fraction each prunable layer has under the base recipe: a row's extra sparsity e is
   * written to recipe.layerSparsity as the final target z + e·(1 − z).
   */
  baseSparsity: Record<string, number>;
}
