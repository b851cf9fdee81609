import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initWeights } from '../graph/params';
import { buildFromZooName } from '../models/zoo';
import { writeLabCheckpoint } from './lab-checkpoint';
import {
  checkpointSummary,
  isBufferName,
  readAnyCheckpoint,
  sniffCheckpointFormat,
} from './read-checkpoint';
import { writeSafetensors, type SafeTensor } from './safetensors';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, f)));
const st = (entries: [string, SafeTensor][], meta?: Record<string, string>) =>
  writeSafetensors(new Map(entries), meta);

describe('readAnyCheckpoint', () => {
  it('sniffs the format from the bytes, whatever the file is called', async () => {
    expect(sniffCheckpointFormat(read('tiny-zip.pt'))).toBe('torch-zip');
    expect(sniffCheckpointFormat(read('tiny-legacy.pt'))).toBe('torch-legacy');
    const plain = st([['w', { dtype: 'F32', shape: [1], data: new Float32Array([2]) }]], {
      a: 'b',
    });
    expect(sniffCheckpointFormat(plain)).toBe('safetensors');
    expect(sniffCheckpointFormat(read('sample-p2.pkl'))).toBeNull();

    const zip = await readAnyCheckpoint(read('tiny-zip64-nested.pt'), 'model.safetensors');
    expect([zip.format, zip.tensors.size, zip.torch?.stateDictKey]).toEqual([
      'torch-zip',
      17,
      'model_state_dict',
    ]);
    const legacy = await readAnyCheckpoint(read('tiny-legacy.pt'), 'weights.bin');
    expect([legacy.format, legacy.tensors.get('conv.bias')?.shape]).toEqual(['torch-legacy', [4]]);
    const s = await readAnyCheckpoint(plain, 'model.pth');
    expect([s.format, s.info, Array.from(s.tensors.get('w')!.data as Float32Array)]).toEqual([
      'safetensors',
      { a: 'b' },
      [2],
    ]);
  });

  it('reads a MicroNet Lab checkpoint with its graph and info', async () => {
    const graph = buildFromZooName('tiny');
    const bytes = writeLabCheckpoint(graph, initWeights(graph, 3), { epochs: 2 });
    const ck = await readAnyCheckpoint(bytes, 'lab.safetensors');
    expect(ck.format).toBe('micronet-lab');
    expect(ck.graph).toEqual(graph);
    expect(ck.info).toEqual({ epochs: 2 });
    expect(ck.tensors.size).toBeGreaterThan(0);
  });

  it('refuses what it does not recognise, naming the first bytes', async () => {
    await expect(
      readAnyCheckpoint(new TextEncoder().encode('hello world'), 'a.pt'),
    ).rejects.toThrow(
      /^a\.pt: not a recognised checkpoint \(first bytes 68 65 6c 6c 6f 20 77 6f\)/,
    );
    await expect(readAnyCheckpoint(read('sample-p2.pkl'), 'p.pkl')).rejects.toThrow(
      /plain pickle without the PyTorch magic number/,
    );
    await expect(readAnyCheckpoint(read('evil-zip.pt'), 'evil.pt')).rejects.toThrow(
      /evil\.pt: archive\/data\.pkl: refused global posix\.system/,
    );
  });
  it('names the file when a safetensors header is bad', async () => {
    const header = new TextEncoder().encode('{"w": not json}');
    const bytes = new Uint8Array(8 + header.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    await expect(readAnyCheckpoint(bytes, 'broken.safetensors')).rejects.toThrow(
      /^broken\.safetensors: header is not valid UTF-8 JSON/,
    );
    const badEntry = new TextEncoder().encode('{"w": {"dtype": "F32"}}');
    const entry = new Uint8Array(8 + badEntry.length);
    new DataView(entry.buffer).setBigUint64(0, BigInt(badEntry.length), true);
    entry.set(badEntry, 8);
    await expect(readAnyCheckpoint(entry, 'entry.safetensors')).rejects.toThrow(
      /^entry\.safetensors: /,
    );
  });
});

describe('checkpointSummary', () => {
  it('counts parameters (not BN statistics, counters or masks) and their exact zeros', () => {
    const f = (...v: number[]): SafeTensor => ({
      dtype: 'F32',
      shape: [v.length],
      data: new Float32Array(v),
    });
    const tensors = new Map<string, SafeTensor>([
      [
        'conv.weight',
        { dtype: 'F32', shape: [2, 2], data: new Float32Array([0, -0, 1, Number.NaN]) },
      ],
      ['conv.mask', f(0, 0, 1, 1)],
      ['bn.weight', f(1, 0)],
      ['bn.running_mean', f(0, 0)],
      ['bn.running_var', f(1, 1)],
      ['bn.num_batches_tracked', { dtype: 'I64', shape: [], data: new BigInt64Array([0n]) }],
      ['fc.bias', { dtype: 'F16', shape: [2], data: new Float32Array([0, 3]) }],
    ]);
    const s = checkpointSummary(tensors);
    expect(s).toMatchObject({ tensorCount: 7, params: 8, zeros: 4, zeroShare: 0.5 });
    expect(s.table.map((r) => [r.name, r.zeros])).toEqual([
      ['conv.weight', 2],
      ['conv.mask', 2],
      ['bn.weight', 1],
      ['bn.running_mean', 2],
      ['bn.running_var', 0],
      ['bn.num_batches_tracked', 1],
      ['fc.bias', 1],
    ]);
    expect(s.table[0]).toEqual({ name: 'conv.weight', shape: [2, 2], dtype: 'F32', zeros: 2 });
    expect(checkpointSummary(new Map())).toMatchObject({ params: 0, zeroShare: 0 });
  });

  it('knows buffers by name', () => {
    expect(
      ['a.running_var', 'num_batches_tracked', 'x.mask', 'x.weight_mask'].every(isBufferName),
    ).toBe(true);
    expect(['a.weight', 'a.bias', 'masker.weight', 'a.running_varx'].some(isBufferName)).toBe(
      false,
    );
  });
});
