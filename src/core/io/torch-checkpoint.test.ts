import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytes, dictPickle, f32, op, tensor, torchZip, type Part } from './fixtures/builders';
import type { SafeTensor } from './safetensors';
import { readTorchCheckpoint, TorchCheckpointError } from './torch-checkpoint';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, f)));
interface Expected {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}
const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as {
  tensors: Record<string, Expected>;
  files: Record<string, { format: string; stateDictKey?: string | null }>;
};

const raw = (t: SafeTensor) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

/** Values written by hand in generate-fixtures.py; F32 compared bit for bit (incl. -0). */
function expectTensor(name: string, t: SafeTensor, e: Expected): void {
  expect([name, t.dtype, t.shape]).toEqual([name, e.dtype, e.shape]);
  if (e.dtype === 'F32')
    expect(raw(t)).toEqual(raw({ ...t, data: Float32Array.from(e.values as number[]) }));
  else if (e.dtype === 'I64') expect(Array.from(t.data as BigInt64Array, String)).toEqual(e.values);
  else expect([name, Array.from(t.data as Float64Array)]).toEqual([name, e.values]);
}

describe('readTorchCheckpoint: generated fixtures', () => {
  const good = ['tiny-zip.pt', 'tiny-zip64-nested.pt', 'tiny-deflated.pt', 'tiny-legacy.pt'];
  for (const file of good) {
    it(`${file}: every tensor (dtypes, offsets, strides, views, params) as written`, async () => {
      const { format, stateDict, meta } = await readTorchCheckpoint(read(file), file);
      expect(format).toBe(manifest.files[file]!.format);
      expect(meta.stateDictKey).toBe(manifest.files[file]!.stateDictKey);
      expect([...stateDict.keys()]).toEqual(Object.keys(manifest.tensors));
      for (const [name, e] of Object.entries(manifest.tensors))
        expectTensor(name, stateDict.get(name)!, e);
    });
  }

  it('reports where the state_dict was, the globals used and the format records', async () => {
    const nested = await readTorchCheckpoint(read('tiny-zip64-nested.pt'));
    expect(nested.meta).toMatchObject({
      stateDictKey: 'model_state_dict',
      topLevelKeys: ['epoch', 'model_state_dict', 'best_acc', 'arch'],
      extras: { epoch: '7', best_acc: '0.75', arch: '"tiny"' },
      pickleProtocol: 4,
      archiveName: 'tiny_nested',
      serializationVersion: '3',
    });
    expect(nested.meta.globals.slice(0, 3)).toEqual([
      'collections.OrderedDict',
      'torch._utils._rebuild_tensor_v2',
      'torch.FloatStorage',
    ]);
    const legacy = await readTorchCheckpoint(read('tiny-legacy.pt'));
    expect(legacy.meta).toMatchObject({
      stateDictKey: 'state_dict',
      extras: { epoch: '3' },
      pickleProtocol: 2,
      sysInfo: {
        protocol_version: 1001,
        little_endian: true,
        type_sizes: { short: 2, int: 4, long: 4 },
      },
    });
  });

  it('refuses a big-endian archive', async () => {
    await expect(readTorchCheckpoint(read('big-endian.pt'), 'be.pt')).rejects.toThrow(
      "be.pt: byteorder 'big' is not supported (only little-endian)",
    );
  });
});

/** Every outcome of reading a damaged file must be a clean result or a TorchCheckpointError. */
async function outcome(b: Uint8Array): Promise<'ok' | 'refused'> {
  try {
    await readTorchCheckpoint(b);
    return 'ok';
  } catch (e) {
    if (!(e instanceof TorchCheckpointError)) throw e;
    return 'refused';
  }
}

