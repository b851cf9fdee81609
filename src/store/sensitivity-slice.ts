/**
 * Sensitivity slice (Score panel): "Measure sensitivity" on the first N test records (the
 * validation slice) — how much top-1 and loss each layer loses at each candidate width and
 * sparsity, with the others as in the current recipe, plus the Hessian-trace estimate — and the
 * report, tied to the network it was measured on (another network makes it stale) and the recipe
 * it was measured with (another recipe labels it too: its base and drops are of that recipe).
 */
import type { StateCreator } from 'zustand';
import type { JobProgress } from '../worker/lab-types';
import { callback, errorMessage, getLab, isAbort } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import type { SensitivityResult } from '../protocol/sensitivity';
import { recipeJson } from '../core/recipe/index';
import type { LabState } from './lab-store';
import type { StaleReason } from './stale';

export const SENSITIVITY_IMAGES_DEFAULT = 256;

export interface SensitivityValues {
  /** Validation records: the first N of the test split. */
  sensitivityImages: number;
  sensitivity: SensitivityResult | null;
  /** ScoreInputs.networkId of the network the report was measured on. */
  sensitivityNetworkId: number | null;
  /** recipeJson() of the recipe the report was measured with. */
  sensitivityRecipeKey: string | null;
  sensitivityError: string | null;
  sensitivityNotice: string | null;
}

export interface SensitivityActions {
  setSensitivityImages: (n: number) => void;
  measureSensitivity: () => Promise<void>;
  cancelSensitivity: () => Promise<void>;
}

export type SensitivitySlice = SensitivityValues & SensitivityActions;

export const SENSITIVITY_DEFAULT: SensitivityValues = {
  sensitivityImages: SENSITIVITY_IMAGES_DEFAULT,
  sensitivity: null,
  sensitivityNetworkId: null,
  sensitivityRecipeKey: null,
  sensitivityError: null,
  sensitivityNotice: null,
};

/** Why "Measure sensitivity" cannot run now (null: it can). */
export function sensitivityBlocker(s: LabState): string | null {
  if (!s.scoreInputs) return 'No current network: import, train or evaluate one first.';
  const test = s.summary?.test?.count;
  if (test === undefined) return 'Load a test split (Data panel) to measure sensitivity.';
  if (s.backendStatus !== 'ready') return 'Waiting for the backend.';
  const j = s.jobs;
  if (j.train || j.evaluate || j.model || j.analyse || j.prune)
    return 'The network is busy (training, evaluating, importing, analysing or pruning).';
  return null;
}

/** Why N images cannot be measured on a test split of `testCount` records (null: they can). */
export function sensitivityImagesError(n: number, testCount: number | null): string | null {
  if (!(Number.isInteger(n) && n >= 1)) return `Images must be a whole number ≥ 1 (got ${n}).`;
  if (testCount !== null && n > testCount)
    return `${n} images asked; the test split has ${testCount}.`;
  return null;
}

/** True when the report was measured on another network than the current one. */
export function sensitivityStale(s: LabState): boolean {
  return s.sensitivity !== null && s.sensitivityNetworkId !== (s.scoreInputs?.networkId ?? null);
}

/** Why the report no longer describes the current pair: another network, another recipe, null. */
export function sensitivityStaleReason(s: LabState): StaleReason {
  if (s.sensitivity === null) return null;
  if (sensitivityStale(s)) return 'network';
  return s.sensitivityRecipeKey !== null && s.sensitivityRecipeKey !== recipeJson(s.recipe)
    ? 'recipe'
    : null;
}

export const createSensitivitySlice: StateCreator<LabState, [], [], SensitivitySlice> = (
  set,
  get,
) => ({
  ...SENSITIVITY_DEFAULT,
  setSensitivityImages: (n) => set({ sensitivityImages: n, sensitivityError: null }),
  measureSensitivity: async () => {
    const s = get();
    if (s.jobs.sensitivity) return;
    const blocker = sensitivityBlocker(s);
    const invalid =
      blocker ?? sensitivityImagesError(s.sensitivityImages, s.summary?.test?.count ?? null);
    if (invalid) {
      set({ sensitivityError: invalid, sensitivityNotice: null });
      return;
    }
    await s.cancelMeasurement(); // the sensitivity runs the network a measurement may hold
    const networkId = s.scoreInputs?.networkId ?? null;
    const n = s.sensitivityImages;
    const label = `Measuring sensitivity on ${n} test images`;
    const id = s.beginJob('sensitivity', label, {
      kind: 'sensitivity',
      images: n,
      recipe: s.recipe,
    });
    set({ sensitivityError: null, sensitivityNotice: null });
    const onProgress = callback((p: JobProgress) => get().reportJob('sensitivity', id, p));
    try {
      const r = await getLab().measureSensitivity(id, { images: n, recipe: s.recipe }, onProgress);
      set({
        sensitivity: r,
        sensitivityNetworkId: networkId,
        sensitivityRecipeKey: recipeJson(s.recipe),
      });
    } catch (err) {
      if (isAbort(err)) set({ sensitivityNotice: 'Sensitivity measurement cancelled.' });
      else if (!isWorkerLost(err)) set({ sensitivityError: errorMessage(err) });
    } finally {
      get().finishJob('sensitivity', id);
    }
  },
  cancelSensitivity: () => get().cancelJob('sensitivity'),
});
