// "Run recipe" slice and its recovery: the run asks the worker with the Score panel's recipe and
// the image counts, shows the stage and progress, makes the compressed network current, offers
// the .mnlc and records the run in History with its measured score and early-exit top-1; bad
// counts are refused by value before the worker is asked; a cancel keeps the run for Resume;
// qualification needs ≥ 80.00 % on all 10,000 images; an interrupted run resumes after a reload
// or a crash, at most MAX_RECIPE_RESUMES times in a row from the same checkpoint. The worker is a
// fake (lab-client mocked).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobProgress, NetworkInfo } from '../worker/lab-types';
import type {
  RecipeRunCompleted,
  RecipeRunOutcome,
  RecipeRunProgress,
  RecipeRunRequest,
  SavedRecipeRun,
} from '../protocol/recipe-run';
import type { RecordInput } from './history-runs';

interface Pending {
  id: string;
  request: RecipeRunRequest | null;
  onProgress: (p: RecipeRunProgress) => void;
  resolve: (r: RecipeRunOutcome) => void;
}

const fake = vi.hoisted(() => ({
  runs: [] as Pending[],
  saved: null as SavedRecipeRun | null,
  discarded: 0,
}));

vi.mock('../client/lab-client', async () => {
  const { changeOf } = await import('./network-change.test-helpers');
  /** The outcome with its NetworkChange: the compressed network (key 'tiny#run') when completed. */
  const changed = (r: RecipeRunOutcome) => ({
    ...r,
    change:
      r.status === 'completed'
        ? changeOf(r.network, null, { networkKey: 'tiny#run' })
        : changeOf(useLabStore.getState().network),
  });
  let n = 0;
  const pending =
    (fakeRuns: Pending[]) =>
    (id: string, request: RecipeRunRequest | null, onProgress: (p: RecipeRunProgress) => void) =>
      new Promise<RecipeRunOutcome>((resolve) =>
        fakeRuns.push({ id, request, onProgress, resolve: (r) => resolve(changed(r)) }),
      );
  return {
    getLab: () => ({
      runRecipe: (id: string, r: RecipeRunRequest, p: (p: RecipeRunProgress) => void) =>
        pending(fake.runs)(id, r, p),
      resumeRecipeRun: (id: string, p: (p: RecipeRunProgress) => void) =>
        pending(fake.runs)(id, null, p),
      savedRecipeRun: () => Promise.resolve(fake.saved),
      discardRecipeRun: () => {
        fake.discarded++;
        fake.saved = null;
        return Promise.resolve();
      },
      cancel: () => Promise.resolve(true),
    }),
    callback: <T>(fn: T) => fn,
    newJobId: (kind: string) => `${kind}-${++n}`,
    isAbort: (e: unknown) => e instanceof Error && e.name === 'AbortError',
    errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
  };
});

const { useLabStore } = await import('./lab-store');
const { countError, qualification } = await import('./recipe-run-logic');
const { continueRecipeRun, MAX_RECIPE_RESUMES } = await import('./recipe-run-recovery');
const initial = useLabStore.getState();
const st = () => useLabStore.getState();
const tick = () => new Promise((r) => setTimeout(r, 0));

const tinyNet: NetworkInfo = {
  name: 'tiny',
  origin: 'initialised',
  source: null,
  params: 30196,
  extraOutputs: [],
};
const recipe = { weightBits: 8, sparsity: 0.3, fineTune: { epochs: 1, pruneSteps: 2 } };
let recorded: RecordInput[] = [];
let measuredKeys: string[] = [];
let recipesSet: unknown[] = [];

beforeEach(() => {
  fake.runs = [];
  fake.saved = null;
  recorded = [];
  measuredKeys = [];
  recipesSet = [];
  useLabStore.setState(initial, true);
  useLabStore.setState({
    network: tinyNet,
    backendStatus: 'ready',
    recipe,
    summary: {
      train: { count: 64, source: 'train.bin' },
      test: { count: 32, source: 'test.bin' },
      fineNames: [],
      coarseNames: [],
    },
    cancelMeasurement: () => Promise.resolve(),
    recordRun: (input) => {
      recorded.push(input);
      return Promise.resolve();
    },
    setRecipe: (r) => void recipesSet.push(r),
    addMeasurement: (m) => {
      measuredKeys.push(m.networkKey);
      return Promise.resolve(null);
    },
  });
});

