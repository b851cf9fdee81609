// The worker's "Run recipe" job on the tiny net (synthetic 32×32 images, cpu backend), with the
// session database on fake-indexeddb: a run completes, its .mnlc is readable and its network is
// current as an imported compressed checkpoint; a run cancelled at its first checkpoint is kept
// ('stopped') and a "new worker" (fresh current network and service over the same database)
// resumes it to the very same weights as the straight run; bad counts are refused by name.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { CifarDataset } from '../core/data/types';
import { Network } from '../core/graph/network';
import { readCompressed } from '../core/io/compressed/index';
import { buildFromZooName } from '../core/models/zoo';
import { openSessionDb, type SessionDb } from '../persist/session-db';
import { CurrentNetwork } from './current-network';
import type { WorkerJob } from './job-registry';
import type { BackendInfo } from './lab-types';
import { checkCount, RecipeRunService, runProgress } from './recipe-run-service';
import { RecipeRunStore } from './recipe-run-store';
import type { RecipeRunProgress, RecipeRunRequest } from '../protocol/recipe-run';
import type { LabEvent } from './session-service';

const backend = (): Promise<BackendInfo> =>
  Promise.resolve({ name: 'cpu', reason: 'test', forced: true, fallbacks: [] });

function synthetic(train: number, test: number): CifarDataset {
  let x = 777;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  const split = (n: number) => {
    const images = new Uint8Array(n * 3072).map(() => next() % 256);
    const fine = new Uint8Array(n).map(() => next() % 100);
    const coarse = new Uint8Array(n).map((_, i) => fine[i]! % 20);
    return { images, fine, coarse, count: n };
  };
  return { train: split(train), test: split(test), fineNames: [], coarseNames: [] };
}

const request: RecipeRunRequest = {
  recipe: {
    weightBits: 8,
    sparsity: 0.3,
    fineTune: { epochs: 2, pruneSteps: 2, batchSize: 4, qat: true, distill: { temperature: 4 } },
  },
  limit: 6,
  trainLimit: 8,
  seed: 5,
};

let dbs: SessionDb[] = [];
let nets: CurrentNetwork[] = [];
let n = 0;
afterEach(() => {
  for (const db of dbs) db.close();
  for (const c of nets) c.network?.dispose();
  dbs = [];
  nets = [];
});

/** A "worker": current network (the seeded tiny net), store and service over database `name`. */
async function worker(name: string) {
  const db = await openSessionDb(name);
  const current = new CurrentNetwork();
  dbs.push(db);
  nets.push(current);
  current.replace(Network.fromInit(buildFromZooName('tiny'), 1), 'initialised');
  const events: LabEvent[] = [];
  const store = new RecipeRunStore(
    (e) => events.push(e),
    () => Promise.resolve(db),
  );
  return { db, current, events, service: new RecipeRunService(backend, current, store) };
}

function hooks(progress: RecipeRunProgress[] = []) {
  const job: WorkerJob = { id: 'recipe-1', controller: new AbortController(), pausable: null };
  return { job, report: (p: RecipeRunProgress) => progress.push(p) };
}

describe('RecipeRunService', () => {
  it('runs, resumes after a cancel to the same result, and makes the result current', async () => {
    const data = synthetic(10, 8);
    const a = await worker(`recipe-run-${++n}`);
    const progress: RecipeRunProgress[] = [];
    const straight = await a.service.run(request, data, hooks(progress));
    expect(straight.status).toBe('completed');
    if (straight.status !== 'completed') return;
    expect(straight).toMatchObject({ n: 6, testSize: 8, hasExit: false, resumedFrom: null });
    expect(straight.score).toBeGreaterThan(0);
    expect(straight.paramsTerm + straight.opsTerm).toBeCloseTo(straight.score, 12);
    expect(a.current.info()).toMatchObject({ name: 'tiny', origin: 'imported' });
    expect(a.current.compressed?.recipe.weightBits).toBe(8);
    const file = readCompressed(straight.file.bytes, straight.file.fileName);
    expect(file.graph.name).toBe('tiny');
    expect(await a.service.saved()).toBeNull(); // a finished run is not kept
    const stages = new Set(progress.map((p) => p.stage));
    expect([...stages]).toEqual(
      expect.arrayContaining(['prune', 'calibrate', 'fine-tune', 'evaluate', 'export']),
    );
    const tune = progress.filter((p) => p.stage === 'fine-tune');
    expect(tune.at(-1)).toMatchObject({ unit: 'batches', total: 2 * 2 * 2 });
    expect(tune.at(-1)!.done).toBe(tune.at(-1)!.total);
    const reference = a.current.network!.toWeights();

    // Cancel at the first checkpoint (after epoch 1 of prune step 1): kept as 'stopped'.
    const b = await worker(`recipe-run-${++n}`);
    const h = hooks();
    const stop = b.service.run(request, data, {
      ...h,
      report: (p) => {
        if (p.stage === 'fine-tune' && p.done === 2) h.job.controller.abort();
      },
    });
    expect(await stop).toMatchObject({ status: 'cancelled', stepsDone: 0, epochsDone: 1 });
    expect(b.current.info()?.origin).toBe('initialised'); // the network is unchanged
    expect(await b.service.saved()).toMatchObject({
      status: 'stopped',
      note: 'cancelled',
      model: 'tiny',
      steps: 2,
      stepsDone: 0,
      epochsDone: 1,
      hasCheckpoint: true,
    });

    // A new worker over the same database resumes it: the same compressed weights.
    b.db.close();
    dbs = dbs.filter((d) => d !== b.db);
    const c = await worker(`recipe-run-${n}`);
    const resumed = await c.service.resume(data, hooks());
    expect(resumed).toMatchObject({
      status: 'completed',
      resumedFrom: { stepsDone: 0, epochsDone: 1 },
      top1: straight.top1,
      score: straight.score,
    });
    const got = c.current.network!.toWeights();
    for (const [name, t] of reference) expect(got.get(name)?.data, name).toEqual(t.data);
    expect(await c.service.saved()).toBeNull();
    expect(c.events).toEqual([]);
  }, 120_000);

  it('refuses bad counts by name, and a resume with nothing kept', async () => {
    const w = await worker(`recipe-run-${++n}`);
    const data = synthetic(4, 4);
    await expect(w.service.run({ ...request, limit: 5 }, data, hooks())).rejects.toThrow(
      'Test images must be a whole number in [1, 4] or all, got 5',
    );
    await expect(
      w.service.run({ ...request, limit: null, trainLimit: 1.5 }, data, hooks()),
    ).rejects.toThrow('Training images must be a whole number in [2, 4] or all, got 1.5');
    const noTest = { ...data, test: undefined };
    await expect(w.service.run(request, noTest, hooks())).rejects.toThrow('No test split loaded');
    await expect(w.service.resume(data, hooks())).rejects.toThrow('No recipe run to resume');
    expect(() => checkCount('N', null, 1, 2)).not.toThrow();
  });

  it('maps pipeline progress to job progress', () => {
    expect(runProgress({ stage: 'evaluate', step: 30, steps: 100, fraction: 0.3 })).toMatchObject({
      phase: 'evaluating with early exit',
      done: 30,
      total: 100,
      unit: 'images',
      etaSeconds: null,
    });
    expect(runProgress({ stage: 'prune', step: 2, steps: 3, fraction: 1 / 3 })).toMatchObject({
      phase: 'pruning · step 2 of 3',
      done: 1,
      total: 3,
    });
  });
});
