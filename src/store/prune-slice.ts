/**
 * Prune slice (Pruning panel): the PruneSpec being edited (method, global ratio, per-layer cap,
 * per-group / per-layer ratios — prune-edit.ts), the live plan of that prune on the current
 * network, the one-shot prune and the gradual schedule (progress, per-iteration records, cancel,
 * resume from the last finished iteration kept in the worker). The plan is asked of the worker
 * PLAN_DEBOUNCE_MS after the last edit, or after the network, the recipe, the exit rate or the
 * analysis changed (the store watches them; the panel only reads). This debounce is the only
 * one: the worker plans what it is asked. One plan is in flight at a time; a request made
 * meanwhile waits for it, and only the newest answer is shown. After a prune or a finished
 * schedule the smaller network is current everywhere (its NetworkChange, network-slice.ts). The
 * notice and the schedule's curve keep the key of the network they describe (pruneNetworkKey):
 * after another network becomes current they are labelled stale.
 */
import type { StateCreator } from 'zustand';
import type { PruneMethod, PruneSpec } from '../core/recipe/index';
import type {
  JobProgress,
  PruneOutcome,
  PrunePlan,
  SliceAccuracy,
  ScheduleIteration,
  ScheduleSaved,
} from '../worker/lab-types';
import { callback, errorMessage, getLab, isAbort } from '../client/lab-client';
import { isWorkerLost } from '../client/worker-watchdog';
import type { LabState } from './lab-store';
import { pruneRun, scheduleRun } from './history-runs';
import { sliceInput } from './measure-records';
import {
  PRUNE_SPEC_DEFAULT,
  SCHEDULE_DEFAULT,
  scheduleSettingsError,
  scheduleSpec,
  suggestedRatios,
  withLimit,
  withMethod,
  withoutRowRatios,
  withRatio,
  withRowRatio,
  type ScheduleSettings,
} from './prune-edit';

export const PLAN_DEBOUNCE_MS = 150;

/** idle → pending (edit settling) → planning → done | error. */
export type PlanState = 'idle' | 'pending' | 'planning' | 'done' | 'error';
export type ScheduleStatus = 'idle' | 'running' | 'completed' | 'stopped' | 'cancelled' | 'error';

export interface PruneValues {
  pruneSpec: PruneSpec;
  plan: PrunePlan | null;
  planState: PlanState;
  planError: string | null;
  /** The group (channels) or layer (eigenbasis) edited last: its coupled rows are highlighted. */
  editedRow: string | null;
  pruneOutcome: PruneOutcome | null;
  pruneError: string | null;
  pruneNotice: string | null;
  scheduleSettings: ScheduleSettings;
  scheduleStatus: ScheduleStatus;
  scheduleHistory: ScheduleIteration[];
  /** The unfinished schedule the worker keeps (offer "Resume"). */
  scheduleSaved: ScheduleSaved | null;
  /** Content key of the network the notice and the schedule's curve describe (null: none). */
  pruneNetworkKey: string | null;
}

export interface PruneActions {
  setPruneMethod: (m: PruneMethod) => void;
  setPruneRatio: (r: number) => void;
  setPruneLimit: (l: number) => void;
  /** Ratio of a group (channels) or layer (eigenbasis); null returns it to the threshold. */
  setRowRatio: (key: string, ratio: number | null) => void;
  clearRowRatios: () => void;
  /** Fills every row's ratio from the global threshold and the cap. */
  suggestRatios: () => Promise<void>;
  /** Plans again after PLAN_DEBOUNCE_MS (the store calls it on every input of the plan). */
  requestPlan: () => void;
  setScheduleSettings: (patch: Partial<ScheduleSettings>) => void;
  pruneNow: () => Promise<void>;
  runSchedule: (resume: boolean) => Promise<void>;
  cancelPruneJob: () => Promise<void>;
  /** Asks the worker for its kept schedule (after a failed run; else it comes in a change). */
  refreshSavedSchedule: () => Promise<void>;
}

export type PruneSlice = PruneValues & PruneActions;

export const PRUNE_DEFAULT: PruneValues = {
  pruneSpec: PRUNE_SPEC_DEFAULT,
  plan: null,
  planState: 'idle',
  planError: null,
  editedRow: null,
  pruneOutcome: null,
  pruneError: null,
  pruneNotice: null,
  scheduleSettings: SCHEDULE_DEFAULT,
  scheduleStatus: 'idle',
  scheduleHistory: [],
  scheduleSaved: null,
  pruneNetworkKey: null,
};

