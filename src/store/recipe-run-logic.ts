/**
 * Pure parts of the "Run recipe" slice (./recipe-run-slice.ts): when a run can start, the check
 * of the image counts (errors name the bad value), whether a result qualifies for the MicroNet
 * Challenge (top-1 with early exit ≥ 80.00 % on all 10,000 CIFAR-100 test images), the History
 * record of a finished run, and the one-line description of a kept run.
 */
import { formatCount, formatDuration, formatPercent } from '../format/format';
import type { RecipeRunCompleted, SavedRecipeRun } from '../protocol/recipe-run';
import { eligibilityOf, FULL_TEST, type EligibilityStatus } from './eligibility';
import type { RecordInput } from './history-runs';
import type { LabState } from './lab-store';
import type { MeasureInput } from './measure-records';
import { recipeJson } from '../core/recipe/index';

/** Why "Run recipe" cannot start now (null: it can). */
export function recipeRunBlocker(s: LabState): string | null {
  if (!s.network) return 'No current network: import, train or evaluate one first.';
  if (!s.summary?.train) return 'Load a train split (Data panel): the recipe fine-tunes on it.';
  if (!s.summary.test) return 'Load a test split (Data panel): the result is evaluated on it.';
  if (s.backendStatus !== 'ready') return 'Waiting for the backend.';
  const j = s.jobs;
  if (j.train || j.evaluate || j.model || j.analyse || j.prune || j.sensitivity)
    return 'The network is busy (training, evaluating, importing, analysing, pruning or measuring).';
  return null;
}

/** Why `v` images (null: all) cannot be used from a split of `count` (null: none loaded). */
export function countError(
  what: string,
  v: number | null,
  count: number | null,
  min = 1,
): string | null {
  if (v === null) return null;
  if (!Number.isInteger(v) || v < min)
    return `${what} must be a whole number ≥ ${min}, or empty for all (got ${v}).`;
  if (count !== null && v > count)
    return `${what}: ${formatCount(v)} asked; the split has ${formatCount(count)}.`;
  return null;
}

export interface Qualification {
  qualifies: boolean;
  status: EligibilityStatus;
  text: string;
}

/**
 * Top-1 with early exit ≥ 80.00 % (≥ 8,000 correct) on all 10,000 test images qualifies; fewer
 * images give an estimate with its Wilson 95 % interval, or do not qualify when even its upper
 * end is below 80 % (eligibility.ts).
 */
export function qualification(r: { top1EarlyExit: number; n: number }): Qualification {
  const top1 = r.top1EarlyExit;
  const full = r.n >= FULL_TEST ? { top1 } : null;
  const e = eligibilityOf({ full, slice: full ? null : { top1, n: r.n } });
  const pct = formatPercent(top1);
  const qualifies = e.status === 'qualifies';
  if (qualifies)
    return {
      qualifies,
      status: e.status,
      text: `qualifies (${pct} ≥ 80.00 % on all 10,000 test images)`,
    };
  if (e.status === 'estimated') {
    const [lo, hi] = e.interval!;
    const text = `estimated ${pct} on ${formatCount(r.n)} images (95 % interval ${formatPercent(lo)}–${formatPercent(hi)}): qualifies only on all 10,000`;
    return { qualifies, status: e.status, text };
  }
  return {
    qualifies,
    status: e.status,
    text: `does not qualify (${pct} on ${formatCount(r.n)} images)`,
  };
}

/** The (network, recipe) measurement of a finished run, on the compressed network `networkKey`. */
export function recipeRunMeasure(r: RecipeRunCompleted, networkKey: string): MeasureInput {
  return {
    networkKey,
    recipeKey: recipeJson(r.recipe),
    model: r.network.name,
    top1: r.top1,
    top1EarlyExit: r.hasExit ? r.top1EarlyExit : null,
    n: r.n,
    exitRate: r.hasExit ? r.exitRate : null,
    source: 'recipe-run',
  };
}

/** The History entry of a finished run: its recipe, measured score and early-exit top-1. */
export function recipeRunRecord(r: RecipeRunCompleted): RecordInput {
  const q = qualification(r);
  const resumed = r.resumedFrom ? ', resumed' : '';
  return {
    kind: 'recipe',
    label: `Run recipe on ${r.network.name}: top-1 ${formatPercent(r.top1EarlyExit)} on ${formatCount(r.n)} images${resumed}`,
    seconds: r.seconds,
    accuracy: { top1: r.top1EarlyExit, n: r.n },
    recipe: r.recipe,
    score: { score: r.score, paramsTerm: r.paramsTerm, opsTerm: r.opsTerm },
    details: {
      top1: r.top1,
      top1EarlyExit: r.top1EarlyExit,
      exitRate: r.hasExit ? r.exitRate : null,
      exitThreshold: r.hasExit ? r.exitThreshold : null,
      paramsM: r.paramsM,
      opsM: r.opsM,
      qualifies: q.qualifies,
      resumedFrom: r.resumedFrom,
      fileName: r.file.fileName,
      fileBytes: r.file.bytes.length,
    },
  };
}

/** "tiny, stopped (cancelled) after prune step 1 of 2 and 1 epoch of the next, 12 s so far". */
export function savedRunText(s: SavedRecipeRun): string {
  const state = s.status === 'running' ? 'interrupted' : `stopped (${s.note ?? 'cancelled'})`;
  if (!s.hasCheckpoint) return `${s.model}, ${state} before its first checkpoint`;
  const epochs = s.epochsDone > 0 ? ` and ${s.epochsDone} epoch(s) of the next` : '';
  return (
    `${s.model}, ${state} after prune step ${s.stepsDone} of ${s.steps}${epochs}, ` +
    `${formatDuration(s.elapsedSeconds)} so far`
  );
}
