/**
 * The recovery slice's part for training (./recovery-slice.ts calls it after restoring the
 * dataset and the network): the run the session says was in progress resumes from its last epoch
 * checkpoint (train slice's startTraining with `resume`); after a crash at most MAX_RESUMES times
 * in a row from the same checkpoint (a newer checkpoint resets the count), so a run that kills its
 * worker every time does not loop forever. After a reload a finished run's chart comes back.
 */
import { getLab } from '../client/lab-client';
import type { SavedRun } from '../worker/session-service';
import type { LabState } from './lab-store';

export const MAX_RESUMES = 3;

type Get = () => LabState;
type Set = (patch: Partial<LabState>) => void;

/** Shows a finished run's chart and summary again after a reload. */
export function showFinishedRun(set: Set, get: Get, run: SavedRun): void {
  const s = get();
  if (s.jobs.train || s.metrics.length > 0) return;
  const { model, ...trainSettings } = run.config;
  const status = run.summary ? (run.summary.cancelled ? 'cancelled' : 'done') : 'idle';
  set({
    trainSettings,
    modelName: model,
    trainedModel: model,
    metrics: run.metrics,
    trainSummary: run.summary,
    trainStatus: status,
  });
}

/** Resumes (or gives up on) the run the session says was in progress; the notice's clause. */
export async function continueTrainRun(
  set: Set,
  get: Get,
  run: SavedRun,
  crash: boolean,
): Promise<string> {
  const { config } = run;
  const at = `epoch ${run.epochsCompleted + 1} of ${config.epochs}`;
  // The user started a run meanwhile: it replaces the saved one (not abandoned here, as that
  // could mark the new run's record finished).
  if (get().jobs.train) return `training was not resumed at ${at}: a new run was started`;
  const key = JSON.stringify([config, run.epochsCompleted]);
  const streak = get().resumeStreak;
  const count = streak?.key === key ? streak.count : 0;
  let why: string | null = null;
  if (!get().summary?.train) why = 'the train split is not in the browser cache (load it again)';
  else if (crash && count >= MAX_RESUMES)
    why = `the worker stopped ${count + 1} times in a row before the next checkpoint`;
  if (why !== null) {
    await getLab().abandonRun(`not resumed: ${why}`);
    return `training was not resumed at ${at}: ${why}`;
  }
  if (crash) set({ resumeStreak: { key, count: count + 1 } });
  const { model, ...trainSettings } = config;
  set({ trainSettings, modelName: model, lastCheckpoint: null });
  get().markJobResumed('train');
  void get().startTraining({ config, metrics: run.metrics });
  return `training resumes at ${at}`;
}
