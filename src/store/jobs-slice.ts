/**
 * Jobs slice: the long-running worker jobs (load/download, train, evaluate, model import), one per
 * kind, with their latest progress and what they were asked to do (JobSpec: a job the worker died
 * under is restarted from it, ./interrupted-slice.ts). Cancellation goes to the worker by job id.
 */
import type { StateCreator } from 'zustand';
import { estimateEta } from '../format/format';
import type { JobProgress } from '../worker/lab-types';
import { getLab, newJobId } from '../client/lab-client';
import { onJobBegin, onJobFinish, type JobSpec } from './job-spec';
import type { LabState } from './lab-store';

/**
 * 'measure': the Score panel's recipe measurement (its state lives in the score slice);
 * 'analyse': the Spectra panel's K-FAC + Hessian analysis; 'prune': a one-shot prune or a
 * pruning schedule (Pruning panel); 'sensitivity': the Score panel's per-layer sensitivity; 'recipe': the Score panel's "Run recipe".
 */
export type JobKind =
  | 'load'
  | 'train'
  | 'evaluate'
  | 'model'
  | 'measure'
  | 'analyse'
  | 'prune'
  | 'sensitivity'
  | 'recipe';

export interface JobState {
  id: string;
  kind: JobKind;
  label: string;
  /** Date.now() at start. */
  startedAt: number;
  progress: JobProgress | null;
  cancelling: boolean;
  /** What it runs, to restart it after a worker loss (none: not restartable). */
  spec?: JobSpec;
}

export interface JobsValues {
  jobs: Record<JobKind, JobState | null>;
}

export interface JobsActions {
  /** Registers a job of `kind` and returns its id (the worker uses it for cancel/pause). */
  beginJob: (kind: JobKind, label: string, spec?: JobSpec) => string;
  /** Records progress; ignored when `id` is no longer the job of that kind. */
  reportJob: (kind: JobKind, id: string, progress: JobProgress) => void;
  finishJob: (kind: JobKind, id: string) => void;
  cancelJob: (kind: JobKind) => Promise<void>;
}

export type JobsSlice = JobsValues & JobsActions;

export const JOBS_DEFAULT: JobsValues = {
  jobs: {
    load: null,
    train: null,
    evaluate: null,
    model: null,
    measure: null,
    analyse: null,
    prune: null,
    sensitivity: null,
    recipe: null,
  },
};

/** A job that starts now. */
export function jobState(id: string, kind: JobKind, label: string, spec?: JobSpec): JobState {
  const job: JobState = {
    id,
    kind,
    label,
    startedAt: Date.now(),
    progress: null,
    cancelling: false,
  };
  return spec ? { ...job, spec } : job;
}

export const createJobsSlice: StateCreator<LabState, [], [], JobsSlice> = (set, get) => ({
  ...JOBS_DEFAULT,
  beginJob: (kind, label, spec) => {
    const id = newJobId(kind);
    const job = jobState(id, kind, label, spec);
    set((s) => ({
      jobs: { ...s.jobs, [kind]: job },
      interruptedJobs: onJobBegin(s.interruptedJobs, kind),
    }));
    return id;
  },
  reportJob: (kind, id, progress) => {
    set((s) => {
      const job = s.jobs[kind];
      if (job?.id !== id) return {};
      const etaSeconds =
        progress.etaSeconds ??
        estimateEta(progress.done, progress.total, job.startedAt, Date.now());
      return { jobs: { ...s.jobs, [kind]: { ...job, progress: { ...progress, etaSeconds } } } };
    });
  },
  finishJob: (kind, id) => {
    set((s) =>
      s.jobs[kind]?.id === id
        ? {
            jobs: { ...s.jobs, [kind]: null },
            interruptedJobs: onJobFinish(s.interruptedJobs, kind),
          }
        : {},
    );
  },
  cancelJob: async (kind) => {
    const job = get().jobs[kind];
    if (!job || job.cancelling) return;
    set((s) => ({ jobs: { ...s.jobs, [kind]: { ...job, cancelling: true } } }));
    await getLab().cancel(job.id);
  },
});
