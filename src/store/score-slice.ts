/**
 * Score slice: the compression recipe the Score panel edits, the score recomputed synchronously
 * in the same update as every edit (score-compute.ts: table lookup + scoreNetwork), and the
 * accuracy half — re-measured by the worker MEASURE_DEBOUNCE_MS after the last edit on the
 * validation slice, and not before a held slider thumb is released (the previous measurement is
 * cancelled at once), or on the full test set on demand. The recipe round-trips through
 * `?recipe=` (core/recipe/recipe-url.ts) with history.replaceState, throttled while a slider is
 * dragged. The score inputs of the current network come with every NetworkChange
 * (network-slice.ts applyNetworkChange).
 */
import type { StateCreator } from 'zustand';
import { estimateEta } from '../format/format.ts';
import {
  canonicalRecipe,
  readRecipeParam,
  recipeJson,
  searchWithRecipe,
  type CountingProfile,
  type Recipe,
} from '../core/recipe/index.ts';
import type { JobProgress, MeasureOptions, RecipeMeasurement } from '../worker/lab-types.ts';
import { callback, errorMessage, getLab, isAbort, newJobId } from '../worker/lab-client.ts';
import { isWorkerLost } from '../worker/worker-watchdog.ts';
import { onJobBegin } from './job-spec.ts';
import { jobState, type JobState } from './jobs-slice.ts';
import type { LabState } from './lab-store.ts';
import {
  withBits,
  withCountingProfile,
  withFoldBN,
  withFreebie,
  withLayerBits,
  withLayerSparsity,
  withSparsity,
  type BitsKind,
} from './recipe-edit.ts';
import {
  chooseExitRate,
  computeScore,
  type ExitRateChoice,
  type PreparedScoreInputs,
  type ScoreOutcome,
} from './score-compute.ts';

export const MEASURE_DEBOUNCE_MS = 400;
/** The validation slice: the first 500 test records. */
export const VALIDATION_LIMIT = 500;
const URL_WRITE_MS = 250;

export type MeasureKind = 'validation' | 'full';
/** idle → pending (edit settling) → measuring → done | error (per the current recipe). */
export type MeasureState = 'idle' | 'pending' | 'measuring' | 'done' | 'error';

export interface Measurement extends RecipeMeasurement {
  kind: MeasureKind;
  /** recipeJson() of the recipe measured: compare with the current one to spot a stale figure. */
  recipeKey: string;
}

export interface ScoreValues {
  recipe: Recipe;
  /** Why `?recipe=` was rejected at load (the default recipe is kept). */
  recipeError: string | null;
  scoreInputs: PreparedScoreInputs | null;
  scoreInputsError: string | null;
  /** Exit rate typed by the user (networks with an early exit); null: measured / default. */
  exitRateOverride: number | null;
  exitRate: ExitRateChoice | null;
  score: ScoreOutcome['score'];
  layerSparsity: ScoreOutcome['layerSparsity'];
  scoreError: string | null;
  measureState: MeasureState;
  measureJob: JobState | null;
  measureKind: MeasureKind | null;
  measurement: Measurement | null;
  fullMeasurement: Measurement | null;
  measureError: string | null;
  /** A slider thumb is held: edits keep coming, so the measurement waits for the release. */
  sliderHeld: boolean;
}

export interface ScoreActions {
  /** Reads `?recipe=` (at start-up); a bad one sets recipeError and keeps the recipe. */
  loadRecipeFromUrl: (search: string) => void;
  /**
   * Another network (or new weights) is current: the measured accuracy belongs to the old one,
   * so a pending or running measurement stops (network-slice applyNetworkChange calls it).
   */
  forgetMeasurements: () => void;
  setSparsity: (s: number) => void;
  setLayerSparsity: (layer: string, s: number | null) => void;
  setBits: (bits: Partial<Record<BitsKind, number>>) => void;
  setLayerBits: (layer: string, kind: BitsKind, bits: number | null) => void;
  setCountingProfile: (p: CountingProfile) => void;
  setFoldBN: (fold: boolean) => void;
  setFreebie: (freebie: boolean | undefined) => void;
  setExitRateOverride: (rate: number | null) => void;
  /** Pointer down / up on a slider: a pending measurement starts only after the release. */
  setSliderHeld: (held: boolean) => void;
  resetRecipe: () => void;
  /** Replaces the whole recipe (a restored run, a compressed checkpoint's own recipe). */
  setRecipe: (recipe: Recipe) => void;
  dismissRecipeError: () => void;
  /** Measures the current recipe now (validation slice or the whole test split). */
  measureNow: (kind: MeasureKind) => Promise<void>;
  cancelMeasurement: () => Promise<void>;
}

export type ScoreSlice = ScoreValues & ScoreActions;

