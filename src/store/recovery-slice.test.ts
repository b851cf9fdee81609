// Recovery slice with a fake worker (lab-client mocked) and the real session database on
// fake-indexeddb: a crash mid-training restores backend, dataset and network and resumes the run
// from its checkpoint with the saved metrics; repeated crashes at the same checkpoint stop
// resuming (a newer checkpoint resets the count, however long the run takes); workers that die
// at start-up stop being restarted; a run the user started meanwhile is not ended by a resume;
// the old worker's score inputs, measurements and checkpoint link are dropped (the restored
// network's come with the restore's NetworkChange, nothing is asked again); a missing dataset
// is said; a reload restores the saved recipe and the finished run's chart; recipe edits are
// saved; storage failures (quota) are shown; the undo stack's view arrives as an event.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LabEvent, SavedRun, SessionRestore } from '../worker/session-service';
import type {
  JobProgress,
  LoadResult,
  MetricPoint,
  NetworkInfo,
  ScoreInputs,
  TrainConfig,
  TrainSummary,
} from '../worker/lab-types';
import type { WithChange } from '../protocol/network-change';

interface Resume {
  id: string;
  onMetrics: (p: MetricPoint[]) => void;
  resolve: (s: TrainSummary) => void;
}

const fake = vi.hoisted(() => ({
  calls: [] as string[],
  restore: null as unknown as SessionRestore,
  onRestore: null as (() => void) | null,
  cached: true,
  initFails: false,
  inputs: null as unknown,
  resumes: [] as Resume[],
  lost: null as ((reason: string) => void) | null,
  event: null as ((e: LabEvent) => void) | null,
}));

vi.mock('../client/lab-client', async () => {
  const { changeOf } = await import('./network-change.test-helpers');
  const change = () => changeOf(fake.restore.network, fake.inputs as ScoreInputs | null);
  let n = 0;
  const summary = { train: { count: 48, source: 'train.bin' }, test: null, fineNames: [] };
  const load = (): LoadResult =>
    ({
      summary: { ...summary, coarseNames: [] },
      samples: null,
      cache: { bytes: 1, savedAt: null, trainCount: 48, testCount: 0, usage: null, quota: null },
      fromCache: true,
      warning: null,
    }) as LoadResult;
  return {
    getLab: () => ({
      init: (pref: string) => {
        fake.calls.push(`init(${pref})`);
        if (fake.initFails) return Promise.reject(new Error('The worker stopped (boot error)'));
        return Promise.resolve({ name: 'wasm', reason: 'test', forced: false, fallbacks: [] });
      },
      cacheInfo: () => Promise.resolve(load().cache),
      restoreCache: () => {
        fake.calls.push('restoreCache');
        return Promise.resolve(fake.cached ? load() : null);
      },
      restoreSession: () => {
        fake.calls.push('restoreSession');
        fake.onRestore?.();
        return Promise.resolve({ ...fake.restore, change: change() });
      },
      savedRecipeRun: () => Promise.resolve(null),
      abandonRun: (note: string) => {
        fake.calls.push(`abandonRun(${note})`);
        return Promise.resolve();
      },
      resumeRun: (
        id: string,
        onMetrics: (p: MetricPoint[]) => void,
        _p: (p: JobProgress) => void,
      ) =>
        new Promise<WithChange<TrainSummary>>((resolve) =>
          fake.resumes.push({ id, onMetrics, resolve: (s) => resolve({ ...s, change: change() }) }),
        ),
      scoreInputs: () => {
        fake.calls.push('scoreInputs');
        return Promise.resolve(fake.inputs);
      },
      cancel: () => Promise.resolve(false),
    }),
    callback: <T>(fn: T) => fn,
    newJobId: (kind: string) => `${kind}-${++n}`,
    isAbort: (e: unknown) => e instanceof Error && e.name === 'AbortError',
    errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
    onLabLost: (fn: (reason: string) => void) => (fake.lost = fn),
    onLabEvent: (fn: (e: LabEvent) => void) => {
      fake.event = fn;
      return () => undefined;
    },
  };
});

const { useLabStore } = await import('./lab-store');
const { MAX_RESTARTS, MAX_RESUMES, RECIPE_SAVE_MS } = await import('./recovery-slice');
const { sessionDb } = await import('../persist/session-db');
const initial = useLabStore.getState();
const st = () => useLabStore.getState();

const config: TrainConfig = {
  model: 'tiny',
  epochs: 4,
  batchSize: 16,
  learningRate: 0.05,
  augment: { cropFlip: true, cutout: false, autoAugment: false },
  seed: 1,
};
const tiny: NetworkInfo = {
  name: 'tiny',
  origin: 'trained',
  source: null,
  params: 10,
  extraOutputs: [],
};
const point = (step: number): MetricPoint => ({
  step,
  epoch: Math.ceil(step / 3),
  loss: 4.6 - step / 10,
  accuracy: 0,
  learningRate: 0.05,
});
const running = (epochsCompleted: number): SavedRun => ({
  config,
  status: 'running',
  epochsCompleted,
  metrics: Array.from({ length: epochsCompleted * 3 }, (_, i) => point(i + 1)),
  summary: null,
  endNote: null,
});
const summary: TrainSummary = {
  steps: 12,
  epochs: 4,
  cancelled: false,
  finalLoss: 3.4,
  finalAccuracy: 0.1,
  seconds: 2,
};

