// ScoreService: score inputs of the current network (profile, zeros, exit rate, identity) and
// the measurement job's plumbing (slice size, calibration split, one at a time, network held).
// evaluateRecipe is mocked: its accuracy is core/compress's business, tested there.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import type { CifarDataset, CifarSplit } from '../core/data/types';
import { Network } from '../core/graph/network';
import { buildTinyNet } from '../core/models/tiny';
import type { BatchSource } from '../core/train/types';
import { CurrentNetwork } from './current-network';

interface Call {
  source: BatchSource;
  calibration: BatchSource;
  batchSize: number;
  release: () => void;
}

const calls = vi.hoisted(() => [] as Call[]);

vi.mock('../core/compress/apply-recipe', () => ({
  evaluateRecipe: (_net: unknown, _recipe: unknown, o: Omit<Call, 'release'>) =>
    new Promise((resolve) =>
      calls.push({
        ...o,
        release: () =>
          resolve({
            top1: 0.5,
            top5: 0.75,
            loss: 1,
            n: o.source.size,
            imagesPerSecond: 10,
            layerSparsity: { fc: 0.5 },
          }),
      }),
    ),
}));

const { ScoreService, measureLimit, randomFirstId } = await import('./score-service');

function split(count: number): CifarSplit {
  return {
    count,
    images: new Uint8Array(count * 3072),
    fine: new Uint8Array(count),
    coarse: new Uint8Array(count),
  } as CifarSplit;
}

const backend = () => Promise.resolve({ name: 'cpu', reason: 'test', forced: true, fallbacks: [] });
const hooks = () => ({ signal: new AbortController().signal, report: () => undefined });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ScoreService', () => {
  it('gives the current network`s graph, profile, zero fractions and identity', async () => {
    const before = tf.memory().numTensors;
    const current = new CurrentNetwork();
    const service = new ScoreService(backend, current);
    expect(await service.inputs()).toBeNull();
    const graph = buildTinyNet();
    const net = current.replace(Network.fromInit(graph, 1), 'initialised');
    const a = (await service.inputs())!;
    expect(a.graph.name).toBe('tiny');
    expect(a.profile.layers.map((l) => [l.name, l.size, l.zeros])).toEqual([
      ['conv1', 432, 0],
      ['conv2', 4608, 0],
      ['conv3', 18432, 0],
      ['fc', 6400, 0],
    ]);
    expect(a.profile.layers.map((l) => l.quantiles.length)).toEqual([432, 1024, 1024, 1024]);
    expect(a.layerZeroFraction).toEqual({ conv1: 0, conv2: 0, conv3: 0, fc: 0 });
    expect(a.exitRate).toBeNull();
    // Each call hands out its own buffers (the caller transfers them).
    const b = (await service.inputs())!;
    expect(b.profile.layers[0]!.quantiles).not.toBe(a.profile.layers[0]!.quantiles);
    expect(b.profile.layers[0]!.quantiles).toEqual(a.profile.layers[0]!.quantiles);
    expect(b.networkId).toBe(a.networkId);
    service.noteExitRate(net, 0.3);
    expect((await service.inputs())!.exitRate).toBe(0.3);
    service.invalidate(net);
    const c = (await service.inputs())!;
    expect(c.networkId).not.toBe(a.networkId);
    expect(c.exitRate).toBeNull();
    current.replace(Network.fromInit(graph, 2), 'initialised');
    expect((await service.inputs())!.networkId).not.toBe(c.networkId);
    current.network!.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives networks in a restarted worker ids the old worker never gave', async () => {
    const graph = buildTinyNet();
    const ids: number[] = [];
    for (let worker = 0; worker < 2; worker++) {
      const current = new CurrentNetwork(); // a new worker restores the same network
      const net = current.replace(Network.fromInit(graph, 1), 'trained');
      const id = (await new ScoreService(backend, current).inputs())!.networkId;
      expect(Number.isSafeInteger(id) && id >= 1).toBe(true);
      ids.push(id);
      net.dispose();
    }
    expect(ids[1]).not.toBe(ids[0]);
    expect(randomFirstId()).not.toBe(randomFirstId());
  });

  it('checks the slice size', () => {
    expect(measureLimit({})).toBe(500);
    expect(measureLimit({ limit: null })).toBeNull();
    expect(() => measureLimit({ limit: 0 })).toThrow('limit must be a whole number ≥ 1');
    expect(() => measureLimit({ limit: 2.5 })).toThrow('2.5');
  });

  it('measures on the first `limit` test records, calibrates on train, one job at a time', async () => {
    const current = new CurrentNetwork();
    const service = new ScoreService(backend, current);
    const data: CifarDataset = { fineNames: [], coarseNames: [], train: split(20), test: split(8) };
    await expect(service.measure({}, {}, null, hooks())).rejects.toThrow('No test split');
    await expect(service.measure({}, {}, data, hooks())).rejects.toThrow('No current network');
    await expect(service.measure({ weightBits: 40 }, {}, data, hooks())).rejects.toThrow(
      'recipe.weightBits',
    );
    const net = current.replace(Network.fromInit(buildTinyNet(), 1), 'initialised');
    const first = service.measure({ weightBits: 8 }, { limit: 5, batchSize: 4 }, data, hooks());
    const second = service.measure({ sparsity: 0.5 }, { limit: null }, data, hooks());
    await tick();
    expect(calls).toHaveLength(1); // the second waits for the first to let go of the network
    expect([calls[0]!.source.size, calls[0]!.calibration.size, calls[0]!.batchSize]).toEqual([
      5, 20, 4,
    ]);
    const other = Network.fromInit(buildTinyNet(), 2); // replace() disposes it when refusing
    expect(() => current.replace(other, 'imported')).toThrow('busy (measuring a recipe)');
    expect(current.network).toBe(net);
    calls[0]!.release();
    const r = await first;
    expect([r.n, r.calibratedOn, r.limit, r.top1EarlyExit]).toEqual([5, 'train', 5, null]);
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1]!.source.size).toBe(8);
    calls[1]!.release();
    expect((await second).limit).toBeNull();
    net.dispose();
  });
});
