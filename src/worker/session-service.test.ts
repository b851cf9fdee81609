// Resuming a run from its epoch checkpoint is exact: training 2 epochs straight gives the same
// weights (and metrics) as training 1 epoch, checkpointing to IndexedDB (fake-indexeddb), and
// resuming epoch 2 in a new TrainService with a new current network — as a new worker would.
// Also: the session keeps the current network after a job changed it, and restores it.
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { CifarDataset } from '../core/data/types';
import { Network } from '../core/graph/network';
import { initWeights } from '../core/graph/params';
import { buildFromZooName } from '../core/models/zoo';
import { openSessionDb, type SessionDb, type SessionSnapshot } from '../persist/session-db';
import { CurrentNetwork } from './current-network';
import type { WorkerJob } from './job-registry';
import type { BackendInfo, MetricPoint, TrainConfig } from './lab-types';
import { SessionService, type LabEvent } from './session-service';
import { TrainService } from './train-service';

const backend = (): Promise<BackendInfo> =>
  Promise.resolve({ name: 'cpu', reason: 'test', forced: true, fallbacks: [] });

/** `n` synthetic images with seeded pixels and labels. */
function synthetic(n: number): CifarDataset {
  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  const images = new Uint8Array(n * 3072).map(() => next() % 256);
  const fine = new Uint8Array(n).map(() => next() % 100);
  const coarse = new Uint8Array(n).map((_, i) => fine[i]! % 20);
  return { train: { images, fine, coarse, count: n }, fineNames: [], coarseNames: [] };
}

const config: TrainConfig = {
  model: 'tiny',
  epochs: 2,
  batchSize: 2,
  learningRate: 0.05,
  augment: { cropFlip: true, cutout: false, autoAugment: false },
  seed: 3,
};

function hooks(points: MetricPoint[]) {
  const job: WorkerJob = { id: 'train-1', controller: new AbortController(), pausable: null };
  return { job, report: () => undefined, onMetrics: (p: MetricPoint[]) => points.push(...p) };
}

let dbs: SessionDb[] = [];
let nets: CurrentNetwork[] = [];
let n = 0;
async function fresh(): Promise<{ db: SessionDb; current: CurrentNetwork; events: LabEvent[] }> {
  const db = await openSessionDb(`resume-test-${++n}`);
  const current = new CurrentNetwork();
  dbs.push(db);
  nets.push(current);
  return { db, current, events: [] };
}
afterEach(() => {
  for (const db of dbs) db.close();
  for (const c of nets) c.network?.dispose();
  dbs = [];
  nets = [];
});

async function restoreSnapshot(db: SessionDb, s: SessionSnapshot): Promise<void> {
  await db.clear();
  await db.saveTraining(s.training!, s.network);
}

