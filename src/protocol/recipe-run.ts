/**
 * The "Run recipe" job's request and the saved run a reload or a crash continues from: plain
 * data that the worker's recipe-run service takes, the store restarts and persist keeps
 * (persist/session-db.ts). The rest of the job's protocol is in worker/recipe-run-types.ts.
 */
import type { Recipe } from '../core/recipe/index.ts';

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
