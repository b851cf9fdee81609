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
 */
import type { StateCreator } from 'zustand';
import { describeRecipe } from '../format/recipe-label.ts';
import { formatBytes } from '../format/format.ts';
import { recipeJson, searchWithRecipe, type Recipe } from '../core/recipe/index.ts';
import {
  CHECKPOINT_CAP_BYTES,
  getHistoryDb,
  type HistoryDb,
  type RunRecord,
  type RunScore,
  type StoredCheckpoint,
} from '../persist/history-db.ts';
import { StorageError, storageError } from '../persist/storage-error.ts';
import { errorMessage, getLab } from '../worker/lab-client.ts';
import type { ScoreInputs } from '../worker/lab-types.ts';
import type { LabState } from './lab-store.ts';
import {
  findPairRun,
  pairOfMeasurement,
  scoreOf,
  scoreRecipe,
  type PairMeasure,
} from './history-pairs.ts';
import type { MeasuredInput, NetworkRunKind, RecordInput } from './history-runs.ts';
import { bestFigure, findRecord, isFullTest } from './measure-records.ts';

export interface HistoryRun extends RunRecord {
  /** False while the run lives only in this session (its write failed or is under way). */
  saved: boolean;
}

export interface CurrentCheckpoint {
  id: string;
  /** ScoreInputs.networkId of the network saved under `id`. */
  networkId: number;
}

export interface HistoryValues {
  runs: HistoryRun[];
  historyLoaded: boolean;
  /** A failed read / write / restore (StorageError messages as they are). */
  historyError: string | null;
  historyNotice: string | null;
  /** Up to two runs picked for the side-by-side compare (oldest pick first). */
  compareIds: string[];
  /** The run clicked in the scatter or the table. */
  selectedRunId: string | null;
  /** The saved checkpoint of the worker's current network, which edits link to. */
  currentCheckpoint: CurrentCheckpoint | null;
  restoringRunId: string | null;
}

export interface HistoryActions {
  /** Reads every saved run (App's startLab calls it once). */
  loadHistory: () => Promise<void>;
  /** Records a finished run or a finished measurement; never throws (errors go to historyError). */
  recordRun: (input: RecordInput) => Promise<void>;
  /** Writes the runs that exist only in memory again (after freeing space). */
  saveUnsaved: () => Promise<void>;
  toggleCompare: (id: string) => void;
  selectRun: (id: string | null) => void;
  /** Makes the run's network current (when saved) and its recipe the Score panel's. */
  restoreRun: (id: string) => Promise<void>;
  /** Deletes the run, and its checkpoint when no other run uses it. */
  deleteRun: (id: string) => Promise<void>;
  clearHistory: () => Promise<void>;
  dismissHistoryMessage: () => void;
}

export type HistorySlice = HistoryValues & HistoryActions;

export const HISTORY_DEFAULT: HistoryValues = {
  runs: [],
  historyLoaded: false,
  historyError: null,
  historyNotice: null,
  compareIds: [],
  selectedRunId: null,
  currentCheckpoint: null,
  restoringRunId: null,
};