describe('readTorchCheckpoint: truncated and corrupted files', () => {
  for (const file of ['tiny-legacy.pt', 'tiny-zip.pt']) {
    it(`${file}: every truncation is refused with a clear error`, async () => {
      const b = read(file);
      for (let n = 0; n < b.length; n++)
        expect([n, await outcome(b.subarray(0, n))]).toEqual([n, 'refused']);
    });

    it(`${file}: flipping any single byte gives a result or a TorchCheckpointError, never a crash`, async () => {
      const b = read(file);
      const counts = { ok: 0, refused: 0 };
      for (let i = 0; i < b.length; i++) {
        const bad = b.slice();
        bad[i] = bad[i]! ^ 0xff;
        counts[await outcome(bad)]++;
      }
      expect(counts.refused).toBeGreaterThan(b.length / 20);
    });
  }

  it('names the truncation point in legacy files', async () => {
    const b = read('tiny-legacy.pt');
    await expect(readTorchCheckpoint(b.subarray(0, 300), 'l.pt')).rejects.toThrow(
      /^l\.pt: legacy pickle: truncated pickle at byte 300/,
    );
    await expect(readTorchCheckpoint(b.subarray(0, b.length - 1), 'l.pt')).rejects.toThrow(
      /^l\.pt: truncated file at byte 1951: storage '9' needs 8 \+ 2 bytes at byte 1942/,
    );
  });
});

const W = (over: Partial<Parameters<typeof tensor>[0]> = {}) =>
  tensor({ key: '0', numel: 4, shape: [2, 2], ...over });
const zipOf = (
  entries: [string, Part[]][],
  storages: Record<string, Uint8Array> = { '0': f32(1, 2, 3, 4) },
) => torchZip(dictPickle(entries), storages);
const reject = (b: Uint8Array, re: RegExp) =>
  expect(readTorchCheckpoint(b, 'x.pt')).rejects.toThrow(re);

