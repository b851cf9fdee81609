// Integration: the real CIFAR-100 files from the shared folder (read in place, never copied
// into the repo), and a real tar.gz built with the `tar` CLI from slices of them.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR_DIR } from '../../test-paths';
import { parseRecords } from './cifar-records';
import { FINE_LABEL_NAMES, COARSE_LABEL_NAMES } from './label-names';
import { loadCifarFromStream } from './load-dataset';
import type { LoadProgress } from './types';

const R = 3074;
const readHead = (file: string, records: number): Uint8Array => {
  const fd = fs.openSync(path.join(CIFAR_DIR, file), 'r');
  const buf = new Uint8Array(records * R);
  fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  return buf;
};
const webStream = (file: string): ReadableStream<Uint8Array> =>
  Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;

describe('real CIFAR-100 records', () => {
  it('test.bin: the first 1000 records have fine label = index mod 100', () => {
    const s = parseRecords(readHead('test.bin', 1000), 'test.bin[0:1000]');
    expect(s.count).toBe(1000);
    for (let i = 0; i < 1000; i++) expect(s.fine[i]).toBe(i % 100);
  });

  it('train slice: per-channel means near the published (0.507, 0.487, 0.441)', () => {
    const s = parseRecords(readHead('train.bin', 5000), 'train.bin[0:5000]');
    const sums = [0, 0, 0];
    for (let i = 0; i < s.count; i++) {
      for (let c = 0; c < 3; c++) {
        const o = i * 3072 + c * 1024;
        for (let p = 0; p < 1024; p++) sums[c]! += s.images[o + p]!;
      }
    }
    const means = sums.map((v) => v / (s.count * 1024 * 255));
    expect(means[0]).toBeCloseTo(0.507, 2);
    expect(means[1]).toBeCloseTo(0.487, 2);
    expect(means[2]).toBeCloseTo(0.441, 2);
  });

  it('streams the whole test.bin (chosen as test by name and count)', async () => {
    const file = path.join(CIFAR_DIR, 'test.bin');
    const ds = await loadCifarFromStream(webStream(file), {
      totalBytes: fs.statSync(file).size,
      fileName: 'test.bin',
    });
    expect(ds.test!.count).toBe(10_000);
    expect(ds.test!.fine.every((f, i) => f === i % 100)).toBe(true);
  });
});

describe('real tar.gz built with the tar CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cifar-targz-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads train (2000) + test (1000) + label names with byte progress', async () => {
    const inner = path.join(dir, 'cifar-100-binary');
    fs.mkdirSync(inner);
    const train = readHead('train.bin', 2000);
    const test = readHead('test.bin', 1000);
    fs.writeFileSync(path.join(inner, 'train.bin'), train);
    fs.writeFileSync(path.join(inner, 'test.bin'), test);
    for (const f of ['fine_label_names.txt', 'coarse_label_names.txt']) {
      fs.copyFileSync(path.join(CIFAR_DIR, f), path.join(inner, f));
    }
    const gz = path.join(dir, 'cifar-100-binary.tar.gz');
    execFileSync('sh', ['-c', `tar -cf - -C "${dir}" cifar-100-binary | gzip -1 > "${gz}"`]);
    const size = fs.statSync(gz).size;
    const events: LoadProgress[] = [];
    const ds = await loadCifarFromStream(webStream(gz), {
      totalBytes: size,
      fileName: 'cifar-100-binary.tar.gz',
      onProgress: (p) => events.push(p),
    });
    expect(ds.train!.count).toBe(2000);
    expect(ds.test!.count).toBe(1000);
    // Buffer.equals: vitest's deep equality is far too slow on 6 MB arrays.
    expect(Buffer.from(ds.train!.images).equals(parseRecords(train, 'train').images)).toBe(true);
    expect(Buffer.from(ds.test!.fine).equals(parseRecords(test, 'test').fine)).toBe(true);
    expect(ds.fineNames).toEqual(FINE_LABEL_NAMES);
    expect(ds.coarseNames).toEqual(COARSE_LABEL_NAMES);
    expect(events.at(-1)).toMatchObject({ phase: 'done', bytes: size, totalBytes: size });
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.bytes).toBeGreaterThanOrEqual(events[i - 1]!.bytes);
    }
  });
});
