/**
 * The network stack's IndexedDB database ('micronet-lab-stack', via `idb`), beside the session
 * database (./session-db.ts), so undo / redo survive a reload or a worker restart. Two stores:
 * - `state` (key 'current'): the stack's entries and current index (worker/stack-state.ts);
 * - `networks`: each entry's network as a lab checkpoint, keyed by the entry id.
 * A push writes the new state, its network and the removal of dropped networks in one
 * transaction (all or nothing). Failed writes are rethrown as StorageError.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { ownBuffer } from '../core/util/own-buffer';
import type { NetworkOrigin } from '../protocol/network';
import type { StackState } from '../protocol/stack';
import { storageError } from './storage-error';

export const STACK_DB_NAME = 'micronet-lab-stack';
const KEY = 'current';

export interface StackNetwork {
  id: string;
  /** A lab checkpoint (with a compressed network's quantizers in its metadata). */
  bytes: Uint8Array;
  origin: NetworkOrigin;
  source: string | null;
}

interface StackSchema extends DBSchema {
  state: { key: string; value: StackState };
  networks: { key: string; value: StackNetwork };
}

export interface StackDb {
  loadState: () => Promise<StackState | null>;
  getNetwork: (id: string) => Promise<StackNetwork | null>;
  /** Writes `state`, adds `add` and deletes `drop` in one transaction. Throws StorageError. */
  save: (state: StackState, add?: StackNetwork, drop?: readonly string[]) => Promise<void>;
  clear: () => Promise<void>;
  close: () => void;
}

function wrap(db: IDBPDatabase<StackSchema>): StackDb {
  return {
    loadState: async () => (await db.get('state', KEY)) ?? null,
    getNetwork: async (id) => (await db.get('networks', id)) ?? null,
    save: async (state, add, drop = []) => {
      const tx = db.transaction(['state', 'networks'], 'readwrite');
      const done = tx.done;
      done.catch(() => undefined);
      try {
        const writes: Promise<unknown>[] = [tx.objectStore('state').put(state, KEY)];
        const nets = tx.objectStore('networks');
        if (add) writes.push(nets.put({ ...add, bytes: ownBuffer(add.bytes) }));
        for (const id of drop) writes.push(nets.delete(id));
        for (const w of writes) w.catch(() => undefined);
        await Promise.all([...writes, done]);
      } catch (e) {
        try {
          tx.abort();
        } catch {
          // already finished or aborted
        }
        throw storageError(add ? 'the network for undo' : 'the undo stack', e);
      }
    },
    clear: async () => {
      const tx = db.transaction(['state', 'networks'], 'readwrite');
      await Promise.all([tx.objectStore('state').clear(), tx.objectStore('networks').clear()]);
      await tx.done;
    },
    close: () => db.close(),
  };
}

/** Opens (creating if needed) the stack database `name`. */
export async function openStackDb(name = STACK_DB_NAME): Promise<StackDb> {
  if (typeof indexedDB === 'undefined') throw new Error('IndexedDB is not available');
  const db = await openDB<StackSchema>(name, 1, {
    upgrade(database) {
      if (!database.objectStoreNames.contains('state')) database.createObjectStore('state');
      if (!database.objectStoreNames.contains('networks'))
        database.createObjectStore('networks', { keyPath: 'id' });
    },
    blocked: () => undefined,
  });
  return wrap(db);
}

let shared: Promise<StackDb> | null = null;

/** The realm's one connection to the stack database (opened on first use). */
export function stackDb(): Promise<StackDb> {
  shared ??= openStackDb().catch((e: unknown) => {
    shared = null;
    throw e;
  });
  return shared;
}