export const SCORE_DEFAULT: ScoreValues = {
  recipe: {},
  recipeError: null,
  scoreInputs: null,
  scoreInputsError: null,
  exitRateOverride: null,
  exitRate: null,
  score: null,
  layerSparsity: null,
  scoreError: null,
  measureState: 'idle',
  measureJob: null,
  measureKind: null,
  measurement: null,
  fullMeasurement: null,
  measureError: null,
  sliderHeld: false,
};

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

/** Score fields for `recipe` on the current inputs (synchronous). */
export function scored(
  inputs: PreparedScoreInputs | null,
  recipe: Recipe,
  override: number | null,
): Pick<ScoreValues, 'score' | 'layerSparsity' | 'scoreError' | 'exitRate'> {
  if (!inputs) return { score: null, layerSparsity: null, scoreError: null, exitRate: null };
  const exitRate = chooseExitRate(inputs, override);
  const r = computeScore(inputs, recipe, exitRate.rate);
  return { score: r.score, layerSparsity: r.layerSparsity, scoreError: r.error, exitRate };
}

/** Trailing-edge throttle of URL writes (browsers limit replaceState calls). */
function urlWriter(): (recipe: Recipe) => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let latest: Recipe = {};
  let lastWrite = -Infinity;
  const write = () => {
    timer = null;
    lastWrite = Date.now();
    if (typeof window === 'undefined') return;
    const { pathname, search, hash } = window.location;
    const next = `${pathname}${searchWithRecipe(search, latest)}${hash}`;
    if (next !== `${pathname}${search}${hash}`)
      window.history.replaceState(window.history.state, '', next);
  };
  return (recipe) => {
    latest = recipe;
    if (timer !== null) return;
    const wait = Math.max(0, lastWrite + URL_WRITE_MS - Date.now());
    if (wait === 0) write();
    else timer = setTimeout(write, wait);
  };
}

export const createScoreSlice: StateCreator<LabState, [], [], ScoreSlice> = (set, get) => {
  let debounce: ReturnType<typeof setTimeout> | null = null;
  const writeUrl = urlWriter();

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

  const edit = (change: (r: Recipe) => Recipe) => {
    const s = get();
    let recipe: Recipe;
    try {
      recipe = canonicalRecipe(change(s.recipe));
    } catch (e) {
      set({ scoreError: errorMessage(e) });
      return;
    }
    if (recipeJson(recipe) === recipeJson(s.recipe)) return;
    set({ recipe, ...scored(s.scoreInputs, recipe, s.exitRateOverride) });
    writeUrl(recipe);
    scheduleMeasure();
  };

  return {
    ...SCORE_DEFAULT,
    loadRecipeFromUrl: (search) => {
      const { recipe, error } = readRecipeParam(search);
      if (error !== null) {
        set({ recipeError: error });
        return;
      }
      if (!recipe) return;
      const s = get();
      set({ recipe, recipeError: null, ...scored(s.scoreInputs, recipe, s.exitRateOverride) });
    },
    forgetMeasurements: () => {
      clearDebounce();
      cancelRunning();
      set({ measurement: null, fullMeasurement: null, measureState: 'idle', measureError: null });
    },
    setSparsity: (x) => edit((r) => withSparsity(r, x)),
    setLayerSparsity: (layer, x) => edit((r) => withLayerSparsity(r, layer, x)),
    setBits: (bits) => edit((r) => withBits(r, bits)),
    setLayerBits: (layer, kind, bits) => edit((r) => withLayerBits(r, layer, kind, bits)),
    setCountingProfile: (p) => edit((r) => withCountingProfile(r, p)),
    setFoldBN: (fold) => edit((r) => withFoldBN(r, fold)),
    setFreebie: (freebie) => edit((r) => withFreebie(r, freebie)),
    setExitRateOverride: (rate) => {
      if (rate !== null && !(rate >= 0 && rate <= 1)) {
        set({ scoreError: `Exit rate must be a number in [0, 1], got ${rate}` });
        return;
      }
      const s = get();
      set({ exitRateOverride: rate, ...scored(s.scoreInputs, s.recipe, rate) });
    },
    setSliderHeld: (held) => {
      if (held === get().sliderHeld) return;
      set({ sliderHeld: held });
      if (!held && get().measureState === 'pending') startDebounce();
    },
    resetRecipe: () => edit(() => ({})),
    setRecipe: (recipe) => edit(() => recipe),
    dismissRecipeError: () => set({ recipeError: null }),
    measureNow: (kind) => measure(kind),
    cancelMeasurement: async () => {
      clearDebounce();
      const job = get().measureJob;
      if (!job) {
        if (get().measureState === 'pending') set({ measureState: 'idle' });
        return;
      }
      set({ measureJob: { ...job, cancelling: true } });
      await getLab().cancel(job.id);
    },
  };
};
