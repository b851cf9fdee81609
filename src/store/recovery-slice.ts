/**
 * Recovery slice: brings the lab back to where the user was after a worker crash, a WebGPU
 * device loss or a hang (lab-client.ts restarts the worker and calls recoverWorker) and after a
 * reload (restoreSession at start-up). Either way it re-initialises the backend with the same
 * preference, restores the dataset from its browser cache and the network from the session
 * database (persist/session-db.ts), and — when a training run was in progress — resumes it from
 * its last epoch checkpoint (train slice's startTraining with `resume`), then says in a notice
 * what happened and what came back. It also keeps the recipe in the session (debounced), shows
 * failed session writes (StorageError messages) and listens to the worker's other events (epoch
 * checkpoints, the undo stack's view). Loop guards: a run is resumed automatically at
 * most MAX_RESUMES times from the same checkpoint (a newer checkpoint resets the count), so a run
 * that kills its worker every time does not loop forever; and after MAX_RESTARTS restarts in a row
 * whose backend never came up (a worker that dies at start-up), recovery gives up instead of
 * starting workers without end. Training resumes in ./train-run-recovery.ts, an interrupted
 * "Run recipe" the same way in ./recipe-run-recovery.ts. The jobs the lost worker was running
 * are recorded at once (noteWorkerLost) and offered for "Restart job" once the new worker is set
 * up (./interrupted-slice.ts).
 */
import type { StateCreator } from 'zustand';
import { sessionDb } from '../persist/session-db';
import { StorageError, storageError } from '../persist/storage-error';
import { errorMessage, getLab, onLabEvent, onLabLost, type LabEvent } from '../client/lab-client';
import type { MetricPoint, TrainConfig } from '../worker/lab-types';
import type { WithChange } from '../protocol/network-change';
import type { SessionRestore } from '../worker/session-service';
import { JOBS_DEFAULT } from './jobs-slice';
import type { LabState } from './lab-store';
import { continueRecipeRun } from './recipe-run-recovery';
import { readRecipeParam, recipeJson, searchWithRecipe } from '../core/recipe/index';
import { continueTrainRun, showFinishedRun } from './train-run-recovery';

export { MAX_RESUMES } from './train-run-recovery';

export const MAX_RESTARTS = 3;
export const RECIPE_SAVE_MS = 500;

/** A training run continued from its last checkpoint (train slice's startTraining). */
export interface TrainResume {
  config: TrainConfig;
  /** The metrics up to the checkpoint; the resumed run appends the rest. */
  metrics: MetricPoint[];
}

export interface RecoveryNotice {
  kind: 'crash' | 'reload';
  text: string;
}

export interface CheckpointState {
  epochsCompleted: number;
  epochs: number;
  saved: boolean;
}

export interface RecoveryValues {
  /** idle → restoring (reload) / recovering (crash) → idle; failed when restoring threw. */
  recoveryPhase: 'idle' | 'restoring' | 'recovering' | 'failed';
  recoveryNotice: RecoveryNotice | null;
  /** The last failed session write (a StorageError message), shown until dismissed. */
  sessionError: string | null;
  /** The running training's last epoch checkpoint. */
  lastCheckpoint: CheckpointState | null;
  /** Automatic resumes after a crash in a row from the same checkpoint (key: run + epoch). */
  resumeStreak: { key: string; count: number } | null;
  /** Worker restarts in a row whose backend did not initialise. */
  failedRestarts: number;
}

export interface RecoveryActions {
  /** Start-up: watch the worker, restore recipe, dataset, network and an interrupted run. */
  restoreSession: () => Promise<void>;
  /** After lab-client restarted a lost worker: restore everything into the new one. */
  recoverWorker: (reason: string) => Promise<void>;
  dismissRecoveryNotice: () => void;
  dismissSessionError: () => void;
}

export type RecoverySlice = RecoveryValues & RecoveryActions;

export const RECOVERY_DEFAULT: RecoveryValues = {
  recoveryPhase: 'idle',
  recoveryNotice: null,
  sessionError: null,
  lastCheckpoint: null,
  resumeStreak: null,
  failedRestarts: 0,
};

