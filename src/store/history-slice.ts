/**
 * History slice (History panel): every run that changed the network (train, import, prune,
 * schedule) and every measured recipe edit, newest first, persisted in IndexedDB
 * (persist/history-db.ts). A network run saves the network's lab checkpoint (unless it is over
 * CHECKPOINT_CAP_BYTES); a measured edit links to the checkpoint of the network it was measured
 * on (`currentCheckpoint`), saving one only when that network has none yet. A failed write is
 * shown (StorageError message) and the run stays in memory for the session, its checkpoint
 * bytes too. Restore: the network through the Model panel's import path, the recipe through the
 * Score panel's URL-recipe action. Records run one at a time, in call order. A (network, recipe)
 * pair has one 'edit' row (history-pairs.ts): measuring it again updates that row.
 * Recording lives in ./history-recorder.ts, the state and its defaults in ./history-types.ts.
 */
import type { StateCreator } from 'zustand';
import { errorMessage } from '../client/lab-client';
import { recipeJson, searchWithRecipe, type Recipe } from '../core/recipe/index';
import {
  getHistoryDb,
  type HistoryDb,
  type RunRecord,
  type StoredCheckpoint,
} from '../persist/history-db';
import { scoreOf } from './history-pairs';
import { createHistoryRecorder, isMeasured, sameNetwork, type Snapshot } from './history-recorder';
import { HISTORY_DEFAULT, type HistoryRun, type HistorySlice } from './history-types';
import type { LabState } from './lab-store';

export { HISTORY_DEFAULT } from './history-types';
export type {
  CurrentCheckpoint,
  HistoryActions,
  HistoryRun,
  HistorySlice,
  HistoryValues,
} from './history-types';

function toRecord(run: HistoryRun): RunRecord {
  const out: RunRecord & { saved?: boolean } = { ...run };
  delete out.saved;
  return out;
}

