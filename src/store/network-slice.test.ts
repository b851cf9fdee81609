// One owner of "the network changed" (network-slice.ts): a network-changing worker call returns
// one NetworkChange, applied once by applyNetworkChange, and nothing asks the worker about the
// network again. After a prune the worker sees the prune, History's export of the new network's
// bytes and one plan of it (after the store's one debounce) — no score inputs, key, analysis id,
// kept schedule or stack; import, evaluation, training, undo and a cancelled schedule likewise.
// The fake worker (lab-client mocked) records every call; History runs on fake-indexeddb.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { layerZeroFractions, magnitudeProfile } from '../core/compress/sparsity/index';
import { initWeights } from '../core/graph/params';
import { buildTinyNet } from '../core/models/tiny';
import type { NetworkInfo, PrunePlan, ScoreInputs } from '../worker/lab-types';
import type { NetworkChange } from '../protocol/network-change';

const fake = vi.hoisted(() => ({
  calls: [] as string[],
  answers: {} as Record<string, (...args: unknown[]) => unknown>,
}));

vi.mock('../client/lab-client', () => ({
  // Any method: recorded, answered by fake.answers (null when the test gave no answer).
  getLab: () =>
    new Proxy(
      {},
      {
        get: (_t, name) =>
          name === 'then'
            ? undefined
            : (...args: unknown[]) => {
                fake.calls.push(String(name));
                const answer = fake.answers[String(name)];
                return Promise.resolve(answer ? answer(...args) : null);
              },
      },
    ),
  callback: <T>(fn: T) => fn,
  newJobId: (kind: string) => `${kind}-1`,
  isAbort: (e: unknown) => e instanceof Error && e.name === 'AbortError',
  errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

const { useLabStore } = await import('./lab-store');
const { PLAN_DEBOUNCE_MS } = await import('./prune-slice');
const { changeOf } = await import('./network-change.test-helpers');
const initial = useLabStore.getState();
const st = () => useLabStore.getState();

/** Worker calls that re-read what a NetworkChange carries (none may follow a change). */
const REQUERIES = [
  'scoreInputs',
  'networkKey',
  'analysisId',
  'savedPruneSchedule',
  'currentNetwork',
  'networkChange',
  'networkStack',
];

const tiny = buildTinyNet();
const net = (params: number): NetworkInfo => ({
  name: 'tiny',
  origin: 'trained',
  source: null,
  params,
  extraOutputs: [],
});
const NET = net(30196);
const SMALL = net(18644);

function inputsOf(network: NetworkInfo, networkId: number): ScoreInputs {
  const weights = initWeights(tiny, networkId);
  return {
    graph: tiny,
    profile: magnitudeProfile(tiny, weights),
    layerZeroFraction: layerZeroFractions(tiny, weights),
    exitRate: null,
    network,
    networkId,
    networkKey: `tiny#${networkId}`,
  };
}

const PLAN: PrunePlan = {
  method: 'channels',
  paramsBefore: 18644,
  paramsAfter: 12000,
  scoreBefore: 0.01,
  scoreAfter: 0.008,
  scoreError: null,
  groups: [],
  layers: [],
  analysisId: null,
};

/** Waits past the plan's debounce and History's queue (fake-indexeddb is asynchronous). */
const settle = () => new Promise((r) => setTimeout(r, PLAN_DEBOUNCE_MS + 100));

let applied: NetworkChange[] = [];

/** The store on network 1 (NET, analysed), its calls forgotten; applyNetworkChange counted. */
async function onNetwork1(): Promise<void> {
  st().applyNetworkChange(changeOf(NET, inputsOf(NET, 1), { analysisId: 1 }));
  useLabStore.setState({ analysis: { analysisId: 1 } as never, analysisStale: false });
  await settle(); // its own plan
  fake.calls = [];
}

beforeEach(() => {
  useLabStore.setState(initial, true);
  fake.calls = [];
  fake.answers = {
    planPrune: () => PLAN,
    exportCheckpoint: () => ({
      fileName: 'tiny.safetensors',
      bytes: new Uint8Array(3),
      network: SMALL,
    }),
  };
  applied = [];
  const apply = st().applyNetworkChange;
  useLabStore.setState({
    backendStatus: 'ready',
    summary: {
      train: { count: 64, source: 'train.bin' },
      test: { count: 64, source: 'test.bin' },
      fineNames: [],
      coarseNames: [],
    },
    applyNetworkChange: (c) => {
      applied.push(c);
      apply(c);
    },
  });
});

describe('a network change', () => {
  it('after a prune: one change applied once, no worker round-trip to re-read it', async () => {
    await onNetwork1();
    useLabStore.setState({ measurement: { networkId: 1 } as never, measureState: 'done' });
    applied = [];
    const change = changeOf(SMALL, inputsOf(SMALL, 2), { analysisId: null });
    fake.answers.prune = () => ({
      paramsBefore: 30196,
      paramsAfter: 18644,
      network: SMALL,
      seconds: 1,
      accuracy: null,
      change,
    });
    await st().pruneNow();
    await settle();
    // The prune; History keeping the new network's bytes; the one plan of the new network.
    expect(fake.calls).toEqual(['prune', 'exportCheckpoint', 'planPrune']);
    expect(applied).toEqual([change]);
    expect(st()).toMatchObject({
      network: SMALL,
      currentNetworkKey: 'tiny#2',
      pruneNetworkKey: 'tiny#2',
      analysisStale: true,
      scheduleSaved: null,
      measurement: null,
      measureState: 'idle',
      plan: PLAN,
      planState: 'done',
    });
    expect(st().scoreInputs?.networkId).toBe(2);
    expect(st().score).not.toBeNull(); // scored on the new network in the same update
    expect(st().runs[0]).toMatchObject({ kind: 'prune', networkKey: 'tiny#2' });
  });

  it('an unchanged network keeps its object: a cancelled schedule plans nothing again', async () => {
    await onNetwork1();
    applied = [];
    const saved = { iteration: 1, iterations: 3, history: [] };
    fake.answers.runPruneSchedule = () => ({
      status: 'cancelled',
      history: [],
      network: null,
      paramsBefore: 30196,
      paramsAfter: 30196,
      change: changeOf({ ...NET }, inputsOf(NET, 1), { analysisId: 1, scheduleSaved: saved }),
    });
    const before = st().network;
    await st().runSchedule(false);
    await settle();
    expect(fake.calls).toEqual(['runPruneSchedule']);
    expect(applied).toHaveLength(1);
    expect(st().network).toBe(before);
    expect([st().scheduleSaved, st().analysisStale]).toEqual([saved, false]);
  });

  const cases: [string, () => Promise<void>, (c: NetworkChange) => void][] = [
    [
      'importCheckpoint',
      () => st().importFile(new File([new Uint8Array(3)], 'tiny.safetensors')),
      (change) =>
        (fake.answers.importCheckpoint = () => ({
          report: { fileName: 'tiny.safetensors' },
          network: SMALL,
          change,
        })),
    ],
    [
      'evaluate',
      () => st().startEvaluation(),
      (change) =>
        (fake.answers.evaluate = () => ({
          top1: 0.5,
          top5: 0.8,
          loss: 2,
          n: 64,
          imagesPerSecond: 100,
          model: 'tiny',
          untrained: false,
          earlyExit: null,
          network: SMALL,
          networkKey: 'tiny#2',
          change,
        })),
    ],
    [
      'undoNetwork',
      () => st().undoNetwork(),
      (change) =>
        (fake.answers.undoNetwork = () => ({
          view: { entries: [], index: -1, canUndo: false, canRedo: true, currentKept: false },
          network: SMALL,
          change,
        })),
    ],
  ];

  it.each(cases)(
    'after %s: one change applied once, nothing re-read',
    async (method, run, answer) => {
      await onNetwork1();
      applied = [];
      const change = changeOf(SMALL, inputsOf(SMALL, 2));
      answer(change);
      await run();
      await settle();
      expect(fake.calls[0]).toBe(method);
      expect(fake.calls.filter((c) => REQUERIES.includes(c))).toEqual([]);
      expect(applied).toEqual([change]);
      expect([st().network, st().currentNetworkKey]).toEqual([SMALL, 'tiny#2']);
    },
  );

  it('after training: the summary brings the change (and none is asked after a failure)', async () => {
    const change = changeOf(SMALL, inputsOf(SMALL, 2));
    const summary = {
      steps: 2,
      epochs: 1,
      cancelled: false,
      finalLoss: 4,
      finalAccuracy: 0,
      seconds: 1,
    };
    fake.answers.train = () => ({ ...summary, change });
    await st().startTraining();
    await settle();
    expect(fake.calls[0]).toBe('train');
    expect(fake.calls.filter((c) => REQUERIES.includes(c))).toEqual([]);
    expect(applied).toEqual([change]);
    expect([st().trainSummary, st().trainNetworkKey]).toEqual([summary, 'tiny#2']);
  });
});