/** "a, b and c" */
function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]!}`;
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const createRecoverySlice: StateCreator<LabState, [], [], RecoverySlice> = (
  set,
  get,
  api,
) => {
  let chain: Promise<void> = Promise.resolve();
  let started = false;
  let recipeTimer: ReturnType<typeof setTimeout> | null = null;

  /** Runs recoveries one after another (a crash during a recovery waits its turn). */
  const queue = (task: () => Promise<void>): Promise<void> => {
    chain = chain.then(task).catch((err: unknown) =>
      set({
        recoveryPhase: 'failed',
        recoveryNotice: { kind: 'crash', text: `Recovery failed: ${errorMessage(err)}` },
      }),
    );
    return chain;
  };

  const onEvent = (e: LabEvent) => {
    if (e.kind === 'checkpoint') {
      const { epochsCompleted, epochs, saved } = e;
      set({ lastCheckpoint: { epochsCompleted, epochs, saved }, resumeStreak: null }); // progress
    } else if (e.kind === 'storage-error') {
      set({ sessionError: e.message });
    } else if (e.kind === 'stack') {
      set({ networkStack: e.view }); // the undo stack kept (or loaded) a network
    }
  };

  const saveRecipeSoon = () => {
    if (recipeTimer !== null) clearTimeout(recipeTimer);
    recipeTimer = setTimeout(() => {
      recipeTimer = null;
      const recipe = get().recipe;
      void sessionDb()
        .then((db) => db.saveRecipe(recipe))
        .catch((err: unknown) => {
          const e = err instanceof StorageError ? err : storageError('the recipe', err);
          set({ sessionError: e.message });
        });
    }, RECIPE_SAVE_MS);
  };

  /** The session's recipe when the URL has none (a bad one keeps its error); true when applied. */
  const restoreRecipe = async (): Promise<boolean> => {
    if (typeof window === 'undefined') return false;
    const inUrl = readRecipeParam(window.location.search);
    if (inUrl.recipe || inUrl.error !== null) return false;
    const saved = (await sessionDb().then((db) => db.load())).recipe;
    if (!saved || recipeJson(saved) === '{}' || recipeJson(get().recipe) !== '{}') return false;
    const search = searchWithRecipe(window.location.search, saved);
    get().loadRecipeFromUrl(search);
    if (get().recipeError !== null) return false;
    const { pathname, hash } = window.location;
    window.history.replaceState(window.history.state, '', `${pathname}${search}${hash}`);
    return true;
  };

  /** Restores network + run into the (new) worker; returns the notice's clauses. */
  const restoreWorkerState = async (
    crash: boolean,
    hadData: boolean,
    restored: string[] = [],
  ): Promise<string[]> => {
    const r: WithChange<SessionRestore> = await getLab().restoreSession();
    get().applyNetworkChange(r.change); // the restored network, its score inputs (a new id)
    const dataBack = !!get().summary;
    if (dataBack && (crash || r.network || r.run)) restored.push('the dataset');
    const run = r.run;
    if (r.network) {
      const fromEpoch = run?.status === 'running' && run.epochsCompleted > 0;
      restored.push(
        fromEpoch
          ? `the network from epoch ${run.epochsCompleted}`
          : `the network ${r.network.name}`,
      );
    }
    const clauses = restored.length ? [`restored ${listText(restored)}`] : [];
    if (crash && hadData && !dataBack)
      clauses.push('the dataset is not in the browser cache: load it again');
    if (r.problem) clauses.push(r.problem);
    if (run?.status === 'running') clauses.push(await continueTrainRun(set, get, run, crash));
    else if (run && !crash) showFinishedRun(set, get, run);
    clauses.push(...(await continueRecipeRun(get, set, crash)));
    return clauses;
  };

  const recover = async (reason: string): Promise<void> => {
    const failed = get().failedRestarts;
    if (failed >= MAX_RESTARTS) {
      // Each restart's worker died before its backend came up: starting more would never end.
      set({ backendStatus: 'error', backendError: `The worker stopped (${reason}).` });
      throw new Error(
        `the worker stopped ${failed + 1} times in a row before its backend started ` +
          `(last: ${reason}). Reload the page to try again.`,
      );
    }
    const hadData = !!get().summary;
    set({
      recoveryPhase: 'recovering',
      recoveryNotice: { kind: 'crash', text: `The worker stopped (${reason}). Restoring…` },
      jobs: { ...JOBS_DEFAULT.jobs }, // their calls were rejected; nothing runs in the new worker
      measureJob: null,
      scheduleSaved: null, // the schedule's progress lived in the old worker
      backendStatus: 'starting',
      summary: null,
      failedRestarts: failed + 1,
      // A new worker: the network (and its id) comes back fresh, so nothing measured on or
      // saved from the old one applies until the score inputs are read again.
      scoreInputs: null,
      currentCheckpoint: null,
      measurement: null,
      fullMeasurement: null,
      measureState: 'idle',
      measureError: null,
    });
    try {
      const backend = await getLab().init(get().preference);
      set({ backend, backendStatus: 'ready', backendError: null, failedRestarts: 0 });
    } catch (err) {
      set({ backendStatus: 'error', backendError: errorMessage(err) });
    }
    await get().restoreCachedDataset();
    const clauses = await restoreWorkerState(true, hadData);
    const text = [`The worker stopped (${reason}).`, ...clauses.map((c) => `${capitalised(c)}.`)];
    set({ recoveryPhase: 'idle', recoveryNotice: { kind: 'crash', text: text.join(' ') } });
  };

  const restore = async (): Promise<void> => {
    set({ recoveryPhase: 'restoring' });
    let recipeBack = false;
    try {
      recipeBack = await restoreRecipe();
    } catch (err) {
      set({ sessionError: `The saved recipe could not be read: ${errorMessage(err)}` });
    }
    api.subscribe((s, prev) => {
      if (s.recipe !== prev.recipe) saveRecipeSoon();
    });
    await get().initBackend(get().preference);
    await get().restoreCachedDataset();
    const clauses = await restoreWorkerState(false, false, recipeBack ? ['the recipe'] : []);
    const text = clauses.map((c) => `${capitalised(c)}.`).join(' ');
    set({
      recoveryPhase: 'idle',
      recoveryNotice: text ? { kind: 'reload', text: `Welcome back. ${text}` } : null,
    });
  };

  return {
    ...RECOVERY_DEFAULT,
    restoreSession: () => {
      if (started) return chain;
      started = true;
      onLabLost((reason) => {
        get().noteWorkerLost(reason); // before the lost jobs' calls reject
        void get().recoverWorker(reason);
      });
      onLabEvent(onEvent);
      return queue(restore);
    },
    recoverWorker: (reason) =>
      queue(() => recover(reason)).then(() => get().settleInterruptedJobs()),
    dismissRecoveryNotice: () => set({ recoveryNotice: null }),
    dismissSessionError: () => set({ sessionError: null }),
  };
};
