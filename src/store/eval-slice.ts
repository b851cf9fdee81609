/**
 * Evaluate slice: top-1 / top-5 / loss (and early-exit top-1 / exit rate for a network with an
 * exit head) of the worker's current network on the test split, or its first N images. Each
 * result joins the (network, recipe) record of its network (./measure-records.ts) and History.
 */
import type { StateCreator } from 'zustand';
import type { EvalResult, JobProgress } from '../worker/lab-types';
import { callback, errorMessage, getLab, isAbort } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import { measureInputOfEvaluation, pairOfEvaluation } from './history-pairs';
import type { LabState } from './lab-store';

export interface EvalValues {
  evalBatchSize: number;
  /** Evaluate the first N test images (null: all). */
  evalLimit: number | null;
  evalResult: EvalResult | null;
  evalError: string | null;
  evalNotice: string | null;
  /** Completed evaluations so far. */
  evalRuns: number;
}

export interface EvalActions {
  setEvalBatchSize: (n: number) => void;
  setEvalLimit: (n: number | null) => void;
  startEvaluation: () => Promise<void>;
  cancelEvaluation: () => Promise<void>;
}

export type EvalSlice = EvalValues & EvalActions;

export const EVAL_DEFAULT: EvalValues = {
  evalBatchSize: 100,
  evalLimit: null,
  evalResult: null,
  evalError: null,
  evalNotice: null,
  evalRuns: 0,
};

export const createEvalSlice: StateCreator<LabState, [], [], EvalSlice> = (set, get) => ({
  ...EVAL_DEFAULT,
  setEvalBatchSize: (n) => set({ evalBatchSize: n }),
  setEvalLimit: (n) => set({ evalLimit: n, evalError: null }),
  startEvaluation: async () => {
    const s = get();
    if (s.jobs.evaluate) return;
    if (!Number.isInteger(s.evalBatchSize) || s.evalBatchSize < 1) {
      set({ evalError: `Batch size must be a whole number ≥ 1 (got ${s.evalBatchSize})` });
      return;
    }
    const limit = s.evalLimit;
    if (limit !== null && !(Number.isInteger(limit) && limit >= 1)) {
      set({ evalError: `Test images must be a whole number ≥ 1, or empty for all (got ${limit})` });
      return;
    }
    const what = limit === null ? 'the test split' : `the first ${limit} test images`;
    const id = s.beginJob('evaluate', `Evaluating on ${what}`, {
      kind: 'evaluate',
      batchSize: s.evalBatchSize,
      ...(limit !== null ? { limit } : {}),
    });
    set({ evalError: null, evalNotice: null });
    const onProgress = callback((p: JobProgress) => get().reportJob('evaluate', id, p));
    try {
      const { change, ...evalResult } = await getLab().evaluate(
        id,
        { batchSize: s.evalBatchSize, ...(limit !== null ? { limit } : {}) },
        s.trainedModel ?? s.modelName,
        onProgress,
      );
      get().applyNetworkChange(change); // a network built to evaluate, or its measured exit rate
      set((st) => ({ evalResult, evalRuns: st.evalRuns + 1 }));
      void get().addMeasurement(measureInputOfEvaluation(evalResult));
      void get().recordRun({ kind: 'measured', pair: pairOfEvaluation(evalResult) });
    } catch (err) {
      if (isAbort(err)) set({ evalNotice: 'Evaluation cancelled.' });
      else if (!isWorkerLost(err)) set({ evalError: errorMessage(err) }); // said by its record
    } finally {
      get().finishJob('evaluate', id);
    }
  },
  cancelEvaluation: () => get().cancelJob('evaluate'),
});
