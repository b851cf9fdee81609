/**
 * Train slice: the training configuration, the run's status (idle → running ⇄ paused → done /
 * cancelled / error) and the per-step metrics that feed the charts. A run's network replaces the
 * current one when it ends (./train-replace.ts; its NetworkChange comes with the summary): Start
 * asks first when the stack could not keep the current network for Undo (trainConfirm), and the
 * run remembers which network it replaces.
 */
import type { StateCreator } from 'zustand';
import type {
  JobProgress,
  MetricPoint,
  NetworkInfo,
  TrainConfig,
  TrainSummary,
} from '../worker/lab-types';
import type { StackView } from '../worker/stack-state';
import { callback, errorMessage, getLab } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import type { LabState } from './lab-store';
import type { TrainResume } from './recovery-slice';
import { trainRun } from './history-runs';
import { needsTrainConfirm } from './train-replace';

export type TrainStatus = 'idle' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';
export type TrainSettings = Omit<TrainConfig, 'model'>;

export interface TrainValues {
  trainSettings: TrainSettings;
  trainStatus: TrainStatus;
  metrics: MetricPoint[];
  trainSummary: TrainSummary | null;
  trainError: string | null;
  /** Model name of the last run (metrics belong to it). */
  trainedModel: string | null;
  /** Start was pressed while the current network is not kept for undo: asking first. */
  trainConfirm: boolean;
  /** The network that was current when the last run started (its end replaces it). */
  trainReplaced: NetworkInfo | null;
  /** Whether the stack kept that network for Undo. */
  trainReplacedKept: boolean;
  /** Content key of the network current when the last run ended (its metrics describe it). */
  trainNetworkKey: string | null;
}

export interface TrainActions {
  setTrainSettings: (patch: Partial<TrainSettings>) => void;
  /** Starts a run, or continues an interrupted one from its checkpoint (recovery-slice.ts). */
  startTraining: (resume?: TrainResume) => Promise<void>;
  /** "Train anyway": starts the run the confirmation held back. */
  confirmTraining: () => Promise<void>;
  /** "Keep the current network": no run. */
  dismissTrainConfirm: () => void;
  pauseTraining: () => Promise<void>;
  resumeTraining: () => Promise<void>;
  cancelTraining: () => Promise<void>;
}

export type TrainSlice = TrainValues & TrainActions;

export const TRAIN_DEFAULT: TrainValues = {
  trainSettings: {
    epochs: 1,
    batchSize: 32,
    learningRate: 0.05,
    augment: { cropFlip: true, cutout: false, autoAugment: false },
    seed: 1,
    limit: null,
    maxSeconds: null,
  },
  trainStatus: 'idle',
  metrics: [],
  trainSummary: null,
  trainError: null,
  trainedModel: null,
  trainConfirm: false,
  trainReplaced: null,
  trainReplacedKept: false,
  trainNetworkKey: null,
};

/** The worker's stack as it is now (the store's copy may lag a job's end); null: not known. */
async function stackNow(fallback: StackView | null): Promise<StackView | null> {
  try {
    return await getLab().networkStack();
  } catch {
    return fallback;
  }
}

/** Returns an error message when the settings cannot be run, else null. */
export function validateTrainSettings(s: TrainSettings): string | null {
  if (!Number.isInteger(s.epochs) || s.epochs < 1)
    return `Epochs must be a whole number ≥ 1 (got ${s.epochs})`;
  if (!Number.isInteger(s.batchSize) || s.batchSize < 2) {
    return `Batch size must be a whole number ≥ 2 (got ${s.batchSize})`;
  }
  if (!(s.learningRate > 0) || !Number.isFinite(s.learningRate)) {
    return `Learning rate must be a positive number (got ${s.learningRate})`;
  }
  const limit = s.limit ?? null;
  if (limit !== null && !(Number.isInteger(limit) && limit >= s.batchSize))
    return `Training images must be a whole number ≥ the batch size, or empty for all (got ${limit})`;
  const budget = s.maxSeconds ?? null;
  if (budget !== null && !(budget > 0 && Number.isFinite(budget)))
    return `Time budget must be a positive number of seconds, or empty for none (got ${budget})`;
  return null;
}

export const createTrainSlice: StateCreator<LabState, [], [], TrainSlice> = (set, get) => {
  /** Checks, then asks first when the run would replace a network Undo cannot bring back. */
  const start = async (resume: TrainResume | undefined, confirmed: boolean): Promise<void> => {
    const s = get();
    if (s.jobs.train) return;
    const invalid = validateTrainSettings(s.trainSettings);
    if (invalid) {
      set({ trainError: invalid, trainStatus: 'error' });
      return;
    }
    const stack = s.network ? await stackNow(s.networkStack) : s.networkStack;
    if (get().jobs.train) return; // a second click while the stack was asked
    const network = get().network;
    if (!resume && !confirmed && needsTrainConfirm(network, stack)) {
      set({ trainConfirm: true, networkStack: stack }); // the note reads the stack just asked
      return;
    }
    set({
      trainConfirm: false,
      trainReplaced: network,
      trainReplacedKept: stack?.currentKept ?? false,
    });
    await run(resume);
  };

  const run = async (resume: TrainResume | undefined): Promise<void> => {
    const s = get();
    await s.cancelMeasurement(); // training changes the network a measurement is reading
    const config: TrainConfig = resume?.config ?? { ...s.trainSettings, model: s.modelName };
    const id = s.beginJob('train', `Training ${config.model}`, { kind: 'train', config });
    set({
      trainStatus: 'running',
      metrics: resume?.metrics ?? [],
      trainSummary: null,
      trainError: null,
      trainedModel: config.model,
      trainNetworkKey: null,
      evalResult: null,
    });
    const onMetrics = callback((points: MetricPoint[]) =>
      set((st) => ({ metrics: st.metrics.concat(points) })),
    );
    const onProgress = callback((p: JobProgress) => get().reportJob('train', id, p));
    try {
      const { change, ...summary } = resume
        ? await getLab().resumeRun(id, onMetrics, onProgress)
        : await getLab().train(id, config, onMetrics, onProgress);
      get().applyNetworkChange(change);
      set({
        trainSummary: summary,
        trainStatus: summary.cancelled ? 'cancelled' : 'done',
        trainNetworkKey: change.networkKey,
      });
      if (summary.steps > 0) void get().recordRun(trainRun(config.model, summary));
    } catch (err) {
      set({ trainStatus: 'error', trainError: errorMessage(err) });
      // The network stays, but what the worker derived from it was dropped (new score inputs).
      if (!isWorkerLost(err)) await get().refreshNetwork();
      set({ trainNetworkKey: get().currentNetworkKey });
    } finally {
      get().finishJob('train', id);
    }
  };

  return {
    ...TRAIN_DEFAULT,
    setTrainSettings: (patch) =>
      set((s) => ({ trainSettings: { ...s.trainSettings, ...patch }, trainConfirm: false })),
    startTraining: (resume) => start(resume, false),
    confirmTraining: () => start(undefined, true),
    dismissTrainConfirm: () => set({ trainConfirm: false }),
    pauseTraining: async () => {
      const job = get().jobs.train;
      if (!job || get().trainStatus !== 'running') return;
      await getLab().pauseTraining(job.id);
      set({ trainStatus: 'paused' });
    },
    resumeTraining: async () => {
      const job = get().jobs.train;
      if (!job || get().trainStatus !== 'paused') return;
      await getLab().resumeTraining(job.id);
      set({ trainStatus: 'running' });
    },
    cancelTraining: () => get().cancelJob('train'),
  };
};