function completed(n: number, top1EarlyExit: number): RecipeRunCompleted {
  const network = { ...tinyNet, origin: 'imported' as const, compressedRecipe: recipe };
  return {
    status: 'completed',
    recipe,
    top1: top1EarlyExit,
    top1EarlyExit,
    exitRate: 0,
    exitThreshold: 0.85,
    exitBlend: 0,
    hasExit: false,
    score: 0.00123,
    paramsTerm: 0.001,
    opsTerm: 0.00023,
    paramsM: 0.0365,
    opsM: 2.4,
    n,
    testSize: 32,
    seconds: 12,
    resumedFrom: null,
    file: { fileName: 'tiny.mnlc', bytes: new Uint8Array(100) },
    network,
  };
}

const stopped: SavedRecipeRun = {
  request: { recipe, limit: null, trainLimit: null, seed: 0 },
  status: 'stopped',
  model: 'tiny',
  steps: 2,
  stepsDone: 1,
  epochsDone: 0,
  elapsedSeconds: 75,
  hasCheckpoint: true,
  note: 'cancelled',
  savedAt: 1,
};

const progress = (stage: RecipeRunProgress['stage'], done: number): RecipeRunProgress => ({
  stage,
  step: 1,
  steps: 2,
  fraction: done / 8,
  loss: 4.1,
  phase: `${stage} · step 1 of 2`,
  done,
  total: 8,
  unit: 'batches',
  etaSeconds: 30,
});

describe('recipe-run slice', () => {
  it('runs the recipe, shows progress, makes the result current and records it', async () => {
    st().setRecipeRunImages(16);
    const run = st().runRecipe();
    await tick();
    expect(fake.runs).toHaveLength(1);
    expect(fake.runs[0]!.request).toEqual({ recipe, limit: 16, trainLimit: null, seed: 0 });
    expect(st().jobs.recipe?.label).toBe('Running the recipe on tiny');
    fake.runs[0]!.onProgress(progress('fine-tune', 3));
    expect(st().recipeRunProgress?.stage).toBe('fine-tune');
    expect(st().jobs.recipe?.progress as JobProgress).toMatchObject({ done: 3, total: 8 });
    fake.runs[0]!.resolve(completed(16, 0.25));
    await run;
    expect(st().jobs.recipe).toBeNull();
    const r = st().recipeRunResult!;
    expect(r.qualification).toEqual({
      qualifies: false,
      status: 'fails',
      text: 'does not qualify (25.00 % on 16 images)',
    });
    expect(r.download).toMatchObject({ fileName: 'tiny.mnlc', bytes: 100 });
    expect(r.download.url).toMatch(/^blob:/);
    expect(st().network?.origin).toBe('imported');
    // The compressed network's key came with the run's NetworkChange (nothing asked after it).
    expect([r.networkKey, st().currentNetworkKey, measuredKeys]).toEqual([
      'tiny#run',
      'tiny#run',
      ['tiny#run'],
    ]);
    expect(recipesSet).toEqual([recipe]);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      kind: 'recipe',
      label: 'Run recipe on tiny: top-1 25.00 % on 16 images',
      accuracy: { top1: 0.25, n: 16 },
      recipe,
      score: { score: 0.00123, paramsTerm: 0.001, opsTerm: 0.00023 },
      details: { qualifies: false, fileBytes: 100 },
    });
  });

  it('refuses bad counts by value, and runs without a network or data', async () => {
    st().setRecipeRunImages(40);
    await st().runRecipe();
    expect(st().recipeRunError).toBe('Test images: 40 asked; the split has 32.');
    st().setRecipeRunImages(null);
    st().setRecipeRunTrainImages(1.5);
    await st().runRecipe();
    expect(st().recipeRunError).toBe(
      'Training images must be a whole number ≥ 2, or empty for all (got 1.5).',
    );
    useLabStore.setState({ network: null, recipeRunTrainImages: null });
    await st().runRecipe();
    expect(st().recipeRunError).toMatch(/^No current network/);
    expect(fake.runs).toHaveLength(0);
    expect(countError('N', 0, null)).toBe(
      'N must be a whole number ≥ 1, or empty for all (got 0).',
    );
  });

  it('keeps a cancelled run for Resume, resumes and discards it', async () => {
    const run = st().runRecipe();
    await tick();
    fake.saved = stopped;
    fake.runs[0]!.resolve({ status: 'cancelled', stepsDone: 1, epochsDone: 0, seconds: 75 });
    await run;
    expect(st().recipeRunNotice).toMatch(/^Recipe run cancelled after 1 prune step/);
    expect(st().recipeRunSaved?.stepsDone).toBe(1);
    const resumed = st().resumeRecipeRun();
    await tick();
    expect(fake.runs[1]!.request).toBeNull();
    expect(st().jobs.recipe?.label).toBe('Resuming the recipe run on tiny');
    fake.saved = null;
    fake.runs[1]!.resolve({ ...completed(32, 0.5), resumedFrom: { stepsDone: 1, epochsDone: 0 } });
    await resumed;
    expect(recorded[0]).toMatchObject({
      label: 'Run recipe on tiny: top-1 50.00 % on 32 images, resumed',
    });
    expect(st().recipeRunSaved).toBeNull();
    fake.saved = stopped;
    useLabStore.setState({ recipeRunSaved: stopped });
    await st().discardRecipeRun();
    expect(fake.discarded).toBe(1);
    expect(st().recipeRunSaved).toBeNull();
  });

  it('qualifies only at ≥ 80.00 % on all 10,000 test images', () => {
    expect(qualification({ top1EarlyExit: 0.8, n: 10_000 }).qualifies).toBe(true);
    expect(qualification({ top1EarlyExit: 0.8026, n: 10_000 }).text).toBe(
      'qualifies (80.26 % ≥ 80.00 % on all 10,000 test images)',
    );
    expect(qualification({ top1EarlyExit: 0.7999, n: 10_000 }).qualifies).toBe(false);
    expect(qualification({ top1EarlyExit: 0.9, n: 1_000 }).text).toBe(
      'estimated 90.00 % on 1,000 images (95 % interval 87.98 %–91.71 %): qualifies only on all 10,000',
    );
    expect(qualification({ top1EarlyExit: 0.5, n: 1_000 })).toMatchObject({
      status: 'fails',
      text: 'does not qualify (50.00 % on 1,000 images)',
    });
  });
});

