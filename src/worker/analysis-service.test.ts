// AnalysisService: the Spectra panel's analysis of the current network on real CIFAR-100
// records — K-FAC without the bias (what eigenbasis pruning needs) on the train split (the test
// split when no train split is loaded), the Hessian of the FIRST N test records without
// augmentation, copies handed out so the kept result survives a transfer, the kept result tied
// to its network, cancellation and waiting for a busy network. hessianSpectrum is mocked (its
// math is core/analysis/hessian's business, and double back-prop at 32×32 is slow on cpu); the
// mock records the batches and options it gets.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HessianSpectrumOptions } from '../core/analysis/hessian/index';
import { parseRecords } from '../core/data/cifar-records';
import type { CifarDataset, CifarSplit } from '../core/data/types';
import { Network } from '../core/graph/network';
import { buildTinyNet } from '../core/models/tiny';
import { cifarSource } from '../core/train/cifar-source';
import { makeRng } from '../core/util/rng';
import { CIFAR_DIR } from '../test-paths';

const hessianCalls = vi.hoisted(() => [] as HessianSpectrumOptions[]);

vi.mock('../core/analysis/hessian/index', () => ({
  hessianSpectrum: (o: HessianSpectrumOptions) => {
    hessianCalls.push(o);
    o.onProgress?.({ phase: 'top', hvps: 1, totalHvps: 9, elapsedSeconds: 0.1, etaSeconds: 0.8 });
    return Promise.resolve({
      top: [4, 2],
      topResiduals: [1e-3, 2e-3],
      smallest: -0.5,
      topSteps: 5,
      topConverged: true,
      trace: 12,
      traceStdErr: 0.5,
      density: {
        grid: [0, 1],
        values: [0.5, 0.5],
        nodes: [1, 3],
        weights: [0.25, 0.75],
        sigma: 0.1,
      },
      params: 30196,
      hvps: 9,
      seconds: 1,
      microBatch: 3,
    });
  },
}));

const { AnalysisService, checkAnalyseOptions, headBatches } = await import('./analysis-service');
import { CurrentNetwork } from './current-network';
import type { AnalyseOptions, BackendInfo, JobProgress } from './lab-types';

const backend = (): Promise<BackendInfo> =>
  Promise.resolve({ name: 'cpu', reason: 'test', forced: true, fallbacks: [] });

function records(file: string, n: number): CifarSplit {
  const fd = fs.openSync(path.join(CIFAR_DIR, file), 'r');
  const bytes = new Uint8Array(n * 3074);
  fs.readSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
  return parseRecords(bytes, file);
}

const OPTIONS: AnalyseOptions = {
  kfacBatches: 2,
  batchSize: 6,
  hessianRecords: 9,
  topK: 2,
  lanczosSteps: 5,
  probes: 1,
  densitySteps: 4,
  seed: 3,
};

let current = new CurrentNetwork();
afterEach(() => {
  current.network?.dispose();
  current = new CurrentNetwork();
});

function hooks(signal = new AbortController().signal) {
  const seen: JobProgress[] = [];
  return { seen, hooks: { signal, report: (p: JobProgress) => seen.push(p) } };
}

