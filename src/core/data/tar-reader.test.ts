import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TarParser, looksLikeTarHeader, readTar, tarMembers } from './tar-reader';
import { makeTar, streamOf, tarHeader, utf8 } from './fixtures.test-helpers';
import { DataError } from './types';

async function collect(bytes: Uint8Array, chunk = 65536) {
  const out = [];
  for await (const m of tarMembers(streamOf(bytes, chunk))) {
    out.push({ name: m.name, size: m.size, text: new TextDecoder().decode(m.bytes) });
  }
  return out;
}

describe('tar reader', () => {
  const tar = makeTar([
    { name: 'dir/', bytes: new Uint8Array(0), type: '5' },
    { name: 'dir/a.txt', bytes: utf8('hello') },
    { name: 'dir/empty', bytes: new Uint8Array(0) },
    { name: 'dir/b.bin', bytes: utf8('x'.repeat(1000)) },
  ]);

  it.each([1, 7, 511, 512, 513, 65536])('round-trips members read in %i-byte chunks', async (c) => {
    expect(await collect(tar, c)).toEqual([
      { name: 'dir/a.txt', size: 5, text: 'hello' },
      { name: 'dir/empty', size: 0, text: '' },
      { name: 'dir/b.bin', size: 1000, text: 'x'.repeat(1000) },
    ]);
  });

  it('lists every entry (directories too) with header offsets', async () => {
    const entries = await readTar(streamOf(tar), () => null);
    expect(entries.map((e) => [e.name, e.type, e.offset])).toEqual([
      ['dir/', '5', 0],
      ['dir/a.txt', '0', 512],
      ['dir/empty', '0', 1536],
      ['dir/b.bin', '0', 2048],
    ]);
  });

  it('sniffs a header by its checksum', () => {
    expect(looksLikeTarHeader(tarHeader('a', 1))).toBe(true);
    const bad = tarHeader('a', 1);
    bad[0] = 0x62;
    expect(looksLikeTarHeader(bad)).toBe(false);
    expect(looksLikeTarHeader(new Uint8Array(512))).toBe(false);
  });

  it('rejects a bad header checksum, naming the byte offset', async () => {
    const broken = tar.slice();
    broken[2048 + 3] = broken[2048 + 3]! ^ 0x01; // inside the name of the 4th header
    await expect(collect(broken)).rejects.toThrow(
      'not a tar archive (bad header checksum at byte 2048)',
    );
    await expect(collect(utf8('just some text, not a tar at all'.repeat(20)))).rejects.toThrow(
      'not a tar archive (bad header checksum at byte 0)',
    );
  });

  it('reports a truncated member with bytes needed and got', async () => {
    const cut = tar.subarray(0, 2048 + 512 + 300);
    await expect(collect(cut)).rejects.toThrow(
      'archive truncated: member dir/b.bin needs 1000 bytes, got 300',
    );
    await expect(collect(cut)).rejects.toThrow(DataError);
  });

  it('reports a header cut short', async () => {
    await expect(collect(tar.subarray(0, 2048 + 100))).rejects.toThrow(
      'archive truncated: tar header at byte 2048 has 100 of 512 bytes',
    );
  });

  it('rejects empty input and input that starts with zeros', async () => {
    await expect(collect(new Uint8Array(0))).rejects.toThrow(
      'not a tar archive (no tar header found)',
    );
    await expect(collect(new Uint8Array(1024))).rejects.toThrow('starts with a zero block');
  });

  it('ignores bytes after the end-of-archive blocks', async () => {
    const padded = new Uint8Array(tar.length + 4096).fill(0x55);
    padded.set(tar);
    expect((await collect(padded)).length).toBe(3);
  });

  it('hands member data to sinks as it streams', () => {
    const seen: number[] = [];
    let ended = 0;
    const p = new TarParser(() => ({ write: (c) => seen.push(c.length), end: () => ended++ }));
    for (let o = 0; o < tar.length; o += 300) p.push(tar.subarray(o, o + 300));
    p.end();
    expect(seen.reduce((a, b) => a + b, 0)).toBe(1005);
    expect(ended).toBe(3);
  });
});

describe('tar CLI archives', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-reader-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const longName = `${'long-directory-name-'.repeat(6)}/file-with-a-long-name.txt`; // > 100 chars

  it.each(['gnu', 'pax', 'ustar'])(
    'reads %s format, including a name over 100 bytes',
    async (fmt) => {
      const src = path.join(dir, `src-${fmt}`);
      fs.mkdirSync(path.join(src, path.dirname(longName)), { recursive: true });
      fs.writeFileSync(path.join(src, longName), 'long');
      fs.writeFileSync(path.join(src, 'short.txt'), 'short');
      const out = path.join(dir, `${fmt}.tar`);
      execFileSync('tar', [`--format=${fmt}`, '-cf', out, '-C', src, 'short.txt', longName]);
      const files = await collect(new Uint8Array(fs.readFileSync(out)), 1000);
      expect(files).toEqual([
        { name: 'short.txt', size: 5, text: 'short' },
        { name: longName, size: 4, text: 'long' },
      ]);
    },
  );
});
