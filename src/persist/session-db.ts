/**
 * The session's IndexedDB database ('micronet-lab-session', via the `idb` wrapper), so a worker
 * crash or a reload comes back to where the user was. The dataset lives in the separate
 * 'micronet-lab' cache (persist/dataset-cache.ts). Three object stores, one record each (key
 * 'current'):
 * - `network`: the current network as a lab checkpoint (core/io/lab-checkpoint.ts), with its
 *   origin; a network larger than SESSION_NETWORK_CAP_BYTES is not kept (the record is deleted);
 * - `training`: the last training run: its config, status, the epochs completed, the metrics so
 *   far and the SGD momentum buffers at the last epoch checkpoint;
 * - `recipe`: the Score panel's recipe;
 * - `recipeRun`: the "Run recipe" job kept for "Resume" (worker/recipe-run-store.ts): its request,
 *   position and the pipeline checkpoint's bytes (core/compress/pipeline/pipeline-state.ts).
 * A training checkpoint and its network are written in one transaction (both or neither). Usable
 * from the worker (which writes checkpoints) and the main thread (recipe, reading on reload).
 * Every failed write is rethrown as a StorageError (storage-error.ts).
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { Recipe } from '../core/recipe/index';
import { ownBuffer } from '../core/util/own-buffer';
import type { NetworkOrigin } from '../protocol/network';
import type { SavedRecipeRun } from '../protocol/recipe-run';
import type { MetricPoint, TrainConfig, TrainSummary } from '../protocol/train';
import { storageError } from './storage-error';

export const SESSION_DB_NAME = 'micronet-lab-session';
const DB_VERSION = 2; // 2: + recipeRun
const KEY = 'current';
/** Networks larger than this (as a lab checkpoint) are not kept in the session. */
export const SESSION_NETWORK_CAP_BYTES = 64 * 1024 * 1024;

export interface SavedNetwork {
  /** A lab checkpoint (safetensors with the graph in its metadata). */
  bytes: Uint8Array;
  name: string;
  origin: NetworkOrigin;
  source: string | null;
  /** Epochs of the running training this network is the checkpoint of; null outside training. */
  trainingEpoch: number | null;
  savedAt: number;
}

