/**
 * What a long worker job was asked to do (JobSpec, kept on its JobState), so that a job the worker
 * died under can be run again with one click and the same settings, and the record of such an
 * interrupted job (InterruptedJob: the worker's reason, and whether the replacement worker is
 * still being set up, is ready for a restart, or resumed the job itself from its checkpoint).
 * Pure functions; ./interrupted-slice.ts holds the records, ./job-restart.ts re-runs a spec.
 */
import type { PruneSpec, Recipe } from '../core/recipe/index';
import type { ImportSource, TrainConfig } from '../worker/lab-types';
import type { RecipeRunRequest } from '../protocol/recipe-run';
import type { AnalysisSettings } from './analysis-slice';
import type { JobKind, JobState } from './jobs-slice';
import type { ScheduleSettings } from './prune-edit';
import type { MeasureKind } from './score-slice';

export type JobSpec =
  | { kind: 'evaluate'; batchSize: number; limit?: number | null }
  | { kind: 'analyse'; settings: AnalysisSettings }
  | { kind: 'sensitivity'; images: number; recipe: Recipe }
  | { kind: 'measure'; measureKind: MeasureKind; recipe: Recipe }
  | { kind: 'prune'; spec: PruneSpec }
  | { kind: 'schedule'; spec: PruneSpec; settings: ScheduleSettings }
  | { kind: 'train'; config: TrainConfig }
  | { kind: 'recipe'; request: RecipeRunRequest }
  | { kind: 'import'; source: ImportSource }
  | { kind: 'export'; recipe: Recipe }
  | { kind: 'export-torch'; recipe: Recipe }
  | { kind: 'load'; files: File[] }
  | { kind: 'download' };

/** recovering: the worker is being replaced; ready: it can be restarted; resumed: it was. */
export type InterruptedState = 'recovering' | 'ready' | 'resumed';

export interface InterruptedJob {
  /** The job's slot (its JobKind; 'measure' is the Score panel's measurement). */
  slot: JobKind;
  spec: JobSpec;
  /** Why the worker stopped, as in "The worker stopped (…)". */
  reason: string;
  state: InterruptedState;
}

export type InterruptedJobs = Partial<Record<JobKind, InterruptedJob>>;

const WHAT: Record<JobSpec['kind'], string> = {
  evaluate: 'the evaluation',
  analyse: 'the analysis',
  sensitivity: 'the sensitivity measurement',
  measure: 'the accuracy measurement',
  prune: 'the prune',
  schedule: 'the pruning schedule',
  train: 'the training run',
  recipe: 'the recipe run',
  import: 'the import',
  export: 'the compressed export',
  'export-torch': 'the export for PyTorch',
  load: 'loading the data',
  download: 'the download',
};

/** The jobs that were running when the worker was lost, added to the earlier records. */
export function recordInterrupted(
  prev: InterruptedJobs,
  running: readonly (JobState | null)[],
  reason: string,
): InterruptedJobs {
  const next: InterruptedJobs = { ...prev };
  for (const job of running) {
    if (!job?.spec) continue;
    next[job.kind] = { slot: job.kind, spec: job.spec, reason, state: 'recovering' };
  }
  return next;
}

/** The replacement worker is up (or gave up): what was recovering can be restarted. */
export function settleInterrupted(records: InterruptedJobs): InterruptedJobs {
  const next: InterruptedJobs = {};
  for (const [slot, r] of Object.entries(records) as [JobKind, InterruptedJob][]) {
    next[slot] = r.state === 'recovering' ? { ...r, state: 'ready' } : r;
  }
  return next;
}

export function withInterruptedState(
  records: InterruptedJobs,
  slot: JobKind,
  state: InterruptedState,
): InterruptedJobs {
  const r = records[slot];
  return r ? { ...records, [slot]: { ...r, state } } : records;
}

export function withoutInterrupted(records: InterruptedJobs, slot: JobKind): InterruptedJobs {
  if (!records[slot]) return records;
  const next = { ...records };
  delete next[slot];
  return next;
}

/** A job of `slot` starts: a record waiting for "Restart" is superseded by it. */
export function onJobBegin(records: InterruptedJobs, slot: JobKind): InterruptedJobs {
  return records[slot]?.state === 'ready' ? withoutInterrupted(records, slot) : records;
}

/** A job of `slot` ended: the run that the recovery resumed is over, and so is its record. */
export function onJobFinish(records: InterruptedJobs, slot: JobKind): InterruptedJobs {
  return records[slot]?.state === 'resumed' ? withoutInterrupted(records, slot) : records;
}

/** "The worker stopped (…) — restarted; the analysis was interrupted." */
export function interruptedText(r: InterruptedJob): string {
  const stopped = `The worker stopped (${r.reason})`;
  const what = WHAT[r.spec.kind];
  if (r.state === 'recovering') return `${stopped} — restarting it…`;
  if (r.state === 'resumed') return `${stopped} — restarted; ${what} resumes from its checkpoint.`;
  return `${stopped} — restarted; ${what} was interrupted.`;
}