describe('readTorchCheckpoint: hand-built edge cases', () => {
  it('reads _rebuild_tensor, torch.Size, _rebuild_parameter_with_state, torch.cuda storages', async () => {
    const v1 = [
      op.global('torch._utils', '_rebuild_tensor'),
      '(',
      tensor({ key: '0', numel: 4, shape: [4] }).slice(2, 5),
      op.ints([4]),
      op.ints([1]),
      't',
      'R',
    ];
    const sized = tensor({ key: '0', numel: 4, shape: [2, 2] });
    sized[5] = [op.global('torch', 'Size'), '(', op.ints([2, 2]), 't', 'R'];
    const param = [
      op.global('torch._utils', '_rebuild_parameter_with_state'),
      '(',
      W(),
      op.newtrue,
      op.orderedDict(),
      '}',
      't',
      'R',
    ];
    const cudaPid = [
      '(',
      op.str('storage'),
      op.global('torch.cuda', 'FloatStorage'),
      op.str('0'),
      op.str('cuda:0'),
      op.int(4),
      't',
    ];
    const { stateDict, meta } = await readTorchCheckpoint(
      zipOf([
        ['v1', v1],
        ['sized', sized],
        ['p', param],
        ['cuda', W({ pid: cudaPid })],
      ]),
    );
    expect(Array.from(stateDict.get('cuda')!.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(Array.from(stateDict.get('v1')!.data as Float32Array)).toEqual([1, 2, 3, 4]);
    expect(stateDict.get('sized')!.shape).toEqual([2, 2]);
    expect(stateDict.get('p')!.shape).toEqual([2, 2]);
    expect(meta.globals).toContain('torch.Size');
  });

  it('takes the tensors of a mixed top-level dict and lists the rest', async () => {
    const { stateDict, meta } = await readTorchCheckpoint(
      zipOf([
        ['w', W()],
        ['epoch', op.int(3)],
      ]),
    );
    expect([...stateDict.keys()]).toEqual(['w']);
    expect(meta).toMatchObject({ stateDictKey: null, skipped: ['epoch'], extras: { epoch: '3' } });
  });

  it('refuses files without a state_dict', async () => {
    await reject(
      torchZip(bytes(op.proto2, ']', '.'), {}),
      /x\.pt: the checkpoint holds list\[0\], not a dict of tensors/,
    );
    await reject(
      zipOf([
        ['epoch', op.int(3)],
        ['model', ['}']],
      ]),
      /no state_dict found: the top-level dict has keys \[epoch, model\]/,
    );
  });

  it('refuses views that reach past their storage, and short storages', async () => {
    await reject(
      zipOf([['w', W({ offset: 1 })]]),
      /'w': view \(offset 1, shape \[2,2\], stride \[2,1\]\) reaches element 4 of a 4-element storage/,
    );
    await reject(zipOf([['w', W({ stride: [3, 1] })]]), /reaches element 4/);
    await reject(
      zipOf([['w', W()]], { '0': f32(1, 2, 3) }),
      /'w': storage '0' has 12 bytes, needs 4 × 4/,
    );
    await reject(zipOf([['w', W()]], {}), /storage record 'archive\/data\/0' is missing/);
  });

  it('refuses persistent ids it does not understand and tensor hooks', async () => {
    const module = ['(', op.str('module'), op.str('Net'), op.str('src'), 't'];
    await reject(
      zipOf([['w', W({ pid: module })]]),
      /persistent id \('module', …\) refused: the file pickles a whole nn\.Module/,
    );
    await reject(
      zipOf([['w', W({ pid: ['(', op.str('exec'), op.str('x'), 't'] })]]),
      /persistent id tuple\[2\] refused \(not a storage record\)/,
    );
    const dtypePid = [
      '(',
      op.str('storage'),
      op.global('torch', 'float32'),
      op.str('0'),
      op.str('cpu'),
      op.int(4),
      't',
    ];
    await reject(
      zipOf([['w', W({ pid: dtypePid })]]),
      /persistent id has storage type torch\.float32/,
    );
    const hooks = [op.orderedDict(), op.str('h'), op.int(1), 's'];
    await reject(
      zipOf([['w', W({ hooks })]]),
      /_rebuild_tensor_v2: backward hooks collections\.OrderedDict\[1\] are not supported/,
    );
  });

  it('refuses TorchScript archives and zips that are not checkpoints', async () => {
    const jit = torchZip(
      dictPickle([]),
      {},
      { 'archive/constants.pkl': bytes(op.proto2, ')', '.') },
    );
    await reject(jit, /TorchScript archive \(torch\.jit\.save\) is not a state_dict checkpoint/);
    await reject(
      torchZip(bytes(), {}, { 'b/data.pkl': bytes() }),
      /holds 2 '<dir>\/data\.pkl' records/,
    );
    await reject(bytes('hello world'), /x\.pt: not a PyTorch checkpoint/);
  });

  it('legacy format: checks the protocol, byte order and the storage list', async () => {
    const magic = bytes(
      op.proto2,
      0x8a,
      10,
      [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19],
      '.',
    );
    const proto = (n: number) => bytes(op.proto2, op.int(n), '.');
    const sys = (little: boolean) =>
      dictPickle([['little_endian', [little ? op.newtrue : op.newfalse]]]);
    const pid = [
      '(',
      op.str('storage'),
      op.global('torch', 'FloatStorage'),
      op.str('k'),
      op.str('cpu'),
      op.int(2),
      'N',
      't',
    ];
    const main = dictPickle([['w', tensor({ key: 'k', numel: 2, shape: [2], pid })]]);
    const keys = (...k: string[]) => bytes(op.proto2, ']', '(', k.map(op.str), 'e', '.');
    const count = (n: number) => bytes(n, 0, 0, 0, 0, 0, 0, 0);
    const file = (...parts: Uint8Array[]) => bytes(...parts);
    const ok = file(magic, proto(1001), sys(true), main, keys('k'), count(2), f32(5, 6));
    const { format, stateDict } = await readTorchCheckpoint(ok);
    expect([format, Array.from(stateDict.get('w')!.data as Float32Array)]).toEqual([
      'torch-legacy',
      [5, 6],
    ]);
    await reject(
      file(magic, proto(1000), sys(true)),
      /legacy protocol version int 1000 \(expected 1001\)/,
    );
    await reject(file(magic, proto(1001), sys(false), main), /big-endian checkpoint/);
    await reject(
      file(magic, proto(1001), sys(true), main, keys('k'), count(3), f32(5, 6, 7)),
      /storage 'k' holds 3 elements in the file, the pickle says 2/,
    );
    await reject(
      file(magic, proto(1001), sys(true), main, keys('k', 'z'), count(2), f32(5, 6)),
      /storage 'z' is listed but never referenced/,
    );
    await reject(
      file(magic, proto(1001), sys(true), main, keys(), count(2), f32(5, 6)),
      /storage 'k' is not in the file's storage list/,
    );
  });
});
