/**
 * Protocol of the "Run recipe" job (./recipe-run-service.ts, lab-api `runRecipe` /
 * `resumeRecipeRun`): the request, the progress the worker reports (a JobProgress the generic
 * progress bar shows, plus the pipeline's stage), the outcome, and the saved run a reload or a
 * crash continues from (persist/session-db.ts keeps it).
 */
import type { PipelineStage } from '../core/compress/pipeline/pipeline-progress.ts';
import type { Recipe } from '../core/recipe/index.ts';
import type { JobProgress, NetworkInfo } from './lab-types.ts';

// Defined in src/protocol (persist keeps them too), part of this contract.
export type { RecipeRunRequest, SavedRecipeRun } from '../protocol/recipe-run.ts';

export interface RecipeRunProgress extends JobProgress {
  stage: PipelineStage;
  /** 1-based prune step (prune, calibrate, fine-tune), else 1; images done for evaluate. */
  step: number;
  steps: number;
  /** Share of the stage done, in [0, 1]. */
  fraction: number;
  /** Fine-tuning loss of the last metrics window (null outside fine-tuning). */
  loss: number | null;
}

export interface RecipeRunFile {
  fileName: string;
  /** The compressed checkpoint (.mnlc). */
  bytes: Uint8Array;
}

export interface RecipeRunCompleted {
  status: 'completed';
  recipe: Recipe;
  top1: number;
  /** Top-1 with early exit (= top1 without an exit head). */
  top1EarlyExit: number;
  exitRate: number;
  exitThreshold: number;
  hasExit: boolean;
  score: number;
  paramsTerm: number;
  opsTerm: number;
  paramsM: number;
  opsM: number;
  /** Test images evaluated, and how many the test split has. */
  n: number;
  testSize: number;
  /** Wall time of the whole run (earlier sessions of a resumed run included). */
  seconds: number;
  resumedFrom: { stepsDone: number; epochsDone: number } | null;
  file: RecipeRunFile;
  /** The compressed network, now the current one. */
  network: NetworkInfo;
}

export interface RecipeRunCancelled {
  status: 'cancelled';
  /** The last checkpoint's position (where "Resume" continues). */
  stepsDone: number;
  epochsDone: number;
  seconds: number;
}

export type RecipeRunOutcome = RecipeRunCompleted | RecipeRunCancelled;
