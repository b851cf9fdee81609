/**
 * Plain data of the Score panel's sensitivity view and recipe planner, as it crosses the
 * main-thread ↔ worker boundary. The report and plan are the core's own plain-data types
 * (core/compress/sensitivity and core/compress/plan), re-exported here:
 * worker/sensitivity-service.ts hands the core's results over as they are. Type-only imports: no tfjs reaches the main thread.
 */
import type { PlanOptions, PlanResult } from '../core/compress/plan/types';
import type { SensitivityOptions, SensitivityReport } from '../core/compress/sensitivity/types';
import type { Recipe } from '../core/recipe/index';

export type { PlannedLayer, PlanResult } from '../core/compress/plan/types';
export type {
  LayerSensitivity,
  SensitivityPoint,
  SensitivityReport,
} from '../core/compress/sensitivity/types';

/**
 * What "Measure sensitivity" asks for (sensitivity-service.ts): batch size, candidate widths and
 * sparsities, and the Hessian-trace estimate as the core takes them (its defaults when absent).
 */
export interface SensitivityRequest extends Pick<
  SensitivityOptions,
  'batchSize' | 'bits' | 'sparsities' | 'hessian'
> {
  /** The first `images` test records (the validation slice). */
  images: number;
  /** Base recipe: every layer but the one measured stays as here. */
  recipe: Recipe;
}

/** The report plus where it was measured. */
export interface SensitivityResult extends SensitivityReport {
  /** Changes with every report; a plan names the report it used. */
  reportId: number;
  /** Split the activation quantizers were calibrated on. */
  calibratedOn: 'train' | 'test';
}

/**
 * What "Find a recipe" asks for: the core planner's options (a target score or an accuracy
 * floor, exactly one) without the network and report, which the worker holds.
 */
export interface PlanRequest extends Omit<PlanOptions, 'graph' | 'weights' | 'report'> {
  /** Id of the sensitivity report to plan with (the worker refuses another one). */
  reportId: number;
}

/** The plan plus what the main thread needs to edit it exactly as the planner encodes it. */
export interface PlanResponse extends PlanResult {
  /**
   * Zero fraction each prunable layer has under the base recipe: a row's extra sparsity e is
   * written to recipe.layerSparsity as the final target z + e·(1 − z).
   */
  baseSparsity: Record<string, number>;
}
