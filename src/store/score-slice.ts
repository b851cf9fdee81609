/**
 * Score slice: the compression recipe the Score panel edits, the score recomputed synchronously
 * in the same update as every edit (score-compute.ts: table lookup + scoreNetwork), and the
 * accuracy half — re-measured by the worker MEASURE_DEBOUNCE_MS after the last edit on the
 * validation slice, and not before a held slider thumb is released (the previous measurement is
 * cancelled at once), or on the full test set on demand. The recipe round-trips through
 * `?recipe=` (core/recipe/recipe-url.ts) with history.replaceState, throttled while a slider is
 * dragged. The score inputs of the current network come with every NetworkChange
 * (network-slice.ts applyNetworkChange). Measuring lives in ./score-measure.ts, the URL writes
 * in ./recipe-url-writer.ts.
 */
import type { StateCreator } from 'zustand';
import { errorMessage, getLab } from '../client/lab-client';
import {
  canonicalRecipe,
  readRecipeParam,
  recipeJson,
  type CountingProfile,
  type Recipe,
} from '../core/recipe/index';
import type { JobState } from './jobs-slice';
import type { LabState } from './lab-store';
import { urlWriter } from './recipe-url-writer';
import {
  withBits,
  withCountingProfile,
  withFoldBN,
  withFreebie,
  withLayerBits,
  withLayerSparsity,
  withSparsity,
  type BitsKind,
} from './recipe-edit';
import {
  chooseExitRate,
  computeScore,
  type ExitRateChoice,
  type PreparedScoreInputs,
  type ScoreOutcome,
} from './score-compute';
import {
  createMeasurer,
  type MeasureKind,
  type MeasureState,
  type Measurement,
} from './score-measure';

export {
  MEASURE_DEBOUNCE_MS,
  VALIDATION_LIMIT,
  measureBlocker,
  type MeasureKind,
  type MeasureState,
  type Measurement,
} from './score-measure';

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

export const createScoreSlice: StateCreator<LabState, [], [], ScoreSlice> = (set, get) => {
  const writeUrl = urlWriter();
  const { clearDebounce, cancelRunning, measure, startDebounce, scheduleMeasure } = createMeasurer(
    set,
    get,
  );

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