export const createHistorySlice: StateCreator<LabState, [], [], HistorySlice> = (set, get) => {
  /** Checkpoint bytes not (yet) in IndexedDB: restorable this session. */
  const memory = new Map<string, StoredCheckpoint>();
  let queue: Promise<void> = Promise.resolve();
  let restoring: string | null = null;
  const { fail, persist, record } = createHistoryRecorder(set, get, memory);

  const checkpointBytes = async (id: string): Promise<StoredCheckpoint | undefined> =>
    memory.get(id) ?? (await getHistoryDb()).getCheckpoint(id);

  const restoreRecipe = (recipe: Recipe) => {
    get().loadRecipeFromUrl(`?recipe=${encodeURIComponent(recipeJson(recipe))}`);
    if (typeof window === 'undefined') return;
    const { pathname, search, hash } = window.location;
    const next = `${pathname}${searchWithRecipe(search, recipe)}${hash}`;
    window.history.replaceState(window.history.state, '', next);
  };

  /** Imports the saved network through the Model panel's import; throws when it did not take. */
  const restoreNetwork = async (run: HistoryRun, checkpointId: string): Promise<void> => {
    const ckpt = await checkpointBytes(checkpointId);
    if (!ckpt) throw new Error('its saved network is missing from browser storage');
    const file = new File([ckpt.bytes as Uint8Array<ArrayBuffer>], ckpt.fileName, {
      type: 'application/octet-stream',
    });
    restoring = checkpointId;
    try {
      await get().importFile(file);
    } finally {
      restoring = null;
    }
    const err = get().importError;
    if (err !== null) throw new Error(err);
    if (get().network?.name !== run.model)
      throw new Error(`the import did not make ${run.model} current`);
  };

  /** Drops what only `removed` used: its in-memory checkpoint and the current link. */
  const forgetCheckpoint = (removed: HistoryRun) => {
    const ckpt = removed.checkpointId;
    if (ckpt === null || get().runs.some((r) => r.checkpointId === ckpt)) return;
    memory.delete(ckpt);
    if (get().currentCheckpoint?.id === ckpt) set({ currentCheckpoint: null });
  };

  /** Before `run` is deleted: copies its checkpoint to memory when an unsaved run still needs it. */
  const keepForUnsaved = async (run: HistoryRun, db: HistoryDb) => {
    const ckpt = run.checkpointId;
    if (ckpt === null || memory.has(ckpt)) return;
    if (!get().runs.some((r) => r.id !== run.id && !r.saved && r.checkpointId === ckpt)) return;
    const stored = await db.getCheckpoint(ckpt);
    if (stored) memory.set(ckpt, stored);
  };

  return {
    ...HISTORY_DEFAULT,
    loadHistory: async () => {
      void get().loadRecords();
      try {
        const stored = await (await getHistoryDb()).listRuns();
        set((s) => {
          const known = new Set(s.runs.map((r) => r.id));
          const loaded = stored.filter((r) => !known.has(r.id)).map((r) => ({ ...r, saved: true }));
          return { runs: [...s.runs, ...loaded], historyLoaded: true };
        });
      } catch (e) {
        set({
          historyLoaded: true,
          historyError: `Could not read the saved runs: ${errorMessage(e)}. New runs are kept for this session only.`,
        });
      }
    },
    recordRun: (input) => {
      const s = get();
      const editScore = isMeasured(input) ? scoreOf(s.score) : null;
      const snap: Snapshot = {
        input,
        recipe: s.recipe,
        exitRateOverride: s.exitRateOverride,
        editScore,
        restoring,
        inputs: s.scoreInputs,
        time: Date.now(),
      };
      queue = queue.then(() => record(snap));
      return queue;
    },
    saveUnsaved: async () => {
      set({ historyError: null });
      for (const run of get()
        .runs.filter((r) => !r.saved)
        .reverse())
        await persist(toRecord(run));
    },
    toggleCompare: (id) =>
      set((s) => ({
        compareIds: s.compareIds.includes(id)
          ? s.compareIds.filter((x) => x !== id)
          : [...s.compareIds, id].slice(-2),
      })),
    selectRun: (id) => set({ selectedRunId: id }),
    restoreRun: async (id) => {
      const run = get().runs.find((r) => r.id === id);
      const s = get();
      if (!run || s.restoringRunId !== null) return;
      if (s.jobs.model || s.jobs.train || s.jobs.evaluate || s.jobs.prune || s.jobs.analyse) {
        set({ historyError: 'The network is busy (a job is running): restore once it is done.' });
        return;
      }
      set({ restoringRunId: id, historyError: null, historyNotice: null, selectedRunId: id });
      try {
        const ckpt = run.checkpointId;
        const isCurrent =
          s.currentCheckpoint?.id === ckpt &&
          sameNetwork(s.currentCheckpoint, s.scoreInputs?.networkId);
        if (ckpt !== null && !isCurrent) await restoreNetwork(run, ckpt);
        restoreRecipe(run.recipe);
        const what =
          ckpt === null
            ? 'its recipe (no saved network: the current one is kept)'
            : `${run.model} and its recipe`;
        set({ historyNotice: `Restored "${run.label}": ${what}.` });
      } catch (e) {
        set({ historyError: `Could not restore "${run.label}": ${errorMessage(e)}` });
      } finally {
        set({ restoringRunId: null });
      }
    },
    deleteRun: async (id) => {
      const run = get().runs.find((r) => r.id === id);
      if (!run) return;
      try {
        if (run.saved) {
          const db = await getHistoryDb();
          await keepForUnsaved(run, db);
          await db.deleteRun(id);
        }
      } catch (e) {
        fail(e, `Could not delete "${run.label}"`);
        return;
      }
      set((s) => ({
        runs: s.runs.filter((r) => r.id !== id),
        compareIds: s.compareIds.filter((x) => x !== id),
        selectedRunId: s.selectedRunId === id ? null : s.selectedRunId,
      }));
      forgetCheckpoint(run);
    },
    clearHistory: async () => {
      try {
        await (await getHistoryDb()).clear();
      } catch (e) {
        fail(e, 'Could not clear the history');
        return;
      }
      memory.clear();
      set({
        records: {},
        runs: [],
        compareIds: [],
        selectedRunId: null,
        currentCheckpoint: null,
        historyError: null,
        historyNotice: 'History cleared.',
      });
    },
    dismissHistoryMessage: () => set({ historyError: null, historyNotice: null }),
  };
};
