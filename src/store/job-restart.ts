/**
 * "Restart job" after a worker loss: puts a JobSpec's settings back where the panels keep them
 * (batch size, analysis settings, prune spec, training settings, the recipe for the jobs that read
 * it …) and starts the job through its slice's own action, so it runs exactly as a click on its
 * button would. A recipe run whose checkpoint was kept resumes from it instead.
 */
import { recipeJson, type Recipe } from '../core/recipe/index';
import type { RecipeRunRequest } from '../protocol/recipe-run';
import type { JobSpec } from './job-spec';
import type { LabState } from './lab-store';

type Get = () => LabState;
type Set = (patch: Partial<LabState>) => void;

interface Ctx {
  get: Get;
  set: Set;
}

type Handlers = {
  [K in JobSpec['kind']]: (c: Ctx, spec: Extract<JobSpec, { kind: K }>) => Promise<void>;
};

/** The job's recipe becomes the current one again (only when it changed since). */
function applyRecipe(get: Get, recipe: Recipe): void {
  if (recipeJson(get().recipe) !== recipeJson(recipe)) get().setRecipe(recipe);
}

function restartRecipeRun({ get, set }: Ctx, request: RecipeRunRequest): Promise<void> {
  const saved = get().recipeRunSaved;
  if (saved && JSON.stringify(saved.request) === JSON.stringify(request)) {
    return get().resumeRecipeRun();
  }
  applyRecipe(get, request.recipe);
  set({
    recipeRunImages: request.limit,
    recipeRunTrainImages: request.trainLimit,
    recipeRunSeed: request.seed,
  });
  return get().runRecipe();
}

const HANDLERS: Handlers = {
  evaluate: ({ get }, spec) => {
    get().setEvalBatchSize(spec.batchSize);
    get().setEvalLimit(spec.limit ?? null);
    return get().startEvaluation();
  },
  analyse: ({ get }, spec) => {
    get().setAnalysisSettings(spec.settings);
    return get().analyse();
  },
  sensitivity: ({ get }, spec) => {
    applyRecipe(get, spec.recipe);
    get().setSensitivityImages(spec.images);
    return get().measureSensitivity();
  },
  measure: ({ get }, spec) => {
    applyRecipe(get, spec.recipe);
    return get().measureNow(spec.measureKind);
  },
  prune: ({ get, set }, spec) => {
    set({ pruneSpec: spec.spec });
    return get().pruneNow();
  },
  schedule: ({ get, set }, spec) => {
    set({ pruneSpec: spec.spec, scheduleSettings: spec.settings });
    return get().runSchedule(false); // the worker that kept its progress is gone
  },
  train: ({ get, set }, spec) => {
    const { model, ...trainSettings } = spec.config;
    set({ trainSettings, modelName: model });
    return get().startTraining();
  },
  recipe: (c, spec) => restartRecipeRun(c, spec.request),
  import: ({ get }, spec) => {
    if (spec.source.kind === 'file') return get().importFile(spec.source.file);
    get().setImportUrl(spec.source.url);
    return get().importFromUrl();
  },
  export: ({ get }, spec) => {
    applyRecipe(get, spec.recipe);
    return get().exportCompressed();
  },
  'export-torch': ({ get }, spec) => {
    applyRecipe(get, spec.recipe);
    return get().exportTorchJob();
  },
  load: ({ get }, spec) => get().loadFiles(spec.files),
  download: ({ get }) => get().downloadArchive(),
};

/** Runs the job `spec` describes again, with its settings. */
export function runJobSpec(get: Get, set: Set, spec: JobSpec): Promise<void> {
  const handler = HANDLERS[spec.kind] as (c: Ctx, s: JobSpec) => Promise<void>;
  return handler({ get, set }, spec);
}