/** Why nothing can be pruned now (null: it can). */
export function pruneBlocker(s: LabState): string | null {
  if (!s.network) return 'No current network: import, train or evaluate one first.';
  if (s.jobs.prune) return 'A prune is running.';
  if (s.jobs.train || s.jobs.evaluate || s.jobs.model || s.jobs.analyse)
    return 'The network is busy (training, evaluating, importing or analysing).';
  return null;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** " Top-1 on the first 500 test images: 12.40 % → 9.80 % (an estimate)." or "". */
function sliceText(r: PruneOutcome): string {
  const a = r.accuracy;
  if (!a) return '';
  const top = (x: SliceAccuracy) => x.top1EarlyExit ?? x.top1;
  return ` Top-1 on the first ${fmt(a.after.n)} test images: ${pct(top(a.before))} → ${pct(top(a.after))} (an estimate: the full test set decides).`;
}

/** True when the plan of `s` may differ from that of `prev` (beside edits of the spec). */
function planInputsChanged(s: LabState, prev: LabState): boolean {
  return (
    s.network !== prev.network ||
    s.recipe !== prev.recipe ||
    s.exitRate?.rate !== prev.exitRate?.rate ||
    s.analysis?.analysisId !== prev.analysis?.analysisId
  );
}

/** What a new current network makes out of date (the evaluation belonged to the old one). */
const NEW_NETWORK = {
  evalResult: null,
  evalNotice: null,
  evalError: null,
  editedRow: null,
} satisfies Partial<LabState>;

export const createPruneSlice: StateCreator<LabState, [], [], PruneSlice> = (set, get, api) => {
  let debounce: ReturnType<typeof setTimeout> | null = null;
  let request = 0;
  let inFlight = false;
  let waiting = false;

  const plan = async (): Promise<void> => {
    debounce = null;
    if (inFlight) {
      waiting = true; // planned once the answer on its way is in
      return;
    }
    const s = get();
    const mine = ++request;
    if (!s.network) {
      set({ plan: null, planState: 'idle', planError: null });
      return;
    }
    inFlight = true;
    set({ planState: 'planning' });
    try {
      const p = await getLab().planPrune(s.pruneSpec, s.recipe, s.exitRate?.rate ?? null);
      if (mine === request) set({ plan: p, planState: 'done', planError: null });
    } catch (err) {
      if (mine === request) set({ planState: 'error', planError: errorMessage(err) });
    } finally {
      inFlight = false;
      if (waiting) {
        waiting = false;
        void plan();
      }
    }
  };

  const requestPlan = () => {
    if (debounce !== null) clearTimeout(debounce);
    request++; // an answer still on its way is now out of date
    set({ planState: 'pending' });
    debounce = setTimeout(() => void plan(), PLAN_DEBOUNCE_MS);
  };

  api.subscribe((s, prev) => {
    if (planInputsChanged(s, prev)) requestPlan();
  });

  const edit = (change: (s: PruneSpec) => PruneSpec, editedRow?: string | null) => {
    try {
      const pruneSpec = change(get().pruneSpec);
      set({ pruneSpec, planError: null, ...(editedRow !== undefined ? { editedRow } : {}) });
    } catch (err) {
      set({ planState: 'error', planError: errorMessage(err) });
      return;
    }
    requestPlan();
  };

  return {
    ...PRUNE_DEFAULT,
    setPruneMethod: (m) => edit((s) => withMethod(s, m), null),
    setPruneRatio: (r) => edit((s) => withRatio(s, r)),
    setPruneLimit: (l) => edit((s) => withLimit(s, l)),
    setRowRatio: (key, ratio) => edit((s) => withRowRatio(s, key, ratio), key),
    clearRowRatios: () => edit(withoutRowRatios, null),
    suggestRatios: async () => {
      const s = get();
      if (!s.network) return;
      const base = withoutRowRatios(s.pruneSpec);
      try {
        const p = await getLab().planPrune(base, s.recipe, s.exitRate?.rate ?? null);
        const layerRatios = suggestedRatios(p);
        edit(() => (Object.keys(layerRatios).length > 0 ? { ...base, layerRatios } : base), null);
      } catch (err) {
        if (!isAbort(err)) set({ planState: 'error', planError: errorMessage(err) });
      }
    },
    requestPlan,
    setScheduleSettings: (patch) =>
      set((s) => ({ scheduleSettings: { ...s.scheduleSettings, ...patch }, pruneError: null })),
    pruneNow: async () => {
      const s = get();
      const blocker = pruneBlocker(s);
      if (blocker) {
        set({ pruneError: blocker });
        return;
      }
      await s.cancelMeasurement(); // the prune replaces the network a measurement is reading
      const label = `Pruning ${s.network?.name ?? ''} (${s.pruneSpec.method})`;
      const id = s.beginJob('prune', label, { kind: 'prune', spec: s.pruneSpec });
      set({ pruneError: null, pruneNotice: null, pruneNetworkKey: null });
      const onProgress = callback((p: JobProgress) => get().reportJob('prune', id, p));
      try {
        const { change, ...r } = await getLab().prune(id, s.pruneSpec, onProgress);
        set((st) => ({
          ...NEW_NETWORK,
          pruneOutcome: r,
          pruneSpec: withoutRowRatios(st.pruneSpec),
          pruneNotice: `Pruned: ${fmt(r.paramsBefore)} → ${fmt(r.paramsAfter)} parameters. The smaller network is now the current one.${sliceText(r)}`,
          pruneNetworkKey: change.networkKey,
        }));
        get().applyNetworkChange(change);
        if (r.accuracy) {
          const { before, after } = r.accuracy;
          void get().addMeasurement(
            sliceInput(before, r.network.name, s.network?.compressedRecipe),
          );
          void get().addMeasurement(sliceInput(after, r.network.name, r.network.compressedRecipe));
        }
        void get().recordRun(pruneRun(r, s.pruneSpec.method));
      } catch (err) {
        if (isAbort(err)) set({ pruneNotice: 'Prune cancelled; the network is unchanged.' });
        else if (!isWorkerLost(err)) set({ pruneError: errorMessage(err) });
        set({ pruneNetworkKey: get().currentNetworkKey });
      } finally {
        get().finishJob('prune', id);
      }
    },
    runSchedule: async (resume) => {
      const s = get();
      const blocker = pruneBlocker(s) ?? scheduleSettingsError(s.scheduleSettings);
      if (blocker) {
        set({ pruneError: blocker });
        return;
      }
      await s.cancelMeasurement();
      const st = s.scheduleSettings;
      const label = resume ? 'Resuming the pruning schedule' : 'Pruning schedule';
      const id = s.beginJob('prune', label, { kind: 'schedule', spec: s.pruneSpec, settings: st });
      set({
        pruneError: null,
        pruneNotice: null,
        pruneNetworkKey: null,
        scheduleStatus: 'running',
        scheduleHistory: resume ? (s.scheduleSaved?.history ?? []) : [],
      });
      // Streamed records can arrive after the final result (comlink callbacks are async): the
      // final history is authoritative, so late ones are dropped.
      const onIteration = callback((r: ScheduleIteration) =>
        set((x) =>
          x.scheduleStatus === 'running' ? { scheduleHistory: [...x.scheduleHistory, r] } : {},
        ),
      );
      const onProgress = callback((p: JobProgress) => get().reportJob('prune', id, p));
      try {
        const { change, ...r } = await getLab().runPruneSchedule(
          id,
          scheduleSpec(s.pruneSpec, st),
          {
            resume,
            epochs: st.epochs,
            learningRate: st.learningRate,
            batchSize: st.batchSize,
            validationRecords: st.validationRecords,
            seed: 1,
          },
          onIteration,
          onProgress,
        );
        set({
          scheduleStatus: r.status,
          scheduleHistory: r.history,
          pruneNetworkKey: change.networkKey,
          ...(r.network
            ? {
                ...NEW_NETWORK,
                pruneNotice: `Schedule ${r.status}: ${fmt(r.paramsBefore)} → ${fmt(r.paramsAfter)} parameters.`,
              }
            : {}),
        });
        get().applyNetworkChange(change); // the new network, or the schedule kept for resume
        if (r.network) void get().recordRun(scheduleRun(r));
      } catch (err) {
        if (isAbort(err)) set({ scheduleStatus: 'cancelled' });
        else
          set({
            scheduleStatus: 'error',
            pruneError: isWorkerLost(err) ? null : errorMessage(err),
          });
        set({ pruneNetworkKey: get().currentNetworkKey });
        await get().refreshSavedSchedule();
      } finally {
        get().finishJob('prune', id);
      }
    },
    cancelPruneJob: () => get().cancelJob('prune'),
    refreshSavedSchedule: async () => {
      try {
        set({ scheduleSaved: await getLab().savedPruneSchedule() });
      } catch {
        // the worker is gone; the panels already show that error
      }
    },
  };
};
