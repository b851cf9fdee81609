// TrainService.evaluate works on the shared current network: an imported network is evaluated
// as it is (not rebuilt from the zoo name), a missing one is built from the name, and a network
// held by a running job cannot be replaced.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRecords } from '../core/data/cifar-records';
import type { CifarDataset } from '../core/data/types';
import { Network } from '../core/graph/network';
import { initWeights } from '../core/graph/params';
import { buildFromZooName } from '../core/models/zoo';
import { CIFAR_DIR } from '../test-paths';
import { CurrentNetwork } from './current-network';
import type { BackendInfo } from './lab-types';
import { TrainService } from './train-service';

const backend = (): Promise<BackendInfo> =>
  Promise.resolve({ name: 'cpu', reason: 'test', forced: true, fallbacks: [] });

function testSplit(records: number): CifarDataset {
  const fd = fs.openSync(path.join(CIFAR_DIR, 'test.bin'), 'r');
  const bytes = new Uint8Array(records * 3074);
  fs.readSync(fd, bytes, 0, bytes.length, 0);
  fs.closeSync(fd);
  return { test: parseRecords(bytes, 'test.bin'), fineNames: [], coarseNames: [] };
}

const hooks = () => ({ signal: new AbortController().signal, report: () => undefined });

let current = new CurrentNetwork();
afterEach(() => {
  current.network?.dispose();
  current = new CurrentNetwork();
});

describe('TrainService.evaluate', () => {
  it('evaluates the imported network rather than a fresh zoo one', async () => {
    const data = testSplit(8);
    const service = new TrainService(backend, current);
    const graph = buildFromZooName('tiny');
    const imported = Network.fromWeights(graph, initWeights(graph, 3));
    current.replace(imported, 'imported', 'tiny.safetensors');
    // The name passed is ignored while a current network exists.
    const a = await service.evaluate('resnet-20', { batchSize: 4 }, data, hooks());
    expect(current.network).toBe(imported);
    expect(a).toMatchObject({ model: 'tiny', n: 8, untrained: false, earlyExit: null });
    expect(a.network).toMatchObject({ origin: 'imported', source: 'tiny.safetensors' });

    // Same weights built by hand give the same loss.
    current.replace(Network.fromWeights(graph, initWeights(graph, 3)), 'initialised');
    const b = await service.evaluate('tiny', { batchSize: 8 }, data, hooks());
    expect(b.loss).toBeCloseTo(a.loss, 5);
    expect(b.untrained).toBe(true);
  });

  it('builds the named network when none is current', async () => {
    const service = new TrainService(backend, current);
    const r = await service.evaluate('tiny', { batchSize: 4 }, testSplit(4), hooks());
    expect(r.network).toMatchObject({ name: 'tiny', origin: 'initialised', source: null });
    expect(current.network?.graph.name).toBe('tiny');
  });
});
