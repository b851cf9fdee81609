// History database on fake-indexeddb: runs round-trip newest first with their checkpoint bytes;
// deleting a run removes its checkpoint only when no other run uses it; a quota failure comes
// back as a StorageError (quota: true) and leaves nothing half-written; clear empties both stores.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openHistoryDb, type HistoryDb, type RunRecord } from './history-db';
import { StorageError } from './storage-error';

let n = 0;
const open: HistoryDb[] = [];

async function freshDb(): Promise<HistoryDb> {
  const db = await openHistoryDb(`history-test-${++n}`);
  open.push(db);
  return db;
}

function run(id: string, time: number, checkpointId: string | null = null): RunRecord {
  return {
    id,
    kind: checkpointId === null ? 'edit' : 'train',
    label: `run ${id}`,
    time,
    seconds: 1.5,
    model: 'tiny',
    params: 30196,
    recipe: { sparsity: 0.5, weightBits: 8 },
    score: { score: 0.01, paramsTerm: 0.004, opsTerm: 0.006 },
    accuracy: { top1: 0.42, n: 100 },
    details: { steps: 3 },
    checkpointId,
    checkpointNote: null,
  };
}

const ckpt = (id: string, bytes: number[]) => ({
  id,
  fileName: 'tiny.safetensors',
  bytes: new Uint8Array(bytes),
  savedAt: 1,
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const db of open.splice(0)) db.close();
});

describe('history-db', () => {
  it('lists runs newest first and keeps their fields and checkpoint bytes', async () => {
    const db = await freshDb();
    await db.saveRun(run('a', 100, 'c1'), ckpt('c1', [1, 2, 3]));
    await db.saveRun(run('b', 300));
    await db.saveRun(run('c', 200));
    const runs = await db.listRuns();
    expect(runs.map((r) => r.id)).toEqual(['b', 'c', 'a']);
    expect(runs[2]).toEqual(run('a', 100, 'c1'));
    const stored = await db.getCheckpoint('c1');
    expect(Array.from(stored!.bytes)).toEqual([1, 2, 3]);
    expect(await db.getCheckpoint('missing')).toBeUndefined();
  });

  it('stores only the viewed bytes of a Uint8Array view', async () => {
    const db = await freshDb();
    const whole = new Uint8Array([9, 9, 4, 5, 9]);
    await db.saveRun(run('a', 1, 'c1'), { ...ckpt('c1', []), bytes: whole.subarray(2, 4) });
    const stored = await db.getCheckpoint('c1');
    expect(Array.from(stored!.bytes)).toEqual([4, 5]);
  });

  it('deletes a checkpoint with its last run only', async () => {
    const db = await freshDb();
    await db.saveRun(run('train', 1, 'c1'), ckpt('c1', [7]));
    await db.saveRun(run('edit', 2, 'c1')); // an edit measured on the same network
    await db.saveRun(run('solo', 3));

    expect(await db.deleteRun('train')).toEqual({ deleted: true, checkpointDeleted: null });
    expect(await db.getCheckpoint('c1')).toBeDefined();
    expect(await db.deleteRun('edit')).toEqual({ deleted: true, checkpointDeleted: 'c1' });
    expect(await db.getCheckpoint('c1')).toBeUndefined();
    expect(await db.deleteRun('solo')).toEqual({ deleted: true, checkpointDeleted: null });
    expect(await db.deleteRun('solo')).toEqual({ deleted: false, checkpointDeleted: null });
    expect(await db.listRuns()).toEqual([]);
  });

  it('clears every run and checkpoint', async () => {
    const db = await freshDb();
    await db.saveRun(run('a', 1, 'c1'), ckpt('c1', [1]));
    await db.saveRun(run('b', 2));
    await db.clear();
    expect(await db.listRuns()).toEqual([]);
    expect(await db.getCheckpoint('c1')).toBeUndefined();
  });

  it('reports a full quota as a StorageError and writes neither the run nor the checkpoint', async () => {
    const db = await freshDb();
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (
      this: IDBObjectStore,
      ...args: Parameters<IDBObjectStore['put']>
    ) {
      if (this.name === 'checkpoints') throw new DOMException('no room', 'QuotaExceededError');
      return put.apply(this, args);
    });
    const err = await db.saveRun(run('a', 1, 'c1'), ckpt('c1', [1])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).quota).toBe(true);
    expect((err as StorageError).message).toBe(
      'Browser storage is full: could not save the run "run a" and its network. Delete runs in the History panel or clear the dataset cache, then retry.',
    );
    vi.restoreAllMocks();
    expect(await db.listRuns()).toEqual([]);
    expect(await db.getCheckpoint('c1')).toBeUndefined();
  });

  it('reports other write failures with their reason', async () => {
    const db = await freshDb();
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('disk on fire', 'UnknownError');
    });
    const err = await db.saveRun(run('a', 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).quota).toBe(false);
    expect((err as StorageError).message).toBe(
      'Could not save the run "run a" in browser storage: disk on fire',
    );
  });
});
