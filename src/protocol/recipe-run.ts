/**
 * Protocol of the "Run recipe" job (worker/recipe-run-service.ts, lab-api `runRecipe` /
 * `resumeRecipeRun`): the request, the progress the worker reports (a JobProgress the generic
 * progress bar shows, plus the pipeline's stage), the outcome, and the saved run a reload or a
 * crash continues from (the store restarts it, persist/session-db.ts keeps it).
 */
import type { PipelineStage } from '../core/compress/pipeline/pipeline-progress';
import type { Recipe } from '../core/recipe/index';
import type { JobProgress } from './job';
import type { NetworkInfo } from './network';

export interface RecipeRunRequest {
  /** The recipe to run (its fineTune says how to fine-tune). */
  recipe: Recipe;
  /** Evaluate the first N test images (null: the whole test split). */
  limit: number | null;
  /** Fine-tune and calibrate on the first N training images (null: the whole train split). */
  trainLimit: number | null;
  seed: number;
  /** Cap on each fine-tuning phase's optimizer steps (tests, quick runs; default none). */
  maxFineTuneSteps?: number;
}

/** A recipe run kept for "Resume" (no tensors). */
export interface SavedRecipeRun {
  request: RecipeRunRequest;
  /** 'running': interrupted by a reload or a crash; 'stopped': cancelled or failed. */
  status: 'running' | 'stopped';
  /** Graph name of the network the run compresses. */
  model: string;
  /** Prune steps of the schedule. */
  steps: number;
  stepsDone: number;
  epochsDone: number;
  elapsedSeconds: number;
  /** False before the first checkpoint (a resume starts the run again). */
  hasCheckpoint: boolean;
  /** Why the run stopped (cancel or error); null while running. */
  note: string | null;
  savedAt: number;
}

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
  /** Weight of the exit head in the prediction of images that do not exit (recipe.exitBlend). */
  exitBlend: number;
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
