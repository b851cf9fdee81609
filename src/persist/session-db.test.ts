// Session database: save / load / clear round trips (typed arrays included), the training
// checkpoint and its network written together, and a full quota surfaced as a StorageError.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  openSessionDb,
  SESSION_NETWORK_CAP_BYTES,
  type SavedNetwork,
  type SessionDb,
  type TrainingRecord,
} from './session-db';
import { StorageError } from './storage-error';

let n = 0;
let open: SessionDb[] = [];
async function fresh(): Promise<SessionDb> {
  const db = await openSessionDb(`session-test-${++n}`);
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open) db.close();
  open = [];
});

const network = (epoch: number | null, bytes = new Uint8Array([1, 2, 3, 4])): SavedNetwork => ({
  bytes,
  name: 'tiny',
  origin: 'trained',
  source: null,
  trainingEpoch: epoch,
  savedAt: 1,
});

const record = (epochsCompleted: number): TrainingRecord => ({
  config: {
    model: 'tiny',
    epochs: 3,
    batchSize: 8,
    learningRate: 0.05,
    augment: { cropFlip: true, cutout: false, autoAugment: false },
    seed: 7,
  },
  status: 'running',
  epochsCompleted,
  metrics: [{ step: 1, epoch: 1, loss: 4.6, accuracy: 0, learningRate: 0.05 }],
  momentum: [{ name: 'fc.weight', shape: [2, 2], data: new Float32Array([0.5, -1, 2, 0]) }],
  summary: null,
  endNote: null,
  savedAt: 2,
});

describe('session db', () => {
  it('starts empty, round-trips network, training and recipe, and clears', async () => {
    const db = await fresh();
    expect(await db.load()).toEqual({ network: null, training: null, recipe: null });

    // A view into a bigger buffer is stored as its own bytes only.
    const big = new Uint8Array([9, 9, 5, 6, 7, 9]);
    await db.saveTraining(record(2), network(2, big.subarray(2, 5)));
    await db.saveRecipe({ sparsity: 0.5 });
    const s = await db.load();
    expect(Array.from(s.network!.bytes)).toEqual([5, 6, 7]);
    expect(s.network!.bytes.buffer.byteLength).toBe(3);
    expect(s.network!.trainingEpoch).toBe(2);
    expect(s.training!.epochsCompleted).toBe(2);
    expect(s.training!.momentum![0]!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(s.training!.momentum![0]!.data)).toEqual([0.5, -1, 2, 0]);
    expect(s.recipe).toEqual({ sparsity: 0.5 });

    // A record alone leaves the network as it was; null deletes it.
    await db.saveTraining({ ...record(2), status: 'finished' });
    expect((await db.loadNetwork())?.trainingEpoch).toBe(2);
    expect((await db.loadTraining())?.status).toBe('finished');
    await db.saveNetwork(null, 'the network');
    expect(await db.loadNetwork()).toBeNull();

    await db.clear();
    expect(await db.load()).toEqual({ network: null, training: null, recipe: null });
  });

  it('keeps nothing of a write that fails (network over the cap)', async () => {
    const db = await fresh();
    await db.saveTraining(record(1), network(1));
    const huge = { ...network(2), bytes: { length: SESSION_NETWORK_CAP_BYTES + 1 } } as never;
    await expect(db.saveTraining(record(2), huge)).rejects.toThrow(
      /Could not save the epoch 2 training checkpoint.*over the session cap/,
    );
    // Both the record and the network are still those of epoch 1.
    expect((await db.loadTraining())?.epochsCompleted).toBe(1);
    expect((await db.loadNetwork())?.trainingEpoch).toBe(1);
  });

  it('turns a full quota into a StorageError that says so', async () => {
    const db = await fresh();
    const proto = IDBObjectStore.prototype;
    const put = proto.put;
    proto.put = function quota(): IDBRequest<IDBValidKey> {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    let err: unknown;
    try {
      await db.saveTraining(record(3), network(3));
    } catch (e) {
      err = e;
    } finally {
      proto.put = put;
    }
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).quota).toBe(true);
    expect((err as StorageError).message).toMatch(
      /^Browser storage is full: could not save the epoch 3 training checkpoint\./,
    );
    expect(await db.loadTraining()).toBeNull();
    await db.saveRecipe({}); // the database still works afterwards
    expect((await db.load()).recipe).toEqual({});
  });
});
