// The network stack: pushes drop the redo tail and the oldest beyond the cap; undo / redo make
// the previous / next network current with its exact weights; the stack (entries, index and
// networks) survives a "reload" (a new CurrentNetwork and NetworkStack on the same database).
// Training runs on its own network: the current one stays until the run ends, and a failed run
// leaves it as it was; it can use the first N training images and stop at a time budget.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Network } from '../core/graph/network';
import { buildFromZooName } from '../core/models/zoo';
import { networkFingerprint } from '../core/graph/fingerprint';
import { openStackDb } from '../persist/stack-db';
import { CurrentNetwork } from './current-network';
import type { WorkerJob } from './job-registry';
import type { BackendInfo } from './lab-types';
import { NetworkStack } from './network-stack';
import { EMPTY_STACK, moveIndex, pushEntry, viewOf, type StackEntry } from './stack-state';
import { TrainService } from './train-service';

const entry = (id: string): StackEntry => ({ id, label: id, name: 'tiny', params: 1, savedAt: 0 });

describe('stack state', () => {
  it('pushes after the current entry, drops the redo tail and the oldest beyond the cap', () => {
    let s = EMPTY_STACK;
    for (const id of ['a', 'b', 'c']) s = pushEntry(s, entry(id), 3).state;
    expect(viewOf(s)).toMatchObject({ index: 2, canUndo: true, canRedo: false });
    s = moveIndex(s, -1)!;
    s = moveIndex(s, -1)!;
    expect(moveIndex(s, -1)).toBeNull();
    expect(viewOf(s)).toMatchObject({ index: 0, canUndo: false, canRedo: true });
    const pushed = pushEntry(s, entry('d'), 3);
    expect(pushed.state.entries.map((e) => e.id)).toEqual(['a', 'd']);
    expect(pushed.dropped).toEqual(['b', 'c']);
    const full = pushEntry(pushEntry(pushed.state, entry('e'), 3).state, entry('f'), 3);
    expect(full.state.entries.map((e) => e.id)).toEqual(['d', 'e', 'f']);
    expect(full.dropped).toEqual(['a']);
  });
});

const tinyNet = (seed: number) => Network.fromInit(buildFromZooName('tiny'), seed);
const keyOf = async (c: CurrentNetwork) =>
  networkFingerprint('tiny', await c.network!.toWeightsAsync());

let dbCount = 0;

describe('network stack', () => {
  it('undo / redo move along the pushed networks, and survive a reload', async () => {
    const name = `stack-test-${++dbCount}`;
    const db = await openStackDb(name);
    const events: string[] = [];
    const current = new CurrentNetwork();
    const stack = new NetworkStack(
      current,
      (e) => events.push(e.kind),
      () => Promise.resolve(db),
    );
    await stack.load();
    current.replace(tinyNet(1), 'imported', 'a.safetensors');
    const first = await keyOf(current);
    await stack.capture('Imported a');
    await stack.capture('nothing changed'); // same version: no push
    current.replace(tinyNet(2), 'trained');
    const second = await keyOf(current);
    await stack.capture('Trained tiny');
    expect((await stack.view()).entries.map((e) => e.label)).toEqual([
      'Imported a',
      'Trained tiny',
    ]);

    const undone = await stack.undo();
    expect(undone.view).toMatchObject({ index: 0, canUndo: false, canRedo: true });
    expect(undone.network).toMatchObject({ origin: 'imported', source: 'a.safetensors' });
    expect(await keyOf(current)).toBe(first);
    await expect(stack.undo()).rejects.toThrow('Nothing to undo');

    // A reload: a new worker's current network and stack on the same database.
    const current2 = new CurrentNetwork();
    const stack2 = new NetworkStack(
      current2,
      () => undefined,
      () => Promise.resolve(db),
    );
    current2.replace(tinyNet(1), 'imported', 'a.safetensors'); // the session's network
    expect(await stack2.load()).toMatchObject({ index: 0, canRedo: true });
    await stack2.redo();
    expect(await keyOf(current2)).toBe(second);
    expect(current2.info()?.origin).toBe('trained');
    // The view after the load and after each push that changed it (none for "nothing changed").
    expect(events).toEqual(['stack', 'stack', 'stack']);
    db.close();
  });

  it('says whether the current network is kept (a job replacing it can be undone)', async () => {
    const db = await openStackDb(`stack-test-${++dbCount}`);
    let failSave = false;
    const flaky = {
      ...db,
      save: (...a: Parameters<typeof db.save>) =>
        failSave ? Promise.reject(new Error('quota exceeded')) : db.save(...a),
    };
    const events: string[] = [];
    const current = new CurrentNetwork();
    const stack = new NetworkStack(
      current,
      (e) => events.push(e.kind),
      () => Promise.resolve(flaky),
    );
    await stack.load();
    expect((await stack.view()).currentKept).toBe(false); // no network yet
    current.replace(tinyNet(1), 'imported', 'a.safetensors');
    expect((await stack.view()).currentKept).toBe(false); // not captured yet
    await stack.capture('Imported a');
    const imported = await keyOf(current);
    expect((await stack.view()).currentKept).toBe(true);
    failSave = true;
    current.replace(tinyNet(2), 'trained');
    await stack.capture('Trained tiny');
    expect(events).toEqual(['stack', 'stack', 'stack', 'storage-error']);
    expect(await stack.view()).toMatchObject({ index: 0, currentKept: false, canUndo: true });
    failSave = false;
    const back = await stack.undo(); // back to the last kept network: the import
    expect(back.view).toMatchObject({ index: 0, currentKept: true, canUndo: false });
    expect(await keyOf(current)).toBe(imported);
    db.close();
  });

  it('refuses to move while a job holds the network', async () => {
    const db = await openStackDb(`stack-test-${++dbCount}`);
    const current = new CurrentNetwork();
    const stack = new NetworkStack(
      current,
      () => undefined,
      () => Promise.resolve(db),
    );
    current.replace(tinyNet(1), 'imported');
    await stack.capture('a');
    current.replace(tinyNet(2), 'imported');
    await stack.capture('b');
    const release = current.hold('training');
    await expect(stack.undo()).rejects.toThrow(/busy \(training\)/);
    release();
    expect((await stack.view()).index).toBe(1);
    db.close();
  });
});

