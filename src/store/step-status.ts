/**
 * The status each step of the lab shows in the navigation: not yet / busy / done / stale, with a
 * word or two (“loaded”, “measured”, “stale” …). Pure: it reads a handful of store fields.
 */
import type { LabState } from './lab-store';
import { recipeJson } from '../core/recipe/index';
import type { Measurement } from './score-slice';
import type { View } from './view-url';

export type StepState = 'todo' | 'busy' | 'done' | 'stale';

export interface StepStatus {
  state: StepState;
  text: string;
}

export type StepInputs = Pick<
  LabState,
  | 'summary'
  | 'jobs'
  | 'network'
  | 'evalResult'
  | 'scoreInputs'
  | 'score'
  | 'measureState'
  | 'measurement'
  | 'fullMeasurement'
  | 'recipe'
  | 'runs'
  | 'historyLoaded'
>;

const TODO: StepStatus = { state: 'todo', text: 'not yet' };
const busy = (text: string): StepStatus => ({ state: 'busy', text });
const done = (text: string): StepStatus => ({ state: 'done', text });

function dataStatus(s: StepInputs): StepStatus {
  if (s.jobs.load) return busy('loading…');
  return s.summary?.train || s.summary?.test ? done('loaded') : TODO;
}

function modelStatus(s: StepInputs): StepStatus {
  if (s.jobs.model) return busy('importing…');
  return s.network ? done(s.network.name) : TODO;
}

function trainStatus(s: StepInputs): StepStatus {
  if (s.jobs.train) return busy('training…');
  if (s.jobs.evaluate) return busy('evaluating…');
  if (s.evalResult) return done('evaluated');
  return s.network?.origin === 'trained' ? done('trained') : TODO;
}

/** Whether `m` measured the current network under the current recipe. */
function isCurrent(m: Measurement | null, s: StepInputs): boolean {
  return (
    m !== null &&
    m.recipeKey === recipeJson(s.recipe) &&
    m.networkId === (s.scoreInputs?.networkId ?? m.networkId)
  );
}

function compressStatus(s: StepInputs): StepStatus {
  if (!s.scoreInputs) return TODO;
  if (s.measureState === 'pending' || s.measureState === 'measuring') return busy('measuring…');
  if (s.jobs.recipe) return busy('running the recipe…');
  const measured = [s.measurement, s.fullMeasurement];
  if (measured.some((m) => isCurrent(m, s))) return done('measured');
  if (measured.some((m) => m !== null)) return { state: 'stale', text: 'stale' };
  return s.score ? done('scored') : TODO;
}

function historyStatus(s: StepInputs): StepStatus {
  if (!s.historyLoaded) return busy('loading…');
  const n = s.runs.length;
  return n === 0 ? { state: 'todo', text: 'empty' } : done(`${n} run${n === 1 ? '' : 's'}`);
}

/** Each step's status function (a component subscribes to its own step's). */
export const STEP_STATUS: Readonly<Record<View, (s: StepInputs) => StepStatus>> = {
  data: dataStatus,
  model: modelStatus,
  train: trainStatus,
  compress: compressStatus,
  history: historyStatus,
};

/** Every step's status. */
export function stepStatuses(s: StepInputs): Record<View, StepStatus> {
  return {
    data: dataStatus(s),
    model: modelStatus(s),
    train: trainStatus(s),
    compress: compressStatus(s),
    history: historyStatus(s),
  };
}
