/**
 * Interrupted-jobs slice: when the worker is lost (crash, hang, WebGPU device loss, or a wasm
 * abort / out-of-memory error from any call — client/lab-client.ts), every job that was running
 * in it is recorded with its JobSpec and the reason, at once (before the jobs' own calls reject).
 * The recovery slice replaces the worker and restores backend, dataset and network; then each
 * record offers "Restart job" (the same job, same settings: ./job-restart.ts), or says that the
 * recovery resumed it from its checkpoint (training, "Run recipe"). `workerLoss` counts the
 * losses of this page and keeps the last reason, for the header next to the backend badge.
 */
import type { StateCreator } from 'zustand';
import type { JobKind } from './jobs-slice';
import {
  recordInterrupted,
  settleInterrupted,
  withInterruptedState,
  withoutInterrupted,
  type InterruptedJobs,
} from './job-spec';
import { runJobSpec } from './job-restart';
import type { LabState } from './lab-store';

export interface WorkerLoss {
  /** Why the worker was lost last. */
  reason: string;
  /** Workers lost in this page. */
  count: number;
  /** Date.now() of the last loss. */
  at: number;
}

export interface InterruptedValues {
  interruptedJobs: InterruptedJobs;
  workerLoss: WorkerLoss | null;
}

export interface InterruptedActions {
  /** The worker was lost: records the jobs running in it (before their calls reject). */
  noteWorkerLost: (reason: string) => void;
  /** The replacement worker is set up (or recovery gave up): the jobs can be restarted. */
  settleInterruptedJobs: () => void;
  /** The recovery resumed this job from its checkpoint by itself (training, recipe run). */
  markJobResumed: (slot: JobKind) => void;
  /** Runs the interrupted job again with the same settings. */
  restartJob: (slot: JobKind) => Promise<void>;
  dismissInterruptedJob: (slot: JobKind) => void;
}

export type InterruptedSlice = InterruptedValues & InterruptedActions;

export const INTERRUPTED_DEFAULT: InterruptedValues = {
  interruptedJobs: {},
  workerLoss: null,
};

export const createInterruptedSlice: StateCreator<LabState, [], [], InterruptedSlice> = (
  set,
  get,
) => ({
  ...INTERRUPTED_DEFAULT,
  noteWorkerLost: (reason) =>
    set((s) => ({
      interruptedJobs: recordInterrupted(
        s.interruptedJobs,
        [...Object.values(s.jobs), s.measureJob],
        reason,
      ),
      workerLoss: { reason, count: (s.workerLoss?.count ?? 0) + 1, at: Date.now() },
    })),
  settleInterruptedJobs: () =>
    set((s) => ({ interruptedJobs: settleInterrupted(s.interruptedJobs) })),
  markJobResumed: (slot) =>
    set((s) => ({ interruptedJobs: withInterruptedState(s.interruptedJobs, slot, 'resumed') })),
  restartJob: async (slot) => {
    const record = get().interruptedJobs[slot];
    if (record?.state !== 'ready') return;
    set((s) => ({ interruptedJobs: withoutInterrupted(s.interruptedJobs, slot) }));
    await runJobSpec(get, set, record.spec);
  },
  dismissInterruptedJob: (slot) =>
    set((s) => ({ interruptedJobs: withoutInterrupted(s.interruptedJobs, slot) })),
});
