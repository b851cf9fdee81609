/**
 * The Score panel's methods of the worker's API (lab-api.ts spreads them in): the score inputs
 * the main thread scores recipes with, a recipe's measured accuracy, the per-layer sensitivity
 * and the recipe planned from it (./score-service.ts, ./sensitivity-service.ts).
 */
import * as Comlink from 'comlink';
import type { CifarDataset } from '../core/data/types';
import type { Recipe } from '../core/recipe/index';
import type { JobProgress, MeasureOptions, RecipeMeasurement, ScoreInputs } from './lab-types';
import type { RunJob } from './recipe-run-api';
import type { ScoreService } from './score-service';
import type { SensitivityService } from './sensitivity-service';
import type {
  PlanRequest,
  PlanResponse,
  SensitivityRequest,
  SensitivityResult,
} from '../protocol/sensitivity';

type OnProgress = (p: JobProgress) => void;

export function scoreApi(
  scores: ScoreService,
  sensitivity: SensitivityService,
  runJob: RunJob,
  dataset: () => CifarDataset | null,
) {
  return {
    /**
     * What the Score panel scores recipes with on the main thread (null without a current
     * network); the profile's quantile buffers are transferred. History reads it for measured
     * edits; after a network change the NetworkChange brings it.
     */
    async scoreInputs(): Promise<ScoreInputs | null> {
      const r = await scores.inputs();
      if (!r) return null;
      return Comlink.transfer(
        r,
        r.profile.layers.map((l) => l.quantiles.buffer as ArrayBuffer),
      );
    },
    /**
     * Accuracy of the current network with `recipe` applied to a copy, on the first
     * `options.limit` test records (default 500; null = all); cancellable by `id`.
     */
    measureRecipe(
      id: string,
      recipe: Recipe,
      options: MeasureOptions,
      onProgress: OnProgress,
    ): Promise<RecipeMeasurement> {
      return runJob(id, onProgress, (signal, report) =>
        scores.measure(recipe, options, dataset(), { signal, report }),
      );
    },

    /**
     * Per-layer sensitivity of the current network on the first `request.images` test records
     * (each layer alone at each candidate width and sparsity, plus the Hessian-trace estimate);
     * cancellable by `id`. The report is kept for planRecipe.
     */
    measureSensitivity(
      id: string,
      request: SensitivityRequest,
      onProgress: OnProgress,
    ): Promise<SensitivityResult> {
      return runJob(id, onProgress, (signal, report) =>
        sensitivity.measure(request, dataset(), { signal, report }),
      );
    },
    /** A recipe proposed from the kept sensitivity report (nothing is applied). */
    planRecipe(request: PlanRequest): Promise<PlanResponse> {
      return sensitivity.plan(request);
    },
  };
}
