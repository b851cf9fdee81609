/**
 * The run history's IndexedDB database ('micronet-lab-history', via the `idb` wrapper; the
 * dataset cache's 'micronet-lab' database is separate). Two object stores:
 * - `runs`: one RunRecord per train / import / prune / schedule run and per measured recipe edit
 *   (index `by-checkpoint` on checkpointId, to tell whether a checkpoint is still used);
 * - `checkpoints`: lab checkpoint bytes of the networks those runs produced or were measured on.
 * - `measurements`: one MeasureRecord per (network, recipe) measured (./measure-record.ts; built
 *   by store/measure-records.ts).
 * A run and its new checkpoint are written in one transaction (both or neither). Every failed
 * write is rethrown as a StorageError (storage-error.ts), so a full quota is never silent.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { Recipe } from '../core/recipe/index';
import { ownBuffer } from '../core/util/own-buffer';
import type { MeasureRecord } from './measure-record';
import { storageError } from './storage-error';

export const HISTORY_DB_NAME = 'micronet-lab-history';
const DB_VERSION = 2; // 2: + measurements
/** Checkpoints larger than this are not stored (the run is recorded without one). */
export const CHECKPOINT_CAP_BYTES = 64 * 1024 * 1024;

/** 'recipe': a "Run recipe" job (prune, fine-tune, compress, evaluate). */
export type RunKind = 'train' | 'import' | 'prune' | 'schedule' | 'recipe' | 'edit';

/** The MicroNet score of the run's recipe on its network (score = paramsTerm + opsTerm). */
export interface RunScore {
  score: number;
  paramsTerm: number;
  opsTerm: number;
}

/** Top-1 (fraction) measured on `n` test images. */
export interface RunAccuracy {
  top1: number;
  n: number;
}

export interface RunRecord {
  id: string;
  kind: RunKind;
  label: string;
  /** Date.now() when the run finished. */
  time: number;
  /** How long the run took, when known. */
  seconds: number | null;
  /** Graph name of the network, e.g. "tiny". */
  model: string;
  params: number;
  /** The Score panel's recipe (canonical) the score and accuracy belong to. */
  recipe: Recipe;
  score: RunScore | null;
  accuracy: RunAccuracy | null;
  /** Kind-specific figures (training summary, prune outcome, …); plain JSON values. */
  details: Record<string, unknown>;
  /** The saved network (shared by edits measured on it); null when none was saved. */
  checkpointId: string | null;
  /** Why no checkpoint was saved (e.g. over the size cap); null otherwise. */
  checkpointNote: string | null;
  /** Content key of the network (ScoreInputs.networkKey): its measure record is shown. */
  networkKey?: string;
}

export interface StoredCheckpoint {
  id: string;
  fileName: string;
  bytes: Uint8Array;
  savedAt: number;
}

interface HistorySchema extends DBSchema {
  runs: { key: string; value: RunRecord; indexes: { 'by-checkpoint': string } };
  checkpoints: { key: string; value: StoredCheckpoint };
  measurements: { key: string; value: MeasureRecord };
}

export interface DeleteOutcome {
  /** False when no run had that id. */
  deleted: boolean;
  /** The checkpoint removed with it (no other run used it), else null. */
  checkpointDeleted: string | null;
}

export interface HistoryDb {
  /** Every run, newest first. */
  listRuns: () => Promise<RunRecord[]>;
  /** Saves the run, and its new checkpoint in the same transaction. Throws StorageError. */
  saveRun: (run: RunRecord, checkpoint?: StoredCheckpoint) => Promise<void>;
  getCheckpoint: (id: string) => Promise<StoredCheckpoint | undefined>;
  /** Removes the run, and its checkpoint when no other run uses it. Throws StorageError. */
  deleteRun: (id: string) => Promise<DeleteOutcome>;
  /** Every (network, recipe) measure record. */
  listMeasurements: () => Promise<MeasureRecord[]>;
  /** Writes (replaces) one measure record. Throws StorageError. */
  saveMeasurement: (r: MeasureRecord) => Promise<void>;
  /** Removes every run, checkpoint and measure record. Throws StorageError. */
  clear: () => Promise<void>;
  close: () => void;
}