describe('recipe-run recovery', () => {
  const interrupted: SavedRecipeRun = { ...stopped, status: 'running', note: null };
  const set = (patch: object) => useLabStore.setState(patch);

  it('resumes an interrupted run, not a stopped one', async () => {
    fake.saved = { ...interrupted, status: 'stopped', note: 'cancelled' };
    expect(await continueRecipeRun(st, set, false)).toEqual([]);
    expect(st().recipeRunSaved?.status).toBe('stopped');
    fake.saved = interrupted;
    expect(await continueRecipeRun(st, set, false)).toEqual([
      'the recipe run resumes (tiny, interrupted after prune step 1 of 2, 1 min 15 s so far)',
    ]);
    await tick();
    expect(fake.runs).toHaveLength(1);
    expect(fake.runs[0]!.request).toBeNull(); // a resume
  });

  it('stops resuming after repeated crashes at the same checkpoint; says why', async () => {
    fake.saved = interrupted;
    for (let i = 0; i < MAX_RECIPE_RESUMES; i++) {
      expect((await continueRecipeRun(st, set, true))[0]).toMatch(/resumes/);
      useLabStore.setState({ jobs: { ...st().jobs, recipe: null } }); // the worker died
    }
    const [clause] = await continueRecipeRun(st, set, true);
    expect(clause).toMatch(/was not resumed: the worker stopped 4 times in a row/);
    fake.saved = { ...interrupted, stepsDone: 2 }; // a newer checkpoint resets the count
    expect((await continueRecipeRun(st, set, true))[0]).toMatch(/resumes/);
    useLabStore.setState({ jobs: { ...st().jobs, recipe: null }, summary: null });
    expect((await continueRecipeRun(st, set, false))[0]).toMatch(
      /was not resumed: Load a train split \(Data panel\): the recipe fine-tunes on it; resume it by hand$/,
    );
  });
});
