import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isAbortError } from './byte-source';
import { loadCifarFromFiles, loadCifarFromStream } from './load-dataset';
import { concat, makeBin, makeTar, sameBytes, streamOf, utf8 } from './fixtures.test-helpers';
import { DataError, type LoadProgress } from './types';

const train = makeBin(30);
const test = makeBin(10, (r) => [19 - (r % 20), 99 - r]);
const fineNames = Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n') + '\n';
const coarseNames = Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n') + '\n';
const officialTar = makeTar([
  { name: 'cifar-100-binary/', bytes: new Uint8Array(0), type: '5' },
  { name: 'cifar-100-binary/coarse_label_names.txt', bytes: utf8(coarseNames) },
  { name: 'cifar-100-binary/fine_label_names.txt', bytes: utf8(fineNames) },
  { name: 'cifar-100-binary/test.bin', bytes: test },
  { name: 'cifar-100-binary/train.bin', bytes: train },
]);
const tarGz = new Uint8Array(zlib.gzipSync(officialTar, { level: 1 }));

function load(
  bytes: Uint8Array,
  fileName: string,
  extra: Partial<{
    chunk: number;
    signal: AbortSignal;
    onProgress: (p: LoadProgress) => void;
    total: number | null;
  }> = {},
) {
  return loadCifarFromStream(streamOf(bytes, extra.chunk ?? 4096), {
    totalBytes: extra.total === undefined ? bytes.length : extra.total,
    fileName,
    onProgress: extra.onProgress,
    signal: extra.signal,
  });
}

describe('loadCifarFromStream', () => {
  it('loads a .tar.gz: both splits, records and the label names inside', async () => {
    const ds = await load(tarGz, 'cifar-100-binary.tar.gz');
    expect(ds.train!.count).toBe(30);
    expect(ds.test!.count).toBe(10);
    expect(Array.from(ds.test!.fine.subarray(0, 3))).toEqual([99, 98, 97]);
    expect(Array.from(ds.test!.coarse.subarray(0, 3))).toEqual([19, 18, 17]);
    expect(ds.train!.images[3072 * 5 + 7]).toBe((5 + 7) & 255);
    expect(ds.fineNames[42]).toBe('fine42');
    expect(ds.coarseNames).toHaveLength(20);
  });

  it('loads the same from a plain .tar read in 97-byte chunks', async () => {
    const ds = await load(officialTar, 'c.tar', { chunk: 97 });
    expect(sameBytes(ds.train!.images, (await load(tarGz, 'x.tar.gz')).train!.images)).toBe(true);
    expect(ds.test!.count).toBe(10);
  });

  it('reports monotonic progress on compressed bytes, ending at the file size with eta 0', async () => {
    const events: LoadProgress[] = [];
    await load(tarGz, 'p.tar.gz', { chunk: 97, onProgress: (p) => events.push({ ...p }) });
    expect(events.length).toBeGreaterThan(1);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.bytes).toBeGreaterThanOrEqual(events[i - 1]!.bytes);
    const last = events.at(-1)!;
    expect(last).toEqual({
      phase: 'done',
      bytes: tarGz.length,
      totalBytes: tarGz.length,
      etaSeconds: 0,
    });
    for (const e of events) expect(e.etaSeconds === null || e.etaSeconds >= 0).toBe(true);
  });

  it('has no ETA when the size is unknown', async () => {
    const events: LoadProgress[] = [];
    await load(tarGz, 'p.tar.gz', { total: null, onProgress: (p) => events.push(p) });
    expect(events.slice(0, -1).every((e) => e.etaSeconds === null && e.totalBytes === null)).toBe(
      true,
    );
  });

  it('rejects with an AbortError when cancelled between chunks', async () => {
    const ctrl = new AbortController();
    const seen: number[] = [];
    const err = await load(tarGz, 'a.tar.gz', {
      chunk: 64,
      signal: ctrl.signal,
      onProgress: (e) => {
        seen.push(e.bytes);
        ctrl.abort(); // at the first report
      },
    }).catch((e: unknown) => e);
    expect(isAbortError(err)).toBe(true);
    expect((err as Error).name).toBe('AbortError');
    expect(seen).toEqual([64]);
  });

  it('rejects with an AbortError when cancelled while the source stalls', async () => {
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(ctrl) {
        ctrl.enqueue(tarGz.slice(0, 1000));
      },
      pull: () => new Promise<void>(() => undefined), // never delivers more
      cancel: () => {
        cancelled = true;
      },
    });
    const ctrl = new AbortController();
    const p = loadCifarFromStream(stalled, {
      totalBytes: tarGz.length,
      fileName: 's.tar.gz',
      signal: ctrl.signal,
    });
    setTimeout(() => ctrl.abort(), 50);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(cancelled).toBe(true);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(load(tarGz, 'a.tar.gz', { signal: ctrl.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('names the first bytes of a file that is not gzip, tar or .bin', async () => {
    const zip = concat([
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]),
      new Uint8Array(600),
    ]);
    await expect(load(zip, 'data.zip')).rejects.toThrow(
      'data.zip: not a gzip, tar or CIFAR-100 .bin file (first bytes: 50 4b 03 04 14 00 00 00)',
    );
    await expect(load(new Uint8Array(0), 'none.bin')).rejects.toThrow('none.bin is empty');
  });

  it('says which record has a label out of range, also in the first record', async () => {
    const badFirst = makeBin(3, (r) => (r === 0 ? [25, 3] : [1, 2]));
    await expect(load(badFirst, 'test.bin')).rejects.toThrow(
      'test.bin: record 0 has coarse label 25, expected 0–19',
    );
    const badLater = makeBin(4, (r) => (r === 2 ? [1, 140] : [1, 2]));
    await expect(load(badLater, 'train.bin', { chunk: 1000 })).rejects.toThrow(
      'train.bin: record 2 has fine label 140, expected 0–99',
    );
  });

  it('reports a truncated .tar.gz', async () => {
    const cut = tarGz.subarray(0, Math.floor(tarGz.length * 0.6));
    const err = await load(cut, 'cut.tar.gz').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^cut\.tar\.gz: gzip data is truncated or corrupt/);
  });

  it('reports a truncated plain .tar by member', async () => {
    const cut = officialTar.subarray(0, officialTar.length - 1024 - 512 * 100);
    await expect(load(cut, 'cut.tar')).rejects.toThrow(
      /archive truncated: member cifar-100-binary\/train\.bin needs 92220 bytes, got \d+/,
    );
  });

  it('reports corrupt gzip data', async () => {
    const bad = tarGz.slice();
    bad[3] = 0xff; // FLG with reserved bits set
    await expect(load(bad, 'bad.tar.gz')).rejects.toThrow(
      /bad\.tar\.gz: gzip data is truncated or corrupt/,
    );
  });

  it('lists the members found when train.bin/test.bin are missing', async () => {
    const tar = makeTar([
      { name: 'cifar-100-binary/test.bin', bytes: test },
      { name: 'cifar-100-binary/readme.txt', bytes: utf8('hi') },
    ]);
    await expect(load(tar, 'odd.tar')).rejects.toThrow(
      'odd.tar: the tar has no train.bin; members found: cifar-100-binary/test.bin, cifar-100-binary/readme.txt',
    );
    const gz = new Uint8Array(zlib.gzipSync(makeTar([{ name: 'x', bytes: utf8('x') }])));
    await expect(load(gz, 'x.tar.gz')).rejects.toThrow(
      'x.tar.gz: the tar has no train.bin and no test.bin; members found: x',
    );
  });

  it('rejects a tar member of the wrong length before reading it', async () => {
    const tar = makeTar([
      { name: 'c/train.bin', bytes: train.subarray(0, 3074 * 2 + 5) },
      { name: 'c/test.bin', bytes: test },
    ]);
    await expect(load(tar, 't.tar')).rejects.toThrow(
      'c/train.bin: 6153 bytes is not a whole number of 3074-byte CIFAR-100 records (2 records + 5 bytes)',
    );
  });

  it('rejects label files with the wrong number of names', async () => {
    const tar = makeTar([
      { name: 'c/train.bin', bytes: train },
      { name: 'c/test.bin', bytes: test },
      { name: 'c/fine_label_names.txt', bytes: utf8('a\nb\n') },
    ]);
    await expect(load(tar, 't.tar')).rejects.toThrow(
      'fine_label_names.txt has 2 names, expected 100',
    );
  });

  it('loads a raw .bin, choosing the split by name, and default label names', async () => {
    const ds = await load(train, 'train.bin');
    expect(ds.train!.count).toBe(30);
    expect(ds.test).toBeUndefined();
    expect(ds.fineNames[0]).toBe('apple');
    const t = await load(test, 'my/test_batch.bin', { total: null });
    expect(t.test!.count).toBe(10);
    const gz = await load(new Uint8Array(zlib.gzipSync(test)), 'test.bin.gz');
    expect(gz.test!.fine).toEqual(t.test!.fine);
  });

  it('rejects a raw .bin with a bad length or label, and an unnamed slice', async () => {
    await expect(load(train.subarray(0, 3074 * 3 + 1), 'train.bin')).rejects.toThrow(
      'train.bin: 9223 bytes is not a whole number of 3074-byte CIFAR-100 records (3 records + 1 bytes)',
    );
    await expect(
      load(train.subarray(0, 3074 * 3 + 1), 'train.bin', { total: null }),
    ).rejects.toThrow('train.bin: 9223 bytes is not a whole number');
    const bad = makeBin(4, (r) => (r === 2 ? [5, 150] : [5, 5]));
    await expect(load(bad, 'train.bin')).rejects.toThrow(
      'train.bin: record 2 has fine label 150, expected 0–99',
    );
    await expect(load(train, 'data.bin')).rejects.toThrow(
      'data.bin: 30 records, cannot tell train from test; name the file train*.bin or test*.bin',
    );
  });
});

