import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytes, zipStored } from './fixtures/builders';
import { crc32, readZipDirectory, readZipEntry, ZipError } from './zip-reader';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');
const read = (f: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, f)));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function contents(file: Uint8Array): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const [name, e] of readZipDirectory(file)) out.set(name, await readZipEntry(file, e));
  return out;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('readZipDirectory / readZipEntry', () => {
  it('reads a torch-style archive: STORED entries whose data start on 64-byte boundaries', async () => {
    const file = read('tiny-zip.pt');
    const dir = readZipDirectory(file);
    expect([...dir.keys()].slice(0, 3)).toEqual([
      'archive/data.pkl',
      'archive/byteorder',
      'archive/data/0',
    ]);
    expect(dir.get('archive/version')).toMatchObject({ method: 0, size: 2 });
    for (const e of dir.values()) {
      const data = await readZipEntry(file, e);
      expect([e.name, (data.byteOffset - file.byteOffset) % 64]).toEqual([e.name, 0]);
    }
    const c = await contents(file);
    expect(text(c.get('archive/byteorder')!)).toBe('little');
    expect(Array.from(c.get('archive/data/7')!)).toEqual([0, 128, 255]);
  });

  it('reads ZIP64 records (miniz MZ_ZIP_FLAG_WRITE_ZIP64 layout) and DEFLATE entries alike', async () => {
    const plain = await contents(read('tiny-zip.pt'));
    const zip64 = await contents(read('tiny-zip64-nested.pt'));
    const deflated = await contents(read('tiny-deflated.pt'));
    expect([...deflated.keys()]).toEqual([...plain.keys()]);
    for (const [name, data] of plain) expect([name, deflated.get(name)]).toEqual([name, data]);
    for (let k = 0; k <= 12; k++)
      expect(zip64.get(`tiny_nested/data/${k}`)).toEqual(plain.get(`archive/data/${k}`));
    const e = readZipDirectory(read('tiny-deflated.pt')).get('archive/data.pkl')!;
    expect(e.method).toBe(8);
    expect(e.compressedSize).toBeLessThan(e.size);
  });

  it('detects corruption through the CRC', async () => {
    const file = read('tiny-zip.pt');
    const e = readZipDirectory(file).get('archive/data/0')!;
    const at = (await readZipEntry(file, e)).byteOffset + 5;
    const bad = file.slice();
    bad[at] = bad[at]! ^ 0x40;
    await expect(readZipEntry(bad, e)).rejects.toThrow(/CRC-32 mismatch for 'archive\/data\/0'/);
  });

  it('refuses truncated archives at every length', () => {
    const file = read('tiny-zip64-nested.pt');
    for (let n = 0; n < file.length; n += 7) {
      expect(() => readZipDirectory(file.subarray(0, n))).toThrow(ZipError);
    }
  });

  it('refuses header lies with clear errors', async () => {
    const one = (e: Parameters<typeof zipStored>[0][0]) => zipStored([e]);
    const ok = one({ name: 'a', data: bytes('hello') });
    expect(text(await readZipEntry(ok, readZipDirectory(ok).get('a')!))).toBe('hello');

    const lie = one({ name: 'a', data: bytes('hello'), size: 9 });
    await expect(readZipEntry(lie, readZipDirectory(lie).get('a')!)).rejects.toThrow(
      /STORED entry 'a' has size 9 ≠ 5/,
    );
    const bomb = one({ name: 'a', data: bytes('xx'), size: 1e9, method: 8 });
    await expect(readZipEntry(bomb, readZipDirectory(bomb).get('a')!)).rejects.toThrow(
      /'a' claims 1000000000 bytes from 2: refused/,
    );
    const lzma = one({ name: 'a', data: bytes('xx'), method: 14 });
    await expect(readZipEntry(lzma, readZipDirectory(lzma).get('a')!)).rejects.toThrow(
      /unsupported compression method 14/,
    );
    const notDeflate = one({ name: 'a', data: bytes(0xff, 0xff, 0xff), size: 3, method: 8 });
    await expect(readZipEntry(notDeflate, readZipDirectory(notDeflate).get('a')!)).rejects.toThrow(
      /'a' is corrupt DEFLATE data/,
    );

    const dup = zipStored([
      { name: 'a', data: bytes('1') },
      { name: 'a', data: bytes('2') },
    ]);
    expect(() => readZipDirectory(dup)).toThrow(/duplicate zip entry 'a'/);

    const renamed = ok.slice();
    renamed[30] = 'b'.charCodeAt(0); // local header name
    await expect(readZipEntry(renamed, readZipDirectory(renamed).get('a')!)).rejects.toThrow(
      /local header name differs/,
    );

    const badCentral = ok.slice();
    const cdAt = new DataView(ok.buffer).getUint32(ok.length - 6, true);
    badCentral[cdAt] = 0;
    expect(() => readZipDirectory(badCentral)).toThrow(
      /bad central directory signature at byte 36/,
    );

    const pastEnd = ok.slice();
    new DataView(pastEnd.buffer).setUint32(pastEnd.length - 6, 1e6, true); // directory offset
    expect(() => readZipDirectory(pastEnd)).toThrow(
      /central directory at byte 1000000 .* runs past the end/,
    );

    expect(() => readZipDirectory(bytes('PK', 3, 4, new Uint8Array(40)))).toThrow(
      /no end-of-central-directory record/,
    );
  });
});
