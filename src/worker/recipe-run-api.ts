/**
 * The "Run recipe" methods of the worker's API (lab-api.ts spreads them in): run, resume, the
 * kept run and its discard, over ./recipe-run-service.ts; the .mnlc bytes go back transferred, with
 * the run's NetworkChange (./network-change.ts).
 */
import type { CifarDataset } from '../core/data/types';
import type { WorkerJob } from './job-registry';
import type { JobProgress } from './lab-types';
import type { WithChange } from '../protocol/network-change';
import type { RecipeRunService } from './recipe-run-service';
import type {
  RecipeRunOutcome,
  RecipeRunProgress,
  RecipeRunRequest,
  SavedRecipeRun,
} from '../protocol/recipe-run';

/** lab-api's runJob: a registered, cancellable job with throttled progress. */
export type RunJob = <T, P extends JobProgress>(
  id: string,
  onProgress: (p: P) => void,
  fn: (signal: AbortSignal, report: (p: P) => void, job: WorkerJob) => Promise<T>,
) => Promise<T>;

/** lab-api's `changed`: the result with its NetworkChange, marked for transfer with `extra`. */
export type Changed = <T extends object>(r: T, extra?: ArrayBuffer[]) => Promise<WithChange<T>>;

export function recipeRunApi(
  service: RecipeRunService,
  runJob: RunJob,
  dataset: () => CifarDataset | null,
  changed: Changed,
) {
  /** The outcome with its NetworkChange; a completed run's .mnlc bytes are transferred. */
  const withFile = (r: RecipeRunOutcome): Promise<WithChange<RecipeRunOutcome>> =>
    changed(r, r.status === 'completed' ? [r.file.bytes.buffer as ArrayBuffer] : []);
  return {
    /** "Run recipe" on the current network; the .mnlc is transferred, its change comes with it. */
    async runRecipe(
      id: string,
      request: RecipeRunRequest,
      onProgress: (p: RecipeRunProgress) => void,
    ): Promise<WithChange<RecipeRunOutcome>> {
      return withFile(
        await runJob(id, onProgress, (_s, report, job) =>
          service.run(request, dataset(), { job, report }),
        ),
      );
    },
    /** Continues the kept recipe run from its last checkpoint. */
    async resumeRecipeRun(
      id: string,
      onProgress: (p: RecipeRunProgress) => void,
    ): Promise<WithChange<RecipeRunOutcome>> {
      return withFile(
        await runJob(id, onProgress, (_s, report, job) =>
          service.resume(dataset(), { job, report }),
        ),
      );
    },
    /** The recipe run kept for "Resume" (null: none). */
    savedRecipeRun(): Promise<SavedRecipeRun | null> {
      return service.saved();
    },
    discardRecipeRun(): Promise<void> {
      return service.discard();
    },
  };
}
