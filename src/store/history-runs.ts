/**
 * What a finished run reports to the History slice (recordRun): the network-changing runs
 * (train, import, prune, schedule) with their label and figures, built here from each job's
 * result so the slices that run them add one call; and a measured recipe edit.
 */
import type { Recipe } from '../core/recipe/index';
import type { RunAccuracy, RunKind, RunScore } from '../persist/history-db';
import type {
  CheckpointReport,
  NetworkInfo,
  PruneOutcome,
  ScheduleOutcome,
  TrainSummary,
} from '../worker/lab-types';
import type { PairMeasure } from './history-pairs';
import type { Measurement } from './score-slice';

export type NetworkRunKind = Exclude<RunKind, 'edit'>;

/** A recorded measurement of a pair (RecordInput's 'edit' and 'measured'). */
export type MeasuredInput = Extract<RecordInput, { kind: 'edit' | 'measured' }>;

/** What a slice reports when a run finished (see recordRun). */
export type RecordInput =
  | {
      kind: NetworkRunKind;
      label: string;
      seconds?: number | null;
      accuracy?: RunAccuracy | null;
      details?: Record<string, unknown>;
      /** The run's own recipe and measured score (default: the Score panel's recipe, scored). */
      recipe?: Recipe;
      score?: RunScore | null;
    }
  | { kind: 'edit'; measurement: Measurement }
  /** Any other measurement of a (network, recipe) pair, e.g. the Evaluate panel's. */
  | { kind: 'measured'; pair: PairMeasure };

/** A training run (train-slice). */
export function trainRun(model: string, t: TrainSummary): RecordInput {
  const label = `Trained ${model}: ${t.steps} steps${t.cancelled ? ' (cancelled)' : ''}`;
  return { kind: 'train', label, seconds: t.seconds, details: { ...t } };
}

/** An import that made a network current (model-slice). */
export function importRun(r: CheckpointReport, net: NetworkInfo): RecordInput {
  const details = { fileName: r.fileName, format: r.format, bytes: r.bytes, source: net.source };
  return { kind: 'import', label: `Imported ${r.fileName}`, details };
}

/** A one-shot prune (prune-slice). */
export function pruneRun(r: PruneOutcome, method: string): RecordInput {
  const { paramsBefore: before, paramsAfter: after } = r;
  const label = `Pruned (${method}): ${before.toLocaleString('en-US')} → ${after.toLocaleString('en-US')} parameters`;
  return { kind: 'prune', label, seconds: r.seconds, details: { method, before, after } };
}

/** A finished or stopped pruning schedule (prune-slice). */
export function scheduleRun(r: ScheduleOutcome): RecordInput {
  const last = r.history[r.history.length - 1];
  const top1 = last ? `, last validation top-1 ${(last.top1 * 100).toFixed(2)} %` : '';
  const label = `Schedule ${r.status}: ${r.history.length} iterations${top1}`;
  const details = {
    status: r.status,
    before: r.paramsBefore,
    after: r.paramsAfter,
    history: r.history,
  };
  return { kind: 'schedule', label, details };
}
