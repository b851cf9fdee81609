// Jobs the worker died under (lab-client mocked; the recovery slice's real restore runs): an
// evaluation and an analysis are recorded with their settings the moment the worker is lost, say
// "restarting" until the new worker is set up and then offer a restart, which runs the same job
// with the same settings (changed since or not) and closes the record; a training run that the
// recovery resumes from its checkpoint says so until it ends, and one it cannot resume is
// restarted with the same configuration; the header's worker-loss count follows.
import 'fake-indexeddb/auto';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionRestore } from '../worker/session-service';
import type {
  AnalysisResult,
  EvalResult,
  LoadResult,
  NetworkInfo,
  TrainConfig,
  TrainSummary,
} from '../worker/lab-types';
import { WorkerLostError } from '../client/worker-watchdog';

interface Pending {
  method: string;
  args: unknown[];
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const fake = vi.hoisted(() => ({
  pending: [] as Pending[],
  restore: { network: null, run: null, problem: null } as SessionRestore,
  lost: null as ((reason: string) => void) | null,
}));

vi.mock('../client/lab-client', async () => {
  const { changeOf } = await import('./network-change.test-helpers');
  /** Calls that may change the network answer with their NetworkChange. */
  const changing = new Set(['evaluate', 'train', 'resumeRun']);
  const answer = (method: string, v: unknown) =>
    changing.has(method) ? { ...(v as object), change: changeOf(fake.restore.network) } : v;
  let n = 0;
  const counts = { count: 48, source: 'x.bin' };
  const load = (): LoadResult =>
    ({
      summary: { train: counts, test: counts, fineNames: [], coarseNames: [] },
      samples: null,
      cache: { bytes: 1, savedAt: null, trainCount: 48, testCount: 48, usage: null, quota: null },
      fromCache: true,
      warning: null,
    }) as LoadResult;
  const job =
    (method: string) =>
    (...args: unknown[]) =>
      new Promise((resolve, reject) =>
        fake.pending.push({ method, args, resolve: (v) => resolve(answer(method, v)), reject }),
      );
  return {
    getLab: () => ({
      init: () => Promise.resolve({ name: 'wasm', reason: 'test', forced: false, fallbacks: [] }),
      cacheInfo: () => Promise.resolve(load().cache),
      restoreCache: () => Promise.resolve(load()),
      restoreSession: () =>
        Promise.resolve({ ...fake.restore, change: changeOf(fake.restore.network) }),
      savedRecipeRun: () => Promise.resolve(null),
      scoreInputs: () => Promise.resolve(null),
      abandonRun: () => Promise.resolve(),
      cancel: () => Promise.resolve(false),
      evaluate: job('evaluate'),
      analyse: job('analyse'),
      train: job('train'),
      resumeRun: job('resumeRun'),
    }),
    callback: <T>(fn: T) => fn,
    newJobId: (kind: string) => `${kind}-${++n}`,
    isAbort: (e: unknown) => e instanceof Error && e.name === 'AbortError',
    errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
    onLabLost: (fn: (reason: string) => void) => (fake.lost = fn),
    onLabEvent: () => () => undefined,
  };
});

const { useLabStore } = await import('./lab-store');
const st = () => useLabStore.getState();

const REASON = 'it did not answer for 2 s';
const tiny: NetworkInfo = {
  name: 'tiny',
  origin: 'trained',
  source: null,
  params: 10,
  extraOutputs: [],
};
const config: TrainConfig = {
  model: 'tiny',
  epochs: 2,
  batchSize: 8,
  learningRate: 0.05,
  augment: { cropFlip: true, cutout: false, autoAugment: false },
  seed: 1,
};
const summary: TrainSummary = {
  steps: 12,
  epochs: 2,
  cancelled: false,
  finalLoss: 3.4,
  finalAccuracy: 0.1,
  seconds: 2,
};

/** The calls waiting on the worker for `method`. */
const calls = (method: string) => fake.pending.filter((p) => p.method === method);

/** As lab-client does: the pending calls reject, then the listener hears of the loss. */
function loseWorker(reason: string): void {
  const lost = fake.pending.splice(0);
  for (const p of lost)
    p.reject(new WorkerLostError(`The worker stopped (${reason}); this job was interrupted.`));
  fake.lost!(reason);
}

let initial: ReturnType<typeof st>;
beforeAll(async () => {
  await st().restoreSession(); // registers the lost-worker listener
  initial = st();
});
beforeEach(() => {
  useLabStore.setState(initial, true);
  useLabStore.setState({ network: tiny, recordRun: () => Promise.resolve() });
  fake.pending = [];
  fake.restore = { network: tiny, run: null, problem: null };
});

describe('a job the worker died under', () => {
  it('is recorded, waits for the new worker, and restarts with the same settings', async () => {
    st().setEvalBatchSize(7);
    const first = st().startEvaluation();
    await vi.waitFor(() => expect(calls('evaluate')).toHaveLength(1));
    loseWorker(REASON);
    expect(st().interruptedJobs.evaluate).toEqual({
      slot: 'evaluate',
      spec: { kind: 'evaluate', batchSize: 7 },
      reason: REASON,
      state: 'recovering',
    });
    expect(st().workerLoss).toMatchObject({ reason: REASON, count: 1 });
    await first;
    expect(st().evalError).toBeNull(); // the record says it, once
    await vi.waitFor(() => expect(st().interruptedJobs.evaluate?.state).toBe('ready'));
    expect(st()).toMatchObject({ backendStatus: 'ready', network: tiny, recoveryPhase: 'idle' });
    expect(st().summary?.test?.count).toBe(48);

    st().setEvalBatchSize(50); // changed since: the restart still runs the job that died
    const again = st().restartJob('evaluate');
    await vi.waitFor(() => expect(calls('evaluate')).toHaveLength(1));
    expect(calls('evaluate')[0]!.args[1]).toEqual({ batchSize: 7 });
    expect(st().interruptedJobs.evaluate).toBeUndefined();
    calls('evaluate')[0]!.resolve({ top1: 0.5, network: tiny } as EvalResult);
    await again;
    expect(st().evalRuns).toBe(1);
    expect(st().jobs.evaluate).toBeNull();
  });

  it('records every job that ran (evaluation and analysis) and restarts each', async () => {
    const settings = { kfacBatches: 2, batchSize: 16, hessianRecords: 16, topK: 3 };
    st().setAnalysisSettings(settings);
    void st().analyse();
    void st().startEvaluation();
    await vi.waitFor(() => expect(fake.pending).toHaveLength(2));
    loseWorker('it failed inside WebAssembly or ran out of memory: Aborted()');
    expect(Object.keys(st().interruptedJobs).sort()).toEqual(['analyse', 'evaluate']);
    await vi.waitFor(() => expect(st().interruptedJobs.analyse?.state).toBe('ready'));
    expect(st().analysisError).toBeNull();
    st().setAnalysisSettings({ topK: 9 });
    void st().restartJob('analyse');
    await vi.waitFor(() => expect(calls('analyse')).toHaveLength(1));
    expect(st().analysisSettings).toEqual(settings);
    expect(calls('analyse')[0]!.args[1]).toMatchObject({ kfacBatches: 2, topK: 3 });
    calls('analyse')[0]!.resolve({ analysisId: 1, layers: [] } as unknown as AnalysisResult);
    await vi.waitFor(() => expect(st().jobs.analyse).toBeNull());
    expect(st().interruptedJobs.analyse).toBeUndefined();
    expect(st().interruptedJobs.evaluate?.state).toBe('ready'); // still offered
    st().dismissInterruptedJob('evaluate');
    expect(st().interruptedJobs).toEqual({});
    expect(st().workerLoss?.count).toBeGreaterThanOrEqual(1);
  });

  it('a training run the recovery resumes says so until it ends', async () => {
    useLabStore.setState({ trainSettings: { ...config }, modelName: 'tiny' });
    void st().startTraining();
    await vi.waitFor(() => expect(calls('train')).toHaveLength(1));
    fake.restore = {
      network: tiny,
      run: {
        config,
        status: 'running',
        epochsCompleted: 1,
        metrics: [],
        summary: null,
        endNote: null,
      },
      problem: null,
    };
    loseWorker(REASON);
    await vi.waitFor(() => expect(calls('resumeRun')).toHaveLength(1));
    await vi.waitFor(() => expect(st().recoveryPhase).toBe('idle'));
    expect(st().interruptedJobs.train?.state).toBe('resumed');
    calls('resumeRun')[0]!.resolve(summary);
    await vi.waitFor(() => expect(st().trainStatus).toBe('done'));
    expect(st().interruptedJobs.train).toBeUndefined();
  });

  it('a training run that cannot resume is restarted with the same configuration', async () => {
    useLabStore.setState({ trainSettings: { ...config }, modelName: 'tiny' });
    void st().startTraining();
    await vi.waitFor(() => expect(calls('train')).toHaveLength(1));
    loseWorker(REASON); // no saved run: nothing to resume from
    await vi.waitFor(() => expect(st().interruptedJobs.train?.state).toBe('ready'));
    st().setTrainSettings({ epochs: 9 });
    st().setModelName('resnet-20');
    void st().restartJob('train');
    await vi.waitFor(() => expect(calls('train')).toHaveLength(1));
    expect(calls('train')[0]!.args[1]).toEqual(config);
    calls('train')[0]!.resolve(summary);
    await vi.waitFor(() => expect(st().trainStatus).toBe('done'));
  });

  it('a restart waits for the new worker', async () => {
    void st().startEvaluation();
    await vi.waitFor(() => expect(calls('evaluate')).toHaveLength(1));
    loseWorker(REASON);
    await st().restartJob('evaluate'); // still recovering: nothing happens
    expect(calls('evaluate')).toHaveLength(0);
    await vi.waitFor(() => expect(st().interruptedJobs.evaluate?.state).toBe('ready'));
  });
});
