// Analysis slice: settings checked against the loaded splits before anything runs, the result
// kept with the layer to show, cancellation, and staleness once a NetworkChange says the worker's
// analysis no longer belongs to the current network. The worker is a fake (lab-client mocked).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnalyseOptions, AnalysisResult } from '../worker/lab-types';

const fake = vi.hoisted(() => ({
  analyse: null as null | ((o: AnalyseOptions) => Promise<AnalysisResult>),
}));

vi.mock('../client/lab-client', () => {
  let n = 0;
  return {
    getLab: () => ({
      analyse: (_id: string, o: AnalyseOptions) => fake.analyse!(o),
      cancel: () => Promise.resolve(true),
    }),
    callback: <T>(fn: T) => fn,
    newJobId: (kind: string) => `${kind}-${++n}`,
    isAbort: (e: unknown) => e instanceof Error && e.name === 'AbortError',
    errorMessage: (e: unknown) => (e instanceof Error ? e.message : String(e)),
  };
});

const { useLabStore } = await import('./lab-store');
const { analysisSettingsError, analyseOptions, ANALYSIS_SETTINGS_DEFAULT } =
  await import('./analysis-slice');
const { changeOf } = await import('./network-change.test-helpers');
const initial = useLabStore.getState();
const st = () => useLabStore.getState();

function result(id: number, names: string[]): AnalysisResult {
  return {
    analysisId: id,
    network: { name: 'tiny', origin: 'trained', source: null, params: 1, extraOutputs: [] },
    layers: names.map((name) => ({
      name,
      op: 'conv2d',
      kernel: 3,
      inChannels: 2,
      outChannels: 2,
      eigA: Float64Array.of(2, 1),
      eigG: Float64Array.of(3, 1),
      rowSaliency: Float64Array.of(1, 1),
      colSaliency: Float64Array.of(1, 1),
    })),
    skipped: [],
    kfacSamples: 128,
    kfacSplit: 'train',
    hessian: null,
    seconds: 1,
    passes: { kfac: { batchSize: 32, microBatch: 32, wholeBatchBytes: 1e6 }, hessian: null },
  };
}

function loaded(train: number | null, test: number | null) {
  const split = (count: number | null) => (count === null ? null : { count, source: 'x.bin' });
  useLabStore.setState({
    summary: { train: split(train), test: split(test), fineNames: [], coarseNames: [] },
  });
}

beforeEach(() => {
  useLabStore.setState(initial, true);
});

describe('analysis settings', () => {
  const a = ANALYSIS_SETTINGS_DEFAULT; // 4 × 32 K-FAC records, 64 Hessian records
  it('fit the loaded splits', () => {
    expect(analysisSettingsError(a, { train: 128, test: 64 })).toBeNull();
    expect(analysisSettingsError(a, { train: null, test: 128 })).toBeNull(); // K-FAC on test
    expect(analysisSettingsError(a, { train: 100, test: 64 })).toBe(
      'K-FAC needs 4 × 32 = 128 records; the train split has 100.',
    );
    expect(analysisSettingsError(a, { train: 128, test: 40 })).toContain('has 40');
    expect(analysisSettingsError(a, { train: 128, test: null })).toContain('load the test split');
    expect(
      analysisSettingsError({ ...a, hessianRecords: 0 }, { train: 128, test: null }),
    ).toBeNull();
    expect(analysisSettingsError({ ...a, kfacBatches: 1.5 }, { train: 9, test: 9 })).toContain(
      '1.5',
    );
    expect(analysisSettingsError(a, { train: null, test: null })).toContain('Load');
  });

  it('scale the Lanczos run with top-k', () => {
    expect(analyseOptions({ ...a, topK: 10 })).toMatchObject({ topK: 10, lanczosSteps: 30 });
    expect(analyseOptions({ ...a, topK: 2 })).toMatchObject({ lanczosSteps: 12 });
    expect(analyseOptions(a)).toMatchObject({ lanczosSteps: 15, hessianRecords: 64 });
  });
});

describe('analysis slice', () => {
  it('runs with the settings, keeps the chosen layer, and goes stale with the network', async () => {
    loaded(128, 64);
    let asked: AnalyseOptions | null = null;
    fake.analyse = (o) => ((asked = o), Promise.resolve(result(1, ['conv1', 'conv2'])));
    await st().analyse();
    expect(asked).toMatchObject({ kfacBatches: 4, batchSize: 32, hessianRecords: 64 });
    expect([st().analysis?.analysisId, st().spectrumLayer, st().jobs.analyse]).toEqual([
      1,
      'conv1',
      null,
    ]);
    st().selectSpectrumLayer('conv2');
    fake.analyse = () => Promise.resolve(result(2, ['conv1', 'conv2']));
    await st().analyse();
    expect(st().spectrumLayer).toBe('conv2');
    fake.analyse = () => Promise.resolve(result(3, ['fc']));
    await st().analyse();
    expect(st().spectrumLayer).toBe('fc');

    const net = result(3, []).network;
    st().applyNetworkChange(changeOf(net, null, { analysisId: 3 }));
    expect(st().analysisStale).toBe(false);
    st().applyNetworkChange(changeOf(net, null, { analysisId: null })); // e.g. pruned since
    expect(st().analysisStale).toBe(true);
  });

  it('refuses settings that do not fit, and reports a cancel', async () => {
    loaded(50, 50);
    fake.analyse = () => Promise.reject(new Error('must not run'));
    await st().analyse();
    expect(st().analysisError).toContain('the train split has 50');
    st().setAnalysisSettings({ kfacBatches: 1, hessianRecords: 10 });
    expect(st().analysisError).toBeNull();
    fake.analyse = () => Promise.reject(Object.assign(new Error('x'), { name: 'AbortError' }));
    await st().analyse();
    expect([st().analysisNotice, st().analysisError, st().analysis]).toEqual([
      'Analysis cancelled.',
      null,
      null,
    ]);
  });
});
