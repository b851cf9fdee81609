/**
 * The Score panel's accuracy half (./score-slice.ts): the current recipe re-measured by the
 * worker MEASURE_DEBOUNCE_MS after the last edit on the validation slice, and not before a held
 * slider thumb is released (the previous measurement is cancelled at once), or on the full test
 * set on demand. Each finished measurement goes to the records and the History.
 */
import type { StateCreator } from 'zustand';
import { callback, errorMessage, getLab, isAbort, newJobId } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import { recipeJson } from '../core/recipe/index';
import { estimateEta } from '../format/format';
import type { JobProgress, MeasureOptions, RecipeMeasurement } from '../worker/lab-types';
import { onJobBegin } from './job-spec';
import { jobState } from './jobs-slice';
import type { LabState } from './lab-store';
import type { ScoreSlice } from './score-slice';

export const MEASURE_DEBOUNCE_MS = 400;
/** The validation slice: the first 500 test records. */
export const VALIDATION_LIMIT = 500;

export type MeasureKind = 'validation' | 'full';
/** idle → pending (edit settling) → measuring → done | error (per the current recipe). */
export type MeasureState = 'idle' | 'pending' | 'measuring' | 'done' | 'error';

export interface Measurement extends RecipeMeasurement {
  kind: MeasureKind;
  /** recipeJson() of the recipe measured: compare with the current one to spot a stale figure. */
  recipeKey: string;
}

/** Why the current recipe cannot be measured now, or null when it can. */
export function measureBlocker(s: LabState): string | null {
  if (!s.scoreInputs) return 'No current network: import, train or evaluate one first.';
  if (!s.summary?.test) return 'Load a test split (Data panel) to measure accuracy.';
  if (s.backendStatus !== 'ready') return 'Waiting for the backend.';
  const j = s.jobs;
  if (j.train || j.evaluate || j.model || j.analyse || j.prune || j.sensitivity)
    return 'The network is busy (training, evaluating, importing, analysing, pruning or measuring sensitivity).';
  return null;
}

type Creator = StateCreator<LabState, [], [], ScoreSlice>;

/** The measuring half of the Score slice: one debounce timer and one measurement at a time. */
export function createMeasurer(set: Parameters<Creator>[0], get: Parameters<Creator>[1]) {
  let debounce: ReturnType<typeof setTimeout> | null = null;

  const clearDebounce = () => {
    if (debounce !== null) clearTimeout(debounce);
    debounce = null;
  };

  const cancelRunning = () => {
    const job = get().measureJob;
    if (!job) return;
    set({ measureJob: null, measureKind: null });
    void getLab()
      .cancel(job.id)
      .catch(() => undefined);
  };

  const report = (id: string, p: JobProgress) =>
    set((s) => {
      const job = s.measureJob;
      if (job?.id !== id) return {};
      const etaSeconds = p.etaSeconds ?? estimateEta(p.done, p.total, job.startedAt, Date.now());
      return { measureJob: { ...job, progress: { ...p, etaSeconds } } };
    });

  const measure = async (kind: MeasureKind): Promise<void> => {
    clearDebounce();
    cancelRunning();
    const s = get();
    const blocker = measureBlocker(s);
    if (blocker) {
      set({ measureState: 'idle', measureError: null });
      return;
    }
    const recipe = s.recipe;
    const recipeKey = recipeJson(recipe);
    const id = newJobId('measure');
    const label =
      kind === 'full' ? 'Measuring on the full test split' : 'Measuring on the validation slice';
    const job = jobState(id, 'measure', label, { kind: 'measure', measureKind: kind, recipe });
    set((st) => ({
      measureJob: job,
      measureKind: kind,
      measureState: 'measuring',
      measureError: null,
      interruptedJobs: onJobBegin(st.interruptedJobs, 'measure'),
    }));
    const options: MeasureOptions = { limit: kind === 'full' ? null : VALIDATION_LIMIT };
    try {
      const r = await getLab().measureRecipe(
        id,
        recipe,
        options,
        callback((p: JobProgress) => report(id, p)),
      );
      if (get().measureJob?.id !== id) return;
      const m: Measurement = { ...r, kind, recipeKey };
      set({
        measureState: 'done',
        ...(kind === 'full' ? { fullMeasurement: m } : { measurement: m }),
      });
      void get().addMeasurement({
        ...m,
        model: s.scoreInputs?.network.name ?? 'unknown',
        source: 'score',
      });
      void get().recordRun({ kind: 'edit', measurement: m });
    } catch (err) {
      if (get().measureJob?.id !== id) return;
      if (isAbort(err) || isWorkerLost(err)) set({ measureState: 'idle' });
      else set({ measureState: 'error', measureError: errorMessage(err) });
    } finally {
      if (get().measureJob?.id === id) set({ measureJob: null, measureKind: null });
    }
  };

  const startDebounce = () => {
    clearDebounce();
    debounce = setTimeout(() => {
      debounce = null;
      if (!get().sliderHeld) void measure('validation');
    }, MEASURE_DEBOUNCE_MS);
  };

  /** After an edit: cancel the running measurement and measure again once edits settle. */
  const scheduleMeasure = () => {
    clearDebounce();
    cancelRunning();
    if (measureBlocker(get())) {
      set({ measureState: 'idle' });
      return;
    }
    set({ measureState: 'pending', measureError: null });
    startDebounce();
  };

  return { clearDebounce, cancelRunning, measure, startDebounce, scheduleMeasure };
}
