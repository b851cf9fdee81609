/**
 * Recipe-run slice (Score panel, "Run recipe"): runs the Score panel's recipe end to end on the
 * current network as the 'recipe' job (worker/recipe-run-service.ts: gradual pruning with
 * fine-tuning, compression, evaluation of the first N test images with early exit, score) with
 * progress, ETA and Cancel; the compressed network becomes the current one (as an imported .mnlc
 * does), the run lands in History with its measured score and early-exit top-1, and the .mnlc is
 * offered for download. A cancelled or interrupted run is kept in the session with its last
 * checkpoint: "Resume" continues it (the recovery slice does so by itself after a reload or a
 * crash, see ./recipe-run-recovery.ts), "Discard" forgets it.
 */
import type { StateCreator } from 'zustand';
import { callback, errorMessage, getLab, isAbort } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import type {
  RecipeRunCompleted,
  RecipeRunProgress,
  RecipeRunRequest,
  SavedRecipeRun,
} from '../protocol/recipe-run';
import { recipeJson } from '../core/recipe/index';
import type { LabState } from './lab-store';
import {
  countError,
  qualification,
  recipeRunBlocker,
  recipeRunMeasure,
  recipeRunRecord,
  type Qualification,
} from './recipe-run-logic';

/** A finished run as the panel shows it (the .mnlc as an object URL). */
export interface RecipeRunView extends Omit<RecipeRunCompleted, 'file'> {
  qualification: Qualification;
  download: { fileName: string; url: string; bytes: number };
  /** The compressed network's content key (from the run's NetworkChange; null: unknown). */
  networkKey: string | null;
  /** recipeJson() of the recipe it was compressed with (the current recipe after the run). */
  recipeKey: string;
}

export interface RecipeRunValues {
  /** Test images to evaluate: the first N (null: all). */
  recipeRunImages: number | null;
  /** Training images to fine-tune and calibrate on: the first N (null: all). */
  recipeRunTrainImages: number | null;
  recipeRunSeed: number;
  recipeRunProgress: RecipeRunProgress | null;
  recipeRunResult: RecipeRunView | null;
  recipeRunError: string | null;
  recipeRunNotice: string | null;
  /** The run kept for "Resume" (cancelled, failed or interrupted); null: none. */
  recipeRunSaved: SavedRecipeRun | null;
  /** Automatic resumes after a crash in a row from the same checkpoint (recipe-run-recovery). */
  recipeRunStreak: { key: string; count: number } | null;
}

export interface RecipeRunActions {
  setRecipeRunImages: (n: number | null) => void;
  setRecipeRunTrainImages: (n: number | null) => void;
  /** Runs the current recipe on the current network (a kept run is replaced). */
  runRecipe: () => Promise<void>;
  /** Continues the kept run from its last checkpoint. */
  resumeRecipeRun: () => Promise<void>;
  cancelRecipeRun: () => Promise<void>;
  refreshSavedRecipeRun: () => Promise<void>;
  discardRecipeRun: () => Promise<void>;
}

export type RecipeRunSlice = RecipeRunValues & RecipeRunActions;

export const RECIPE_RUN_DEFAULT: RecipeRunValues = {
  recipeRunImages: null,
  recipeRunTrainImages: null,
  recipeRunSeed: 0,
  recipeRunProgress: null,
  recipeRunResult: null,
  recipeRunError: null,
  recipeRunNotice: null,
  recipeRunSaved: null,
  recipeRunStreak: null,
};

function viewOf(r: RecipeRunCompleted, networkKey: string | null): RecipeRunView {
  const { file, ...rest } = r;
  const blob = new Blob([file.bytes as Uint8Array<ArrayBuffer>], {
    type: 'application/octet-stream',
  });
  const url = URL.createObjectURL(blob);
  const download = { fileName: file.fileName, url, bytes: file.bytes.length };
  const recipeKey = recipeJson(r.network.compressedRecipe ?? r.recipe);
  return { ...rest, qualification: qualification(r), download, networkKey, recipeKey };
}