let counter = 0;
function newId(prefix: string): string {
  counter += 1;
  const rand = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${Date.now().toString(36)}-${counter}-${rand}`;
}

/** What recordRun reads from the store at call time (later edits must not leak in). */
interface Snapshot {
  input: RecordInput;
  recipe: Recipe;
  exitRateOverride: number | null;
  /** Score of the Score panel's recipe (`recipe`) when the store holds it (measurements). */
  editScore: RunScore | null;
  /** The checkpoint being restored: an 'import' then only marks it current. */
  restoring: string | null;
  /**
   * The store's score inputs at call time: a network run is recorded after its NetworkChange
   * was applied, so they are the new network's (nothing is asked of the worker again).
   */
  inputs: ScoreInputs | null;
  time: number;
}

function toRecord(run: HistoryRun): RunRecord {
  const out: RunRecord & { saved?: boolean } = { ...run };
  delete out.saved;
  return out;
}

const isMeasured = (input: RecordInput): input is MeasuredInput =>
  input.kind === 'edit' || input.kind === 'measured';

const sameNetwork = (c: CurrentCheckpoint | null, networkId: number | undefined) =>
  c !== null && networkId !== undefined && c.networkId === networkId;

export const createHistorySlice: StateCreator<LabState, [], [], HistorySlice> = (set, get) => {
  /** Checkpoint bytes not (yet) in IndexedDB: restorable this session. */
  const memory = new Map<string, StoredCheckpoint>();
  let queue: Promise<void> = Promise.resolve();
  let restoring: string | null = null;
  /** The current network when it was too big to save (its edits are not exported again). */
  let oversized: { networkId: number; note: string } | null = null;

  const fail = (e: unknown, what: string) =>
    set({ historyError: e instanceof StorageError ? e.message : `${what}: ${errorMessage(e)}` });

  const patchRun = (id: string, patch: Partial<HistoryRun>) =>
    set((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, ...patch } : r)) }));

  /** Writes `run` (with the bytes of its checkpoint when they are only in memory). */
  const persist = async (run: RunRecord): Promise<void> => {
    const ckpt = run.checkpointId === null ? undefined : memory.get(run.checkpointId);
    try {
      const db = await getHistoryDb().catch((e: unknown) => {
        throw storageError(`the run "${run.label}"`, e);
      });
      await db.saveRun(run, ckpt);
      if (ckpt) memory.delete(ckpt.id);
      patchRun(run.id, { saved: true });
    } catch (e) {
      fail(e, `Could not save the run "${run.label}"`);
    }
  };

  const addRun = (run: RunRecord) =>
    set((s) => ({ runs: [{ ...run, saved: false }, ...s.runs], historyNotice: null }));

  /** Exports the current network; keeps its bytes in memory until persist() stores them. */
  const captureNetwork = async () => {
    const exp = await getLab().exportCheckpoint();
    const size = exp.bytes.byteLength;
    if (size > CHECKPOINT_CAP_BYTES) {
      const note = `network not saved: ${formatBytes(size)} is over the ${formatBytes(CHECKPOINT_CAP_BYTES)} cap`;
      return { network: exp.network, checkpointId: null, checkpointNote: note };
    }
    const id = newId('ckpt');
    memory.set(id, { id, fileName: exp.fileName, bytes: exp.bytes, savedAt: Date.now() });
    return { network: exp.network, checkpointId: id, checkpointNote: null };
  };

  const recordNetworkRun = async (snap: Snapshot & { input: { kind: NetworkRunKind } }) => {
    const { input, inputs } = snap;
    if (snap.restoring !== null && input.kind === 'import') {
      set({
        currentCheckpoint: inputs ? { id: snap.restoring, networkId: inputs.networkId } : null,
      });
      return;
    }
    const cap = await captureNetwork();
    const run: RunRecord = {
      id: newId('run'),
      kind: input.kind,
      label: input.label,
      time: snap.time,
      seconds: input.seconds ?? null,
      model: cap.network.name,
      params: cap.network.params,
      recipe: input.recipe ?? snap.recipe,
      score:
        input.score !== undefined
          ? input.score
          : inputs
            ? scoreRecipe(inputs, snap.recipe, snap.exitRateOverride)
            : null,
      accuracy: input.accuracy ?? null,
      details: input.details ?? {},
      checkpointId: cap.checkpointId,
      checkpointNote: cap.checkpointNote,
      ...(inputs?.networkKey ? { networkKey: inputs.networkKey } : {}),
    };
    const networkId = inputs?.networkId ?? -1;
    const saved = cap.checkpointId;
    set({ currentCheckpoint: saved !== null && inputs ? { id: saved, networkId } : null });
    oversized = cap.checkpointNote !== null ? { networkId, note: cap.checkpointNote } : null;
    addRun(run);
    await persist(run);
  };

  /** The scored inputs of the network `pm` measured (null when it is no longer current). */
  const inputsOf = async (pm: PairMeasure) => {
    const s = get();
    if (pm.networkId !== null)
      return s.scoreInputs?.networkId === pm.networkId ? s.scoreInputs : null;
    if (s.scoreInputs?.networkKey === pm.networkKey) return s.scoreInputs; // the current network
    const raw = await getLab().scoreInputs();
    return raw?.networkKey === pm.networkKey ? raw : null;
  };

  /** The checkpoint link of a measured network: saved once per network (see the header). */
  const linkCheckpoint = async (networkId: number) => {
    if (oversized?.networkId === networkId) return { current: null, note: oversized.note };
    const known = get().currentCheckpoint;
    if (sameNetwork(known, networkId)) return { current: known, note: null };
    // The first measurement of a network no run saved (e.g. one built by Evaluate).
    const cap = await captureNetwork();
    const current = cap.checkpointId === null ? null : { id: cap.checkpointId, networkId };
    set({ currentCheckpoint: current });
    if (cap.checkpointNote !== null) oversized = { networkId, note: cap.checkpointNote };
    return { current, note: cap.checkpointNote, network: cap.network };
  };

  const recordEdit = async (snap: Snapshot, pm: PairMeasure) => {
    const inputs = await inputsOf(pm);
    const recipe = JSON.parse(pm.recipeKey) as Recipe;
    const existing = findPairRun(get().runs, pm.networkKey, pm.recipeKey);
    const networkId = inputs?.networkId ?? pm.networkId;
    const link =
      existing?.checkpointId != null || networkId === null
        ? { current: null, note: existing?.checkpointNote ?? null }
        : await linkCheckpoint(networkId);
    const network = ('network' in link ? link.network : undefined) ?? inputs?.network;
    const best = bestFigure(findRecord(get().records, pm.networkKey, pm.recipeKey));
    const accuracy = best ? { top1: best.top1, n: best.n } : { top1: pm.top1, n: pm.n };
    const where = best && isFullTest(best.n) ? 'full test set' : pm.where;
    const score =
      (recipeJson(snap.recipe) === pm.recipeKey ? snap.editScore : null) ??
      (inputs ? scoreRecipe(inputs, recipe, snap.exitRateOverride) : (existing?.score ?? null));
    const run: RunRecord = {
      id: existing?.id ?? newId('run'),
      kind: 'edit',
      label: `${describeRecipe(recipe)} (${where})`,
      time: snap.time,
      seconds: pm.seconds,
      model: network?.name ?? existing?.model ?? 'unknown',
      params: network?.params ?? existing?.params ?? 0,
      recipe,
      score,
      accuracy,
      details: pm.details,
      checkpointId: existing?.checkpointId ?? link.current?.id ?? null,
      checkpointNote: existing?.checkpointNote ?? link.note,
      networkKey: pm.networkKey,
    };
    if (existing) set((s) => ({ runs: s.runs.filter((r) => r.id !== existing.id) }));
    addRun(run);
    await persist(run);
  };

  const record = async (snap: Snapshot): Promise<void> => {
    const { input } = snap;
    try {
      if (input.kind === 'edit') await recordEdit(snap, pairOfMeasurement(input.measurement));
      else if (input.kind === 'measured') await recordEdit(snap, input.pair);
      else await recordNetworkRun({ ...snap, input });
    } catch (e) {
      const what = isMeasured(input) ? 'a measurement' : `"${input.label}"`;
      fail(e, `Could not record ${what} in the history`);
    }
  };

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