describe('AnalysisService', () => {
  it('K-FAC spectra per layer and the Hessian of the first test records', async () => {
    const data: CifarDataset = {
      train: records('train.bin', 12),
      test: records('test.bin', 12),
      fineNames: [],
      coarseNames: [],
    };
    const net = current.replace(Network.fromInit(buildTinyNet(), 1), 'initialised');
    const service = new AnalysisService(backend, current);
    expect(service.validId()).toBeNull();
    const { seen, hooks: h } = hooks();
    const before = tf.memory().numTensors;
    const r = await service.analyse(OPTIONS, data, h);
    expect(tf.memory().numTensors).toBe(before);

    // Bias kept out of the factors: fc's A is 64 × 64, not 65 × 65.
    expect(r.layers.map((l) => [l.name, l.eigA.length, l.eigG.length])).toEqual([
      ['conv1', 3, 16],
      ['conv2', 16, 32],
      ['conv3', 32, 64],
      ['fc', 64, 100],
    ]);
    for (const l of r.layers) {
      expect(l.eigA[0]!).toBeGreaterThanOrEqual(l.eigA[l.eigA.length - 1]!);
      expect(l.eigG[l.eigG.length - 1]!).toBeGreaterThan(0); // damped: positive definite
      expect(l.rowSaliency.length).toBe(l.outChannels);
      expect(l.colSaliency.length).toBe(l.inChannels);
    }
    expect([r.kfacSamples, r.kfacSplit, r.network.name]).toEqual([12, 'train', 'tiny']);

    // The handed-out spectra are copies: the kept analysis survives their transfer.
    const kept = service.keptFor(net)!;
    expect(kept.id).toBe(r.analysisId);
    const fc = kept.layers.find((l) => l.name === 'fc')!;
    expect(r.layers[3]!.eigA).toEqual(fc.eigA);
    expect(r.layers[3]!.eigA.buffer).not.toBe(fc.eigA.buffer);
    expect(service.validId()).toBe(r.analysisId);

    // The Hessian: the first 9 test records in batches of 6, no augmentation; options passed on.
    expect(hessianCalls).toHaveLength(1);
    const call = hessianCalls[0]!;
    expect(call.net).toBe(net);
    const source = cifarSource(data.test!, null);
    expect(call.batches).toEqual([
      source.batch([0, 1, 2, 3, 4, 5], false, makeRng(1)),
      source.batch([6, 7, 8], false, makeRng(1)),
    ]);
    expect([call.topK, call.lanczosSteps, call.probes, call.densitySteps, call.seed]).toEqual([
      2, 5, 1, 4, 3,
    ]);
    expect(r.hessian).toEqual({
      top: [4, 2],
      topResiduals: [1e-3, 2e-3],
      smallest: -0.5,
      trace: 12,
      traceStdErr: 0.5,
      density: {
        grid: [0, 1],
        values: [0.5, 0.5],
        nodes: [1, 3],
        weights: [0.25, 0.75],
        sigma: 0.1,
      },
      params: 30196,
      records: 9,
      hvps: 9,
      seconds: 1,
      microBatch: 3,
    });
    // How the passes ran: the Hessian's batches of 6 split into 3s (the mock's), K-FAC whole.
    expect(r.passes.hessian).toMatchObject({ batchSize: 6, microBatch: 3 });
    expect(r.passes.kfac).toMatchObject({ batchSize: 6, microBatch: 6 });
    expect(r.passes.kfac.wholeBatchBytes).toBeGreaterThan(0);
    expect(seen).toContainEqual({
      phase: 'Hessian top eigenvalues',
      done: 1,
      total: 9,
      unit: 'Hessian-vector products',
      etaSeconds: 0.8,
    });

    const phases = new Set(seen.map((p) => p.phase));
    expect([...phases]).toEqual(
      expect.arrayContaining(['K-FAC factors', 'K-FAC eigendecomposition', 'EKFAC correction']),
    );

    // Another network: the analysis no longer applies.
    current.replace(Network.fromInit(buildTinyNet(), 2), 'initialised');
    expect(service.keptFor(current.network)).toBeNull();
    expect(service.validId()).toBeNull();
  });

  it('uses the test split without a train split and can skip the Hessian', async () => {
    const data: CifarDataset = { test: records('test.bin', 8), fineNames: [], coarseNames: [] };
    const net = current.replace(Network.fromInit(buildTinyNet(), 1), 'initialised');
    const service = new AnalysisService(backend, current);
    const r = await service.analyse(
      { ...OPTIONS, kfacBatches: 1, batchSize: 8, hessianRecords: 0 },
      data,
      hooks().hooks,
    );
    expect([r.kfacSplit, r.kfacSamples, r.hessian]).toEqual(['test', 8, null]);
    service.invalidate(net); // e.g. training changed its weights
    expect(service.keptFor(net)).toBeNull();
  });

  it('refuses bad options and missing data, naming the values', async () => {
    expect(() => checkAnalyseOptions({ ...OPTIONS, kfacBatches: 0 })).toThrow(
      'K-FAC batches must be a whole number ≥ 1, got 0',
    );
    expect(() => checkAnalyseOptions({ ...OPTIONS, batchSize: 2.5 })).toThrow('got 2.5');
    expect(() => headBatches(records('test.bin', 4), 5, 2)).toThrow(
      '5 Hessian records asked, the test split has 4',
    );
    expect(headBatches(records('test.bin', 5), 5, 2).map((b) => b.y.length)).toEqual([2, 2, 1]);
    const service = new AnalysisService(backend, current);
    const h = hooks().hooks;
    await expect(service.analyse(OPTIONS, null, h)).rejects.toThrow('No data loaded');
    const small: CifarDataset = { test: records('test.bin', 10), fineNames: [], coarseNames: [] };
    await expect(service.analyse(OPTIONS, small, h)).rejects.toThrow(
      '2 K-FAC batches of 6 need 12 records, the test split has 10',
    );
    const data: CifarDataset = { ...small, train: records('train.bin', 12) };
    await expect(service.analyse(OPTIONS, data, h)).rejects.toThrow('No current network');
  });

  it('waits for a busy network, cancels, and always releases it', async () => {
    const data: CifarDataset = {
      train: records('train.bin', 12),
      test: records('test.bin', 12),
      fineNames: [],
      coarseNames: [],
    };
    current.replace(Network.fromInit(buildTinyNet(), 1), 'initialised');
    const service = new AnalysisService(backend, current);
    const release = current.hold('measuring a recipe');
    let done = false;
    const run = service.analyse(OPTIONS, data, hooks().hooks).then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false); // waiting for the measurement to let go
    release();
    expect((await run).layers).toHaveLength(4);

    const ctl = new AbortController();
    const cancelled = service.analyse(OPTIONS, data, hooks(ctl.signal).hooks);
    ctl.abort();
    await expect(cancelled).rejects.toMatchObject({ name: expect.stringMatching(/Abort|Cancel/) });
    expect(() => current.hold('next job')()).not.toThrow(); // released
  });
});