export const createRecipeRunSlice: StateCreator<LabState, [], [], RecipeRunSlice> = (set, get) => {
  const invalid = (s: LabState, resume: boolean): string | null => {
    const blocker = recipeRunBlocker(s);
    if (blocker || resume) return blocker;
    const test = s.summary?.test?.count ?? null;
    const train = s.summary?.train?.count ?? null;
    return (
      countError('Test images', s.recipeRunImages, test) ??
      countError('Training images', s.recipeRunTrainImages, train, 2)
    );
  };

  /** A finished run (its NetworkChange already applied); `networkKey`: the compressed network's. */
  const completed = (r: RecipeRunCompleted, networkKey: string | null) => {
    const prev = get().recipeRunResult;
    if (prev) URL.revokeObjectURL(prev.download.url);
    set({
      recipeRunResult: viewOf(r, networkKey),
      recipeRunNotice: `${r.network.name} compressed: it is now the current network, and the run is in History.`,
      // The last evaluation belonged to the uncompressed network.
      evalResult: null,
      evalNotice: null,
      evalError: null,
    });
    if (r.network.compressedRecipe) get().setRecipe(r.network.compressedRecipe);
    // The compressed network's (network, recipe) record.
    if (networkKey) void get().addMeasurement(recipeRunMeasure(r, networkKey));
    void get().recordRun(recipeRunRecord(r));
  };

  const start = async (resume: boolean): Promise<void> => {
    const s = get();
    if (s.jobs.recipe) return;
    const why = invalid(s, resume);
    if (why) {
      set({ recipeRunError: why, recipeRunNotice: null });
      return;
    }
    await s.cancelMeasurement(); // the run holds the network a measurement may be reading
    const name = s.network?.name ?? '';
    const label = resume ? `Resuming the recipe run on ${name}` : `Running the recipe on ${name}`;
    const request: RecipeRunRequest = {
      recipe: s.recipe,
      limit: s.recipeRunImages,
      trainLimit: s.recipeRunTrainImages,
      seed: s.recipeRunSeed,
    };
    const asked = resume ? (s.recipeRunSaved?.request ?? request) : request;
    const id = s.beginJob('recipe', label, { kind: 'recipe', request: asked });
    set({ recipeRunError: null, recipeRunNotice: null, recipeRunProgress: null });
    const onProgress = callback((p: RecipeRunProgress) => {
      if (get().jobs.recipe?.id === id) set({ recipeRunProgress: p });
      get().reportJob('recipe', id, p);
    });
    try {
      const lab = getLab();
      const r = resume
        ? await lab.resumeRecipeRun(id, onProgress)
        : await lab.runRecipe(id, request, onProgress);
      get().applyNetworkChange(r.change); // the compressed network (unchanged when cancelled)
      if (r.status === 'completed') {
        const { change, ...done } = r;
        completed(done, change.networkKey);
      } else
        set({
          recipeRunNotice: `Recipe run cancelled after ${r.stepsDone} prune step(s) and ${r.epochsDone} epoch(s) of the next; the network is unchanged. Resume continues from there.`,
        });
    } catch (err) {
      if (isAbort(err)) set({ recipeRunNotice: 'Recipe run cancelled; the network is unchanged.' });
      else if (!isWorkerLost(err))
        set({ recipeRunError: `Run recipe failed: ${errorMessage(err)}` });
    } finally {
      get().finishJob('recipe', id);
      await get().refreshSavedRecipeRun();
    }
  };

  return {
    ...RECIPE_RUN_DEFAULT,
    setRecipeRunImages: (n) => set({ recipeRunImages: n, recipeRunError: null }),
    setRecipeRunTrainImages: (n) => set({ recipeRunTrainImages: n, recipeRunError: null }),
    runRecipe: () => start(false),
    resumeRecipeRun: () => start(true),
    cancelRecipeRun: () => get().cancelJob('recipe'),
    refreshSavedRecipeRun: async () => {
      try {
        set({ recipeRunSaved: await getLab().savedRecipeRun() });
      } catch (err) {
        set({ recipeRunError: `Could not read the kept recipe run: ${errorMessage(err)}` });
      }
    },
    discardRecipeRun: async () => {
      if (get().jobs.recipe) return;
      try {
        await getLab().discardRecipeRun();
        set({ recipeRunSaved: null, recipeRunNotice: 'The kept recipe run was discarded.' });
      } catch (err) {
        set({ recipeRunError: `Could not discard the kept recipe run: ${errorMessage(err)}` });
      }
    },
  };
};