describe('training resume', () => {
  it('1 epoch + checkpoint + resumed epoch 2 = 2 epochs straight (weights within 1e-5)', async () => {
    const data = synthetic(4); // 2 steps per epoch at batch 2
    const a = await fresh();
    const sessionA = new SessionService(
      a.current,
      (e) => a.events.push(e),
      () => false,
      () => Promise.resolve(a.db),
    );
    let atEpoch1: SessionSnapshot | null = null;
    const checkpoints = {
      started: sessionA.started.bind(sessionA),
      finished: sessionA.finished.bind(sessionA),
      resumePoint: sessionA.resumePoint.bind(sessionA),
      epochEnd: async (s: Parameters<SessionService['epochEnd']>[0]) => {
        await sessionA.epochEnd(s);
        if (s.epochsCompleted === 1) atEpoch1 = await a.db.load();
      },
    };
    const straight: MetricPoint[] = [];
    const summaryA = await new TrainService(backend, a.current, checkpoints).train(
      config,
      data,
      hooks(straight),
    );
    expect(summaryA).toMatchObject({ steps: 4, epochs: 2, cancelled: false });
    const reference = a.current.network!.toWeights();
    expect((await a.db.loadTraining())?.status).toBe('finished');
    expect(a.events.filter((e) => e.kind === 'checkpoint')).toEqual([
      { kind: 'checkpoint', epochsCompleted: 1, epochs: 2, saved: true },
      { kind: 'checkpoint', epochsCompleted: 2, epochs: 2, saved: true },
    ]);
    const snap = atEpoch1 as SessionSnapshot | null;
    expect(snap?.training).toMatchObject({ status: 'running', epochsCompleted: 1 });
    expect(snap?.training?.momentum?.length).toBe(a.current.network!.trainableNames().length);

    // A "new worker": fresh current network and services over the epoch-1 state.
    const b = await fresh();
    await restoreSnapshot(b.db, snap!);
    const tensorsBefore = tf.memory().numTensors;
    const sessionB = new SessionService(
      b.current,
      (e) => b.events.push(e),
      () => false,
      () => Promise.resolve(b.db),
    );
    const restored = await sessionB.restore();
    expect(restored.run).toMatchObject({ status: 'running', epochsCompleted: 1 });
    expect(restored.network).toMatchObject({ name: 'tiny', origin: 'trained' });
    const resumed: MetricPoint[] = [];
    const summaryB = await new TrainService(backend, b.current, sessionB).resume(
      data,
      hooks(resumed),
    );
    expect(summaryB).toMatchObject({ steps: 4, epochs: 2, cancelled: false });

    let worst = 0;
    for (const [name, w] of b.current.network!.toWeights()) {
      const ref = reference.get(name)!.data;
      w.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[i]!))));
    }
    console.info(`resume vs straight: max |Δw| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
    // The resumed run reports only epoch 2's steps; saved + new = the straight run's metrics.
    expect(resumed.map((p) => p.step)).toEqual([3, 4]);
    const all = [...restored.run!.metrics, ...resumed];
    expect(all.map((p) => p.step)).toEqual(straight.map((p) => p.step));
    all.forEach((p, i) => expect(p.loss).toBeCloseTo(straight[i]!.loss, 4));
    const final = await b.db.loadTraining();
    expect(final).toMatchObject({ status: 'finished', epochsCompleted: 2, momentum: null });
    expect(final?.metrics.length).toBe(straight.length);
    // No tensor leaks besides the network that replaced the restored one (same size).
    b.current.network?.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensorsBefore);
  });

  it('starts a run again when its checkpoint network is missing', async () => {
    const s = await fresh();
    await s.db.saveTraining({
      config,
      status: 'running',
      epochsCompleted: 1,
      metrics: [{ step: 1, epoch: 1, loss: 4, accuracy: 0, learningRate: 0.05 }],
      momentum: null,
      summary: null,
      endNote: null,
      savedAt: 0,
    });
    const session = new SessionService(
      s.current,
      () => undefined,
      () => false,
      () => Promise.resolve(s.db),
    );
    expect(await session.resumePoint()).toMatchObject({ epochsCompleted: 0, metrics: [] });
    expect((await session.restore()).run).toMatchObject({ epochsCompleted: 0, metrics: [] });
    // An unreadable checkpoint network: restore says so, and the run starts again too.
    const record = (await s.db.loadTraining())!;
    const garbage = { bytes: new Uint8Array([1, 2, 3]), name: 'tiny', origin: 'trained' as const };
    await s.db.saveTraining(record, { ...garbage, source: null, trainingEpoch: 1, savedAt: 0 });
    const broken = await session.restore();
    expect(broken.problem).toMatch(/^The saved network could not be restored: /);
    expect(broken).toMatchObject({ network: null, run: { epochsCompleted: 0, metrics: [] } });
    expect(await session.resumePoint()).toMatchObject({ epochsCompleted: 0, checkpoint: null });
    await session.abandonRun('not resumed');
    expect(await s.db.loadTraining()).toMatchObject({ status: 'finished', endNote: 'not resumed' });
    expect(await session.resumePoint()).toBeNull();
  });
});

describe('session network', () => {
  it('saves a changed network once, never while held, and restores it', async () => {
    const s = await fresh();
    const session = new SessionService(
      s.current,
      () => undefined,
      () => false,
      () => Promise.resolve(s.db),
    );
    await session.persistNetwork(); // nothing current: the session is left alone
    expect(await s.db.loadNetwork()).toBeNull();

    const graph = buildFromZooName('tiny');
    s.current.replace(Network.fromWeights(graph, initWeights(graph, 5)), 'imported', 'a.pth');
    const release = s.current.hold('measuring');
    await session.persistNetwork();
    expect(await s.db.loadNetwork()).toBeNull();
    release();
    await session.persistNetwork();
    const saved = await s.db.loadNetwork();
    expect(saved).toMatchObject({ name: 'tiny', origin: 'imported', source: 'a.pth' });

    const other = await fresh();
    const restored = await new SessionService(
      other.current,
      () => undefined,
      () => false,
      () => Promise.resolve(s.db),
    ).restore();
    expect(restored).toMatchObject({ problem: null, run: null });
    expect(restored.network).toMatchObject({ name: 'tiny', origin: 'imported', source: 'a.pth' });
    const w = other.current.network!.toWeights();
    for (const [name, t] of s.current.network!.toWeights()) {
      expect(Array.from(w.get(name)!.data)).toEqual(Array.from(t.data));
    }
  });

  it('keeps a compressed checkpoint’s recipe and activation quantizers across a restore', async () => {
    const s = await fresh();
    const session = new SessionService(
      s.current,
      () => undefined,
      () => false,
      () => Promise.resolve(s.db),
    );
    const graph = buildFromZooName('tiny');
    const compression = {
      recipe: { weightBits: 8, activationBits: 8 },
      activationQuant: { conv2: { bits: 8, bp: 5, mean: 0.1, std: 0.5 } },
    };
    const net = Network.fromWeights(graph, initWeights(graph, 5));
    s.current.replace(net, 'imported', 'tiny.mnlc', compression);
    await session.persistNetwork();
    const other = await fresh();
    const restored = await new SessionService(
      other.current,
      () => undefined,
      () => false,
      () => Promise.resolve(s.db),
    ).restore();
    expect(restored.network?.compressedRecipe).toEqual(compression.recipe);
    expect(other.current.compressed).toEqual(compression);
  });

  it('reports a failed write as a storage-error event and keeps going', async () => {
    const s = await fresh();
    const events: LabEvent[] = [];
    const failing = { ...s.db, saveNetwork: () => Promise.reject(new Error('disk on fire')) };
    const session = new SessionService(
      s.current,
      (e) => events.push(e),
      () => false,
      () => Promise.resolve(failing),
    );
    const graph = buildFromZooName('tiny');
    s.current.replace(Network.fromInit(graph, 1), 'initialised');
    await session.persistNetwork();
    expect(events).toEqual([
      { kind: 'storage-error', message: 'disk on fire (the current network)' },
    ]);
  });
});