/** One SGD momentum buffer (per trainable parameter). */
export interface SavedMomentum {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface TrainingRecord {
  config: TrainConfig;
  /** 'running' until the run ends (done, cancelled or failed); a crash leaves it 'running'. */
  status: 'running' | 'finished';
  /** Whole epochs done at the last checkpoint. */
  epochsCompleted: number;
  /** Every metric point so far (through the last checkpoint while running). */
  metrics: MetricPoint[];
  /** Momentum at the last checkpoint; null before the first epoch ends. */
  momentum: SavedMomentum[] | null;
  /** Set when the run finished. */
  summary: TrainSummary | null;
  /** Why the run ended without a summary (error, or not resumed after a crash). */
  endNote: string | null;
  savedAt: number;
}

export interface SavedRecipe {
  recipe: Recipe;
  savedAt: number;
}

/** A recipe run and its last pipeline checkpoint (null before the first one). */
export interface RecipeRunRecord extends SavedRecipeRun {
  state: Uint8Array | null;
}

export interface SessionSnapshot {
  network: SavedNetwork | null;
  training: TrainingRecord | null;
  recipe: Recipe | null;
}

interface SessionSchema extends DBSchema {
  network: { key: string; value: SavedNetwork };
  training: { key: string; value: TrainingRecord };
  recipe: { key: string; value: SavedRecipe };
  recipeRun: { key: string; value: RecipeRunRecord };
}

type StoreName = 'network' | 'training' | 'recipe' | 'recipeRun';
type Tx = IDBPTransaction<SessionSchema, StoreName[], 'readwrite'>;
const STORES: readonly StoreName[] = ['network', 'training', 'recipe', 'recipeRun'];

export interface SessionDb {
  load: () => Promise<SessionSnapshot>;
  loadNetwork: () => Promise<SavedNetwork | null>;
  loadTraining: () => Promise<TrainingRecord | null>;
  /** Keeps `net` as the session's network; null forgets it. Throws StorageError. */
  saveNetwork: (net: SavedNetwork | null, what: string) => Promise<void>;
  /**
   * Saves the training record, and with it (same transaction) the network when given (null
   * deletes the saved network). Throws StorageError.
   */
  saveTraining: (record: TrainingRecord, net?: SavedNetwork | null) => Promise<void>;
  saveRecipe: (recipe: Recipe) => Promise<void>;
  loadRecipeRun: () => Promise<RecipeRunRecord | null>;
  /** Keeps the recipe run (null forgets it). Throws StorageError. */
  saveRecipeRun: (run: RecipeRunRecord | null) => Promise<void>;
  /** Forgets everything. Throws StorageError. */
  clear: () => Promise<void>;
  close: () => void;
}

function ownNetwork(n: SavedNetwork): SavedNetwork {
  if (n.bytes.length > SESSION_NETWORK_CAP_BYTES) {
    throw new RangeError(
      `network ${n.name} is ${n.bytes.length} bytes, over the session cap of ${SESSION_NETWORK_CAP_BYTES}`,
    );
  }
  return { ...n, bytes: ownBuffer(n.bytes) };
}

function ownRecord(r: TrainingRecord): TrainingRecord {
  const momentum = r.momentum?.map((m) => ({ ...m, data: ownBuffer(m.data) })) ?? null;
  return { ...r, momentum };
}

/** `p` with a handler attached: after an abort, requests already made reject unobserved. */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function abortQuietly(tx: { abort: () => void } | null): void {
  try {
    tx?.abort();
  } catch {
    // already finished or aborted
  }
}

function wrap(db: IDBPDatabase<SessionSchema>): SessionDb {
  /** Runs `writes` in one readwrite transaction over `stores`; failures become StorageError. */
  const write = async (
    stores: StoreName[],
    what: string,
    writes: (tx: Tx, add: (request: Promise<unknown>) => void) => void,
  ): Promise<void> => {
    let tx: Tx | null = null;
    const requests: Promise<unknown>[] = [];
    try {
      tx = db.transaction(stores, 'readwrite');
      requests.push(handled(tx.done));
      writes(tx, (r) => requests.push(handled(r)));
      await Promise.all(requests);
    } catch (e) {
      abortQuietly(tx);
      throw storageError(what, e);
    }
  };
  const get = async <S extends StoreName>(store: S) => (await db.get(store, KEY)) ?? null;

  return {
    load: async () => {
      const [network, training, recipe] = await Promise.all([
        get('network'),
        get('training'),
        get('recipe'),
      ]);
      return { network, training, recipe: recipe?.recipe ?? null };
    },
    loadNetwork: () => get('network'),
    loadTraining: () => get('training'),
    saveNetwork: (net, what) =>
      write(['network'], what, (tx, add) => {
        const owned = net && ownNetwork(net);
        const store = tx.objectStore('network');
        add(owned ? store.put(owned, KEY) : store.delete(KEY));
      }),
    saveTraining: (record, net) => {
      const what =
        record.status === 'running'
          ? `the epoch ${record.epochsCompleted} training checkpoint`
          : 'the finished training run';
      const stores: StoreName[] = net === undefined ? ['training'] : ['training', 'network'];
      return write(stores, what, (tx, add) => {
        const owned = net && ownNetwork(net);
        add(tx.objectStore('training').put(ownRecord(record), KEY));
        if (owned !== undefined) {
          const store = tx.objectStore('network');
          add(owned ? store.put(owned, KEY) : store.delete(KEY));
        }
      });
    },
    saveRecipe: (recipe) =>
      write(['recipe'], 'the recipe', (tx, add) =>
        add(tx.objectStore('recipe').put({ recipe, savedAt: Date.now() }, KEY)),
      ),
    loadRecipeRun: () => get('recipeRun'),
    saveRecipeRun: (run) =>
      write(['recipeRun'], 'the recipe run checkpoint', (tx, add) => {
        const store = tx.objectStore('recipeRun');
        add(
          run
            ? store.put({ ...run, state: run.state && ownBuffer(run.state) }, KEY)
            : store.delete(KEY),
        );
      }),
    clear: () =>
      write([...STORES], 'the cleared session', (tx, add) => {
        for (const s of STORES) add(tx.objectStore(s).clear());
      }),
    close: () => db.close(),
  };
}

/** Opens (creating if needed) the session database `name`. */
export async function openSessionDb(name = SESSION_DB_NAME): Promise<SessionDb> {
  if (typeof indexedDB === 'undefined') {
    throw new Error('IndexedDB is not available in this browser');
  }
  const db = await openDB<SessionSchema>(name, DB_VERSION, {
    upgrade(database) {
      for (const s of STORES) {
        if (!database.objectStoreNames.contains(s)) database.createObjectStore(s);
      }
    },
    blocked: () => undefined,
  });
  return wrap(db);
}

let shared: Promise<SessionDb> | null = null;

/** The realm's one connection to the session database (opened on first use). */
export function sessionDb(): Promise<SessionDb> {
  shared ??= openSessionDb().catch((e: unknown) => {
    shared = null;
    throw e;
  });
  return shared;
}
