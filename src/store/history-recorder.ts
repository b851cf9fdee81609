/**
 * How the History slice records a run (./history-slice.ts recordRun): a network run saves the
 * network's lab checkpoint (unless it is over CHECKPOINT_CAP_BYTES); a measured edit links to
 * the checkpoint of the network it was measured on, saving one only when that network has none
 * yet, and updates its (network, recipe) pair's one row (history-pairs.ts). Writes go to
 * IndexedDB (persist/history-db.ts); a failed write leaves the run in memory for the session.
 */
import type { StateCreator } from 'zustand';
import { errorMessage, getLab } from '../client/lab-client';
import { recipeJson, type Recipe } from '../core/recipe/index';
import { describeRecipe } from '../format/recipe-label';
import { formatBytes } from '../format/format';
import {
  CHECKPOINT_CAP_BYTES,
  getHistoryDb,
  type RunRecord,
  type RunScore,
  type StoredCheckpoint,
} from '../persist/history-db';
import { StorageError, storageError } from '../persist/storage-error';
import type { ScoreInputs } from '../worker/lab-types';
import { findPairRun, pairOfMeasurement, scoreRecipe, type PairMeasure } from './history-pairs';
import type { MeasuredInput, NetworkRunKind, RecordInput } from './history-runs';
import type { CurrentCheckpoint, HistoryRun, HistorySlice } from './history-types';
import type { LabState } from './lab-store';
import { bestFigure, findRecord, isFullTest } from './measure-records';

type Creator = StateCreator<LabState, [], [], HistorySlice>;
type Set = Parameters<Creator>[0];
type Get = Parameters<Creator>[1];

let counter = 0;
function newId(prefix: string): string {
  counter += 1;
  const rand = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${Date.now().toString(36)}-${counter}-${rand}`;
}

/** What recordRun reads from the store at call time (later edits must not leak in). */
export interface Snapshot {
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

export const isMeasured = (input: RecordInput): input is MeasuredInput =>
  input.kind === 'edit' || input.kind === 'measured';

export const sameNetwork = (c: CurrentCheckpoint | null, networkId: number | undefined) =>
  c !== null && networkId !== undefined && c.networkId === networkId;

/**
 * The recording half of the History slice, sharing its in-memory checkpoints (`memory`: bytes
 * not yet in IndexedDB, restorable this session).
 */
export function createHistoryRecorder(set: Set, get: Get, memory: Map<string, StoredCheckpoint>) {
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

  return { fail, persist, record };
}
