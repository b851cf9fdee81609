// "Export for PyTorch" in the worker: the current network + recipe as one .zip whose recipe.json is
// the recipe asked, whose model is the current network's weights, and whose golden images are the
// first test records (seeded random ones without a test split); no network or a bad recipe is
// refused with its reason; a cancelled export says so.
import { describe, expect, it } from 'vitest';
import type { CifarDataset } from '../core/data/types';
import { Network } from '../core/graph/network';
import { readLabCheckpoint } from '../core/io/lab-checkpoint';
import { readSafetensors } from '../core/io/safetensors';
import { readZipDirectory, readZipEntry } from '../core/io/zip-reader';
import { buildFromZooName } from '../core/models/zoo';
import { CurrentNetwork } from './current-network';
import type { BackendInfo } from './lab-types';
import { TorchExportService } from './torch-export-service';

const backend = () => Promise.resolve({ name: 'cpu' } as BackendInfo);
const pkg = () => Promise.resolve(new Map([['__main__.py', 'print(1)\n']]));
const hooks = () => ({ signal: new AbortController().signal, report: () => undefined });

function testSplit(count: number): CifarDataset {
  const images = Uint8Array.from({ length: count * 3072 }, (_, i) => i % 251);
  const fine = Uint8Array.from({ length: count }, (_, i) => (i * 13) % 100);
  return {
    test: { images, fine, coarse: new Uint8Array(count), count },
    fineNames: [],
    coarseNames: [],
  };
}

async function unzip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const [name, e] of readZipDirectory(bytes)) out.set(name, await readZipEntry(bytes, e));
  return out;
}

describe('TorchExportService', () => {
  it('zips the current network and the recipe, golden images from the test split', async () => {
    const current = new CurrentNetwork();
    const net = current.replace(Network.fromInit(buildFromZooName('tiny'), 5), 'trained');
    const service = new TorchExportService(backend, current, pkg);
    const recipe = { sparsity: 0.25, weightBits: 6 };
    const r = await service.exportTorchJob(recipe, testSplit(20), hooks());
    expect(r.fileName).toBe('tiny-torch-job.zip');
    expect(r.goldenSource).toBe('first 8 test records');
    expect(r.recipe).toEqual(recipe);
    const files = await unzip(r.bytes);
    expect([...files.keys()]).toEqual(r.entries);
    const at = (f: string) => files.get(`tiny-torch-job/${f}`)!;
    expect(JSON.parse(new TextDecoder().decode(at('recipe.json')))).toEqual(recipe);
    expect(JSON.parse(new TextDecoder().decode(at('job.json')))).toMatchObject({
      format: 'micronet-lab-torch-job',
      graph: 'tiny',
      goldenBackend: expect.any(String),
      images: { count: 8, source: 'first 8 test records' },
    });
    expect(new TextDecoder().decode(at('micronet_lab_torch/__main__.py'))).toBe('print(1)\n');
    const ck = readLabCheckpoint(at('model.safetensors'), 'model.safetensors');
    const weights = await net.toWeightsAsync();
    expect([...ck.weights.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [k, v] of weights) expect(ck.weights.get(k), k).toEqual(v);
    const golden = readSafetensors(at('golden.safetensors'));
    expect(Array.from(golden.tensors.get('labels')!.data as Int32Array)).toEqual([
      0, 13, 26, 39, 52, 65, 78, 91,
    ]);
    expect(current.busy).toBe(false); // released
  });

  it('uses seeded random images without a test split', async () => {
    const current = new CurrentNetwork();
    current.replace(Network.fromInit(buildFromZooName('tiny'), 5), 'trained');
    const r = await new TorchExportService(backend, current, pkg).exportTorchJob({}, null, hooks());
    expect(r.goldenSource).toBe('random normal (seed 0)');
  });

  it('refuses without a network, with a bad recipe, and when cancelled', async () => {
    const current = new CurrentNetwork();
    const service = new TorchExportService(backend, current, pkg);
    await expect(service.exportTorchJob({}, null, hooks())).rejects.toThrow('no network');
    current.replace(Network.fromInit(buildFromZooName('tiny'), 5), 'trained');
    await expect(service.exportTorchJob({ sparsity: 2 } as never, null, hooks())).rejects.toThrow(
      'sparsity',
    );
    const c = new AbortController();
    c.abort();
    await expect(
      service.exportTorchJob({}, null, { signal: c.signal, report: () => undefined }),
    ).rejects.toThrow('Export cancelled');
    expect(current.busy).toBe(false);
  });
});