/** A store as it is mid-training when the worker dies. */
function midTraining(): void {
  useLabStore.setState({
    summary: {
      train: { count: 48, source: 'train.bin' },
      test: null,
      fineNames: [],
      coarseNames: [],
    },
    backendStatus: 'ready',
    trainStatus: 'running',
    metrics: [1, 2, 3, 4, 5, 6, 7].map(point),
    jobs: {
      ...initial.jobs,
      train: {
        id: 'train-old',
        kind: 'train',
        label: 'Training tiny',
        startedAt: 0,
        progress: null,
        cancelling: false,
      },
    },
    recordRun: () => Promise.resolve(),
  });
}

beforeEach(async () => {
  useLabStore.setState(initial, true);
  fake.calls = [];
  fake.resumes = [];
  fake.cached = true;
  fake.initFails = false;
  fake.inputs = null;
  fake.onRestore = null;
  await (await sessionDb()).clear();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('recoverWorker (crash)', () => {
  it('restores backend, dataset and network and resumes the run from its checkpoint', async () => {
    midTraining();
    fake.restore = { network: tiny, run: running(2), problem: null };
    await st().recoverWorker('an uncaught error: boom');
    expect(fake.calls).toEqual(['init(auto)', 'restoreCache', 'restoreSession']); // nothing more
    expect(st().recoveryNotice).toEqual({
      kind: 'crash',
      text:
        'The worker stopped (an uncaught error: boom). Restored the dataset and the network ' +
        'from epoch 2. Training resumes at epoch 3 of 4.',
    });
    expect(st()).toMatchObject({ backendStatus: 'ready', network: tiny, recoveryPhase: 'idle' });
    await vi.waitFor(() => expect(fake.resumes).toHaveLength(1));
    // The chart restarts from the checkpoint's 6 points (step 7 was lost with the worker).
    expect(st().metrics.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(st()).toMatchObject({ trainStatus: 'running', modelName: 'tiny' });
    expect(st().trainSettings.epochs).toBe(4);
    expect(st().jobs.train?.id).toBe(fake.resumes[0]!.id);
    fake.resumes[0]!.onMetrics([7, 8, 9, 10, 11, 12].map(point));
    fake.resumes[0]!.resolve(summary);
    await vi.waitFor(() => expect(st().trainStatus).toBe('done'));
    expect(st().metrics.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(st().jobs.train).toBeNull();
  });

  it(`stops resuming after ${MAX_RESUMES} crashes at one checkpoint, however slow`, async () => {
    // 6 minutes between crashes (a silent death is found after 300 s): no time window applies.
    let now = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => (now += 6 * 60_000));
    const crash = async (epochs: number) => {
      fake.restore = { network: tiny, run: running(epochs), problem: null };
      midTraining();
      await st().recoverWorker('it did not answer for 300 s');
    };
    try {
      for (let i = 0; i < MAX_RESUMES; i++) {
        await crash(1);
        await vi.waitFor(() => expect(fake.resumes).toHaveLength(i + 1));
      }
      // Epoch 2's checkpoint arrives: progress, so the run may crash MAX_RESUMES times again.
      fake.event?.({ kind: 'checkpoint', epochsCompleted: 2, epochs: 4, saved: true });
      for (let i = 0; i < MAX_RESUMES; i++) {
        await crash(2);
        await vi.waitFor(() => expect(fake.resumes).toHaveLength(MAX_RESUMES + i + 1));
      }
      await crash(2);
    } finally {
      vi.restoreAllMocks();
    }
    const why = `the worker stopped ${MAX_RESUMES + 1} times in a row before the next checkpoint`;
    expect(fake.calls.at(-1)).toBe(`abandonRun(not resumed: ${why})`);
    expect(st().recoveryNotice?.text).toContain(
      `Training was not resumed at epoch 3 of 4: ${why}.`,
    );
    expect(fake.resumes).toHaveLength(2 * MAX_RESUMES);
  });

  it(`gives up after ${MAX_RESTARTS} restarts in a row whose worker never started`, async () => {
    fake.restore = { network: tiny, run: null, problem: null };
    fake.initFails = true;
    const initCalls = () => fake.calls.filter((c) => c.startsWith('init')).length;
    await st().recoverWorker('boot error');
    fake.initFails = false; // a start that succeeds resets the count
    await st().recoverWorker('boot error');
    expect(st().recoveryPhase).toBe('idle');
    fake.initFails = true;
    for (let i = 0; i < MAX_RESTARTS; i++) await st().recoverWorker('boot error');
    expect(initCalls()).toBe(2 + MAX_RESTARTS);
    const calls = fake.calls.length;
    await st().recoverWorker('boot error');
    expect(fake.calls).toHaveLength(calls); // no further worker is asked for anything
    expect(st().recoveryPhase).toBe('failed');
    expect(st().recoveryNotice).toEqual({
      kind: 'crash',
      text:
        `Recovery failed: the worker stopped ${MAX_RESTARTS + 1} times in a row before its ` +
        'backend started (last: boot error). Reload the page to try again.',
    });
    expect(st().backendStatus).toBe('error');
  });

  it('does not end a training run the user started while the worker was restored', async () => {
    midTraining();
    fake.restore = { network: tiny, run: running(2), problem: null };
    let userJob = '';
    fake.onRestore = () => (userJob = st().beginJob('train', 'Training tiny'));
    await st().recoverWorker('an uncaught error: boom');
    expect(st().jobs.train?.id).toBe(userJob);
    expect(st().recoveryNotice?.text).toContain(
      'Training was not resumed at epoch 3 of 4: a new run was started.',
    );
    expect(fake.resumes).toHaveLength(0);
    expect(fake.calls.some((c) => c.startsWith('abandonRun'))).toBe(false);
  });

  it("drops the old worker's score inputs, measurements and checkpoint link", async () => {
    midTraining();
    useLabStore.setState({
      scoreInputs: { networkId: 1 } as never,
      currentCheckpoint: { id: 'ckpt-1', networkId: 1 },
      measurement: { networkId: 1 } as never,
      fullMeasurement: { networkId: 1 } as never,
      measureState: 'done',
    });
    fake.restore = { network: tiny, run: null, problem: null };
    await st().recoverWorker('an uncaught error: boom');
    expect(fake.calls).not.toContain('scoreInputs'); // the restore's change brought them
    expect(st()).toMatchObject({
      scoreInputs: null,
      currentCheckpoint: null,
      measurement: null,
      fullMeasurement: null,
      measureState: 'idle',
    });
  });

  it('says so when the dataset is not in the cache, and does not resume', async () => {
    midTraining();
    fake.cached = false;
    fake.restore = { network: tiny, run: running(1), problem: null };
    await st().recoverWorker('the WebGPU device was lost: destroyed');
    expect(st().recoveryNotice?.text).toBe(
      'The worker stopped (the WebGPU device was lost: destroyed). Restored the network from ' +
        'epoch 1. The dataset is not in the browser cache: load it again. Training was not ' +
        'resumed at epoch 2 of 4: the train split is not in the browser cache (load it again).',
    );
    expect(fake.calls.at(-1)).toMatch(/^abandonRun/);
    expect(fake.resumes).toHaveLength(0);
  });
});

describe('restoreSession (reload)', () => {
  it('restores the saved recipe and the finished run, and saves recipe edits', async () => {
    const location = { search: '?backend=wasm', pathname: '/', hash: '' };
    const history = {
      state: null,
      replaceState: (_s: unknown, _t: string, url: string) => {
        location.search = url.slice(url.indexOf('?'));
      },
    };
    vi.stubGlobal('window', { location, history });
    try {
      await (await sessionDb()).saveRecipe({ sparsity: 0.5 });
      fake.restore = {
        network: tiny,
        run: { ...running(4), status: 'finished', summary },
        problem: null,
      };
      await st().restoreSession();
      expect(st().recipe).toEqual({ sparsity: 0.5 });
      expect(location.search).toBe('?backend=wasm&recipe=%7B%22sparsity%22:0.5%7D');
      expect(st().recoveryNotice).toEqual({
        kind: 'reload',
        text: 'Welcome back. Restored the recipe, the dataset and the network tiny.',
      });
      expect(st()).toMatchObject({ trainStatus: 'done', trainSummary: summary, network: tiny });
      expect(st().metrics).toHaveLength(12);

      vi.useFakeTimers();
      st().setSparsity(0.25);
      await vi.advanceTimersByTimeAsync(RECIPE_SAVE_MS + 10);
      vi.useRealTimers();
      await vi.waitFor(async () =>
        expect((await (await sessionDb()).load()).recipe).toEqual({ sparsity: 0.25 }),
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('shows storage errors: worker events and a full quota on the recipe', async () => {
    fake.restore = { network: null, run: null, problem: null };
    await st().restoreSession();
    expect(st().recoveryNotice).toBeNull();
    fake.event?.({ kind: 'storage-error', message: 'Browser storage is full: could not save x.' });
    expect(st().sessionError).toBe('Browser storage is full: could not save x.');
    fake.event?.({ kind: 'checkpoint', epochsCompleted: 1, epochs: 3, saved: true });
    expect(st().lastCheckpoint).toEqual({ epochsCompleted: 1, epochs: 3, saved: true });
    const view = { entries: [], index: -1, canUndo: false, canRedo: false, currentKept: false };
    fake.event?.({ kind: 'stack', view });
    expect(st().networkStack).toEqual(view);

    const proto = IDBObjectStore.prototype;
    const put = proto.put;
    proto.put = function quota(): IDBRequest<IDBValidKey> {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    try {
      st().dismissSessionError();
      st().setSparsity(0.3);
      await vi.waitFor(() => expect(st().sessionError).not.toBeNull(), { timeout: 3000 });
    } finally {
      proto.put = put;
    }
    expect(st().sessionError).toMatch(/^Browser storage is full: could not save the recipe\./);
  });
});