describe('loadCifarFromFiles', () => {
  const file = (name: string, bytes: Uint8Array, known = true) => ({
    name,
    stream: streamOf(bytes, 1000),
    size: known ? bytes.length : null,
  });

  it('merges train.bin + test.bin + a names file with progress over the total', async () => {
    const events: LoadProgress[] = [];
    const ds = await loadCifarFromFiles(
      [
        file('train.bin', train),
        file('test.bin', test),
        file('fine_label_names.txt', utf8(fineNames)),
      ],
      { onProgress: (p) => events.push(p) },
    );
    expect(ds.train!.count).toBe(30);
    expect(ds.test!.count).toBe(10);
    expect(ds.fineNames[1]).toBe('fine1');
    expect(ds.coarseNames[0]).toBe('aquatic_mammals');
    const total = train.length + test.length + utf8(fineNames).length;
    expect(events.at(-1)).toMatchObject({ phase: 'done', bytes: total, totalBytes: total });
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.bytes).toBeGreaterThanOrEqual(events[i - 1]!.bytes);
  });

  it('rejects two files for the same split', async () => {
    await expect(
      loadCifarFromFiles([file('train.bin', train), file('train (1).bin', train)]),
    ).rejects.toThrow('both train.bin and train (1).bin give the train data');
  });

  it('rejects names-only input', async () => {
    await expect(
      loadCifarFromFiles([file('fine_label_names.txt', utf8(fineNames), false)]),
    ).rejects.toThrow('no CIFAR-100 records in fine_label_names.txt');
  });
});