describe('training on its own network', () => {
  const backend = (): Promise<BackendInfo> =>
    Promise.resolve({ name: 'cpu', reason: 'test', forced: true, fallbacks: [] });
  const job = (): WorkerJob => ({
    id: 'train-1',
    controller: new AbortController(),
    pausable: null,
  });
  const config = {
    model: 'tiny',
    epochs: 1,
    batchSize: 2,
    learningRate: 0.05,
    augment: { cropFlip: false, cutout: false, autoAugment: false },
    seed: 3,
  };
  const data = (n: number) => ({
    train: {
      images: new Uint8Array(n * 3072).map((_, i) => i % 251),
      fine: new Uint8Array(n).map((_, i) => i % 100),
      coarse: new Uint8Array(n).map((_, i) => i % 20),
      count: n,
    },
    fineNames: [],
    coarseNames: [],
  });

  it('keeps the current network while training and replaces it at the end', async () => {
    const current = new CurrentNetwork();
    const before = current.replace(tinyNet(9), 'imported', 'mine.safetensors');
    const trainer = new TrainService(backend, current);
    let seenDuring: Network | null = null;
    const hooks = {
      job: job(),
      report: () => {
        seenDuring ??= current.network;
      },
      onMetrics: () => undefined,
    };
    await trainer.train(config, data(4), hooks);
    expect(seenDuring).toBe(before);
    expect(current.network).not.toBe(before);
    expect(current.info()?.origin).toBe('trained');
  });

  it('trains on the first N images, and stops at its time budget', async () => {
    const current = new CurrentNetwork();
    const trainer = new TrainService(backend, current);
    const hooks = () => ({ job: job(), report: () => undefined, onMetrics: () => undefined });
    const limited = await trainer.train({ ...config, limit: 4 }, data(12), hooks());
    expect(limited).toMatchObject({ steps: 2, cancelled: false });
    const timed = await trainer.train(
      { ...config, epochs: 50, maxSeconds: 0.3 },
      data(12),
      hooks(),
    );
    expect(timed).toMatchObject({ cancelled: false, timeBudgetReached: true });
    expect(timed.steps).toBeLessThan(300);
  });

  it('a failed run leaves the current network as it was', async () => {
    const current = new CurrentNetwork();
    const before = current.replace(tinyNet(9), 'imported');
    const trainer = new TrainService(backend, current);
    const hooks = { job: job(), report: () => undefined, onMetrics: () => undefined };
    await expect(
      trainer.train({ ...config, learningRate: 1e30 }, data(4), hooks),
    ).rejects.toThrow();
    expect(current.network).toBe(before);
  });
});