/** Newest first; equal times by id, descending (ids carry a counter). */
export function byNewest(a: RunRecord, b: RunRecord): number {
  return b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

type Tx = IDBPTransaction<HistorySchema, ('runs' | 'checkpoints')[], 'readwrite'>;
type ClearTx = IDBPTransaction<
  HistorySchema,
  ('runs' | 'checkpoints' | 'measurements')[],
  'readwrite'
>;

/** `p` with a handler attached: after an abort, requests already made reject unobserved. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

const settled = (tx: Tx): Promise<void> => handled(tx.done);

function abortQuietly(tx: Tx | ClearTx | null): void {
  try {
    tx?.abort();
  } catch {
    // already finished or aborted
  }
}

function wrap(db: IDBPDatabase<HistorySchema>): HistoryDb {
  return {
    listRuns: async () => (await db.getAll('runs')).sort(byNewest),
    saveRun: async (run, checkpoint) => {
      let tx: Tx | null = null;
      try {
        tx = db.transaction(['runs', 'checkpoints'], 'readwrite');
        const done = settled(tx);
        const writes: Promise<unknown>[] = [handled(tx.objectStore('runs').put(run))];
        if (checkpoint) {
          const stored = { ...checkpoint, bytes: ownBuffer(checkpoint.bytes) };
          writes.push(handled(tx.objectStore('checkpoints').put(stored)));
        }
        await Promise.all([...writes, done]);
      } catch (e) {
        abortQuietly(tx); // never keep the run without its checkpoint
        throw storageError(`the run "${run.label}"${checkpoint ? ' and its network' : ''}`, e);
      }
    },
    getCheckpoint: (id) => db.get('checkpoints', id),
    listMeasurements: () => db.getAll('measurements'),
    saveMeasurement: async (r) => {
      try {
        await db.put('measurements', r);
      } catch (e) {
        throw storageError(`the measurement of ${r.model}`, e);
      }
    },
    deleteRun: async (id) => {
      let tx: Tx | null = null;
      try {
        tx = db.transaction(['runs', 'checkpoints'], 'readwrite');
        const done = settled(tx);
        const runs = tx.objectStore('runs');
        const run = await runs.get(id);
        let checkpointDeleted: string | null = null;
        if (run) {
          await runs.delete(id);
          const ckpt = run.checkpointId;
          if (ckpt !== null && (await runs.index('by-checkpoint').count(ckpt)) === 0) {
            await tx.objectStore('checkpoints').delete(ckpt);
            checkpointDeleted = ckpt;
          }
        }
        await done;
        return { deleted: run !== undefined, checkpointDeleted };
      } catch (e) {
        abortQuietly(tx);
        throw storageError(`the deletion of run ${id}`, e);
      }
    },
    clear: async () => {
      let tx: ClearTx | null = null;
      try {
        tx = db.transaction(['runs', 'checkpoints', 'measurements'], 'readwrite');
        const done = handled(tx.done);
        await Promise.all([
          tx.objectStore('runs').clear(),
          tx.objectStore('checkpoints').clear(),
          tx.objectStore('measurements').clear(),
          done,
        ]);
      } catch (e) {
        abortQuietly(tx);
        throw storageError('the cleared history', e);
      }
    },
    close: () => db.close(),
  };
}

/** Opens (creating or upgrading) the history database `name`. */
export async function openHistoryDb(name = HISTORY_DB_NAME): Promise<HistoryDb> {
  if (typeof indexedDB === 'undefined') {
    throw new Error('IndexedDB is not available in this browser');
  }
  const db = await openDB<HistorySchema>(name, DB_VERSION, {
    upgrade(database) {
      if (!database.objectStoreNames.contains('runs')) {
        const runs = database.createObjectStore('runs', { keyPath: 'id' });
        runs.createIndex('by-checkpoint', 'checkpointId');
      }
      if (!database.objectStoreNames.contains('checkpoints')) {
        database.createObjectStore('checkpoints', { keyPath: 'id' });
      }
      if (!database.objectStoreNames.contains('measurements')) {
        database.createObjectStore('measurements', { keyPath: 'key' });
      }
    },
    blocked: () => undefined,
  });
  return wrap(db);
}

let shared: Promise<HistoryDb> | null = null;

/** The app's one connection to HISTORY_DB_NAME (retried after a failed open). */
export function getHistoryDb(): Promise<HistoryDb> {
  shared ??= openHistoryDb().catch((e: unknown) => {
    shared = null;
    throw e;
  });
  return shared;
}
