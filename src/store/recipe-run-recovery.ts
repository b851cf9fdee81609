/**
 * The recovery slice's part for "Run recipe" (./recovery-slice.ts calls it after restoring the
 * dataset and the network, on a reload and after a worker crash): a recipe run the session says
 * was in progress resumes from its last checkpoint, as an interrupted training run does. A run
 * that keeps killing its worker from the same checkpoint is resumed at most MAX_RECIPE_RESUMES
 * times after a crash (a newer checkpoint resets the count); then it stays kept for "Resume".
 */
import { getLab } from '../client/lab-client';
import type { LabState } from './lab-store';
import { recipeRunBlocker, savedRunText } from './recipe-run-logic';
import type { RecipeRunValues } from './recipe-run-slice';

export const MAX_RECIPE_RESUMES = 3;

/** Resumes (or says why not) the interrupted recipe run; the recovery notice's clauses. */
export async function continueRecipeRun(
  get: () => LabState,
  set: (patch: Partial<RecipeRunValues>) => void,
  crash: boolean,
): Promise<string[]> {
  const saved = await getLab().savedRecipeRun();
  set({ recipeRunSaved: saved });
  if (saved?.status !== 'running') return [];
  const at = savedRunText(saved);
  if (get().jobs.recipe) return [`the recipe run (${at}) was not resumed: a new one was started`];
  const key = JSON.stringify([saved.request, saved.stepsDone, saved.epochsDone]);
  const streak = get().recipeRunStreak;
  const count = streak?.key === key ? streak.count : 0;
  const blocker = recipeRunBlocker(get());
  const why =
    blocker ??
    (crash && count >= MAX_RECIPE_RESUMES
      ? `the worker stopped ${count + 1} times in a row before its next checkpoint`
      : null);
  if (why !== null)
    return [`the recipe run (${at}) was not resumed: ${why.replace(/\.$/, '')}; resume it by hand`];
  if (crash) set({ recipeRunStreak: { key, count: count + 1 } });
  get().markJobResumed('recipe');
  void get().resumeRecipeRun();
  return [`the recipe run resumes (${at})`];
}
