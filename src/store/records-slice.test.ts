// The (network, recipe) record store on fake-indexeddb with a fake worker: an evaluation in the
// Evaluate panel (80.26 % / 80.04 % with early exit on all 10,000 images) lands in the record of
// (its network, no recipe), so the Score panel's pair and the import's History row show it and it
// qualifies; it also gets its one History row, which a later measurement of the same pair updates
// instead of adding another; a slice evaluation is an estimate; records come back after a reload.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { layerZeroFractions, magnitudeProfile } from '../core/compress/sparsity/index';
import { initWeights } from '../core/graph/params';
import { buildTinyNet } from '../core/models/tiny';
import type { EvalResult, NetworkInfo, ScoreInputs } from '../worker/lab-types';
import type { WithChange } from '../protocol/network-change';

const tiny = buildTinyNet();
const weights = initWeights(tiny, 1);
const network: NetworkInfo = {
  name: 'tiny',
  origin: 'imported',
  source: 'tiny.safetensors',
  params: 30196,
  extraOutputs: ['exit'],
};
const inputs: ScoreInputs = {
  graph: tiny,
  profile: magnitudeProfile(tiny, weights),
  layerZeroFraction: layerZeroFractions(tiny, weights),
  exitRate: null,
  network,
  networkId: 5,
  networkKey: 'tiny#abc',
};

const fake = vi.hoisted(() => ({ n: 10_000 }));

vi.mock('../client/lab-client', () => ({
  getLab: () => ({
    scoreInputs: () => Promise.resolve({ ...inputs }),
    exportCheckpoint: () =>
      Promise.resolve({ fileName: 'tiny.safetensors', bytes: new Uint8Array([1]), network }),
    evaluate: (): Promise<WithChange<EvalResult>> =>
      Promise.resolve({
        top1: 0.8026,
        top5: 0.95,
        loss: 0.8,
        n: fake.n,
        imagesPerSecond: 1000,
        model: 'tiny',
        untrained: false,
        earlyExit: { top1: fake.n === 10_000 ? 0.8004 : 0.81, exitRate: 0.29, threshold: 0.85 },
        network,
        networkKey: 'tiny#abc',
        change: {
          network,
          networkKey: 'tiny#abc',
          scoreInputs: { ...inputs },
          scoreInputsError: null,
          analysisId: null,
          scheduleSaved: null,
        },
      }),
    cancel: () => Promise.resolve(true),
  }),
  callback: <T>(fn: T) => fn,
  newJobId: (kind: string) => `${kind}-1`,
  isAbort: () => false,
  errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
}));

const { useLabStore } = await import('./lab-store');
const { eligibilityOf } = await import('./eligibility');
const { findRecord } = await import('./measure-records');
const { runFigures } = await import('./history-pairs');
const { importRun } = await import('./history-runs');
const { changeOf } = await import('./network-change.test-helpers');
const initial = useLabStore.getState();
const st = () => useLabStore.getState();

/** Waits for the history queue and the record writes (fake-indexeddb is asynchronous). */
const settle = () => new Promise((r) => setTimeout(r, 60));

beforeEach(async () => {
  await st().clearHistory();
  useLabStore.setState(initial, true);
  st().applyNetworkChange(changeOf(network, { ...inputs })); // the imported network is current
  fake.n = 10_000;
});

describe('one record per (network, recipe)', () => {
  it('an evaluation reaches the Score pair, the import row and its own History row', async () => {
    await st().recordRun(importRun({ fileName: 'tiny.safetensors' } as never, network));
    await st().startEvaluation();
    await settle();
    const record = findRecord(st().records, 'tiny#abc', '{}');
    expect(record?.full).toMatchObject({ top1: 0.8004, top1Main: 0.8026, source: 'evaluate' });
    expect(eligibilityOf(record).status).toBe('qualifies');
    const [edit, imported] = st().runs;
    expect(imported).toMatchObject({ kind: 'import', networkKey: 'tiny#abc' });
    expect(eligibilityOf(runFigures(imported!, st().records)).status).toBe('qualifies');
    expect(edit).toMatchObject({ kind: 'edit', label: 'as is (full test set)' });
    expect(edit!.accuracy).toEqual({ top1: 0.8004, n: 10_000 });

    // Again on a slice: the same row, its full figure kept; no new row.
    fake.n = 500;
    st().setEvalLimit(500);
    await st().startEvaluation();
    await settle();
    expect(st().runs.map((r) => r.kind)).toEqual(['edit', 'import']);
    const again = findRecord(st().records, 'tiny#abc', '{}')!;
    expect(again.slice).toMatchObject({ n: 500, top1: 0.81 });
    expect(eligibilityOf(again).status).toBe('qualifies'); // the full figure decides
  });

  it('a slice alone is an estimate with its interval; records come back after a reload', async () => {
    fake.n = 500;
    st().setEvalLimit(500);
    await st().startEvaluation();
    await settle();
    const e = eligibilityOf(findRecord(st().records, 'tiny#abc', '{}'));
    expect(e.status).toBe('estimated');
    expect(e.interval![0]).toBeLessThan(0.81);
    expect(st().runs[0]!.label).toBe('as is (evaluation, 500 test images)');

    useLabStore.setState(initial, true); // a reload
    await st().loadHistory();
    await new Promise((r) => setTimeout(r, 20));
    expect(findRecord(st().records, 'tiny#abc', '{}')?.slice?.n).toBe(500);
    expect(st().runs).toHaveLength(1);
  });
});
