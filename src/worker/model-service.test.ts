// ModelService on the cpu backend: lab-checkpoint import builds the network and makes it current,
// export → re-import gives bit-identical weights, and bad files (random bytes, a pickle naming
// os.system, tensors that fit no architecture) fail clearly and keep the previous network.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { Network } from '../core/graph/network';
import { initWeights } from '../core/graph/params';
import { writeLabCheckpoint } from '../core/io/lab-checkpoint';
import { writeSafetensors } from '../core/io/safetensors';
import { buildFromZooName } from '../core/models/zoo';
import { CurrentNetwork } from './current-network';
import type { BackendInfo, ImportSource, JobProgress } from './lab-types';
import { fileNameOfUrl, ModelService } from './model-service';

const here = path.dirname(fileURLToPath(import.meta.url));
const backend = (): Promise<BackendInfo> =>
  Promise.resolve({ name: 'cpu', reason: 'test', forced: true, fallbacks: [] });

function fileOf(name: string, bytes: Uint8Array): ImportSource {
  return { kind: 'file', file: new File([bytes as Uint8Array<ArrayBuffer>], name) };
}

function setup() {
  const current = new CurrentNetwork();
  const service = new ModelService(backend, current);
  const progress: JobProgress[] = [];
  const run = (src: ImportSource) =>
    service.importCheckpoint(src, new AbortController().signal, (p) => progress.push(p));
  return { current, service, run, progress };
}

let cleanup: CurrentNetwork | null = null;
afterEach(() => {
  cleanup?.network?.dispose();
  cleanup = null;
});

describe('ModelService', () => {
  it('imports a lab checkpoint, exports it and re-imports the same weights', async () => {
    const { current, service, run, progress } = setup();
    cleanup = current;
    const graph = buildFromZooName('tiny');
    const weights = initWeights(graph, 7);
    const before = tf.memory().numTensors;
    const r = await run(fileOf('tiny.safetensors', writeLabCheckpoint(graph, weights, {})));
    expect(r.report.format).toBe('micronet-lab');
    expect(r.report.architecture).toBe('tiny');
    expect(r.network).toMatchObject({
      name: 'tiny',
      origin: 'imported',
      source: 'tiny.safetensors',
    });
    expect(progress.some((p) => p.unit === 'bytes' && p.total === r.report.bytes)).toBe(true);
    const w = [...weights.values()];
    expect(r.report.params).toBeLessThanOrEqual(w.reduce((a, t) => a + t.data.length, 0));

    const exported = await service.exportCheckpoint();
    expect(exported.fileName).toBe('tiny.safetensors');
    const again = await run(fileOf(exported.fileName, exported.bytes));
    expect(again.report.architecture).toBe('tiny');
    const back = await current.network!.toWeightsAsync();
    for (const [name, t] of weights) expect(back.get(name)!.data).toEqual(t.data);
    // One network's variables stay alive; the replaced one was disposed.
    expect(tf.memory().numTensors).toBe(before + weights.size);
  });

  it('rejects random bytes and an os.system pickle, keeping the current network', async () => {
    const { current, run } = setup();
    cleanup = current;
    const graph = buildFromZooName('tiny');
    await run(fileOf('tiny.safetensors', writeLabCheckpoint(graph, initWeights(graph, 1), {})));
    const net = current.network;
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251);
    await expect(run(fileOf('noise.pth', random))).rejects.toThrow(/noise\.pth.*not a recognised/);
    const evil = fs.readFileSync(path.join(here, '../core/io/fixtures/evil-zip.pt'));
    await expect(run(fileOf('evil-zip.pt', new Uint8Array(evil)))).rejects.toThrow(/system/);
    expect(current.network).toBe(net);
    expect(current.network?.disposed).toBe(false);
  });

  it('reports tensors that fit no architecture without replacing the network', async () => {
    const { current, run } = setup();
    const bytes = writeSafetensors(
      new Map([
        [
          'encoder.weight',
          { dtype: 'F32', shape: [2, 3], data: new Float32Array([0, 1, 0, 2, 0, 3]) },
        ],
        ['encoder.bias', { dtype: 'F32', shape: [2], data: new Float32Array([0, 1]) }],
      ]),
    );
    const r = await run(fileOf('other.safetensors', bytes));
    expect(r.network).toBeNull();
    expect(r.report.architecture).toBeNull();
    expect(r.report.unrecognized).toMatch(/not recognised/);
    expect(r.report).toMatchObject({ tensorCount: 2, params: 8, zeros: 4, zeroShare: 0.5 });
    expect(current.network).toBeNull();
  });

  it('refuses to replace a network that a job holds', () => {
    const current = new CurrentNetwork();
    cleanup = current;
    const graph = buildFromZooName('tiny');
    current.replace(Network.fromInit(graph, 1), 'initialised');
    const release = current.hold('training');
    expect(() => current.replace(Network.fromInit(graph, 2), 'imported')).toThrow(
      /busy \(training\)/,
    );
    release();
    expect(current.info()?.origin).toBe('initialised');
  });

  it('names a URL after its last path segment', () => {
    expect(fileNameOfUrl(new URL('https://raw.githubusercontent.com/a/b/main/m%20x.pth'))).toBe(
      'm x.pth',
    );
    expect(fileNameOfUrl(new URL('https://example.org/'))).toBe('example.org');
  });
});
