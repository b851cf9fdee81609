/**
 * Minimal ZIP writer (PKWARE APPNOTE 6.3.x): STORED entries (no compression), UTF-8 names (flag
 * bit 11), each with its CRC-32, a central directory and the end-of-central-directory record. No
 * ZIP64: an archive, or an entry, past 4 GiB − 1 or 65,535 entries is refused. Dependency-free, so
 * the browser's worker and Node write the same bytes; ./zip-reader.ts, Python's zipfile and
 * `unzip` read them.
 */
import { crc32 } from './zip-reader';

export interface ZipInput {
  /** Path inside the archive, '/'-separated, no leading '/' and no '..' part. */
  name: string;
  data: Uint8Array | string;
}

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
/** 2000-01-01 00:00 in MS-DOS time / date (a fixed stamp: the same input gives the same bytes). */
const DOS_TIME = 0;
const DOS_DATE = ((2000 - 1980) << 9) | (1 << 5) | 1;
const VERSION = 20; // 2.0: STORED entries and folders
const UTF8_FLAG = 1 << 11;

function checkName(name: string): void {
  const parts = name.split('/');
  if (
    name.length === 0 ||
    name.startsWith('/') ||
    name.includes('\\') ||
    parts.some((p) => p === '..' || p === '.') ||
    parts.slice(0, -1).some((p) => p === '')
  )
    throw new Error(`zip entry name '${name}' is not a relative '/'-separated path`);
}

class Out {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Little-endian fields of `sizes` bytes each (2 or 4). */
function fields(...f: [number, 2 | 4][]): Uint8Array {
  const n = f.reduce((a, [, s]) => a + s, 0);
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  let at = 0;
  for (const [x, s] of f) {
    if (s === 2) v.setUint16(at, x, true);
    else v.setUint32(at, x, true);
    at += s;
  }
  return out;
}

/** A STORED zip archive of `entries`, in order (names must be unique). */
export function writeZip(entries: readonly ZipInput[]): Uint8Array {
  if (entries.length > U16_MAX)
    throw new Error(`a zip without ZIP64 holds at most ${U16_MAX} entries, got ${entries.length}`);
  const enc = new TextEncoder();
  const seen = new Set<string>();
  const out = new Out();
  const central = new Out();
  for (const e of entries) {
    checkName(e.name);
    if (seen.has(e.name)) throw new Error(`duplicate zip entry '${e.name}'`);
    seen.add(e.name);
    const data = typeof e.data === 'string' ? enc.encode(e.data) : e.data;
    if (data.length > U32_MAX)
      throw new Error(`zip entry '${e.name}' has ${data.length} bytes: more than a zip holds`);
    const name = enc.encode(e.name);
    const crc = crc32(data);
    const offset = out.size;
    if (offset > U32_MAX) throw new Error(`zip archive past 4 GiB at entry '${e.name}'`);
    // version needed, flags, method, time, date, crc, compressed size, size, name length
    const common: [number, 2 | 4][] = [
      [VERSION, 2],
      [UTF8_FLAG, 2],
      [0, 2],
      [DOS_TIME, 2],
      [DOS_DATE, 2],
      [crc, 4],
      [data.length, 4],
      [data.length, 4],
      [name.length, 2],
    ];
    out.push(fields([0x04034b50, 4], ...common, [0, 2]));
    out.push(name);
    out.push(data);
    // made by (2.0, MS-DOS attributes), common, extra, comment, disk, internal / external attrs
    central.push(
      fields(
        [0x02014b50, 4],
        [VERSION, 2],
        ...common,
        [0, 2],
        [0, 2],
        [0, 2],
        [0, 2],
        [0, 4],
        [offset, 4],
      ),
    );
    central.push(name);
  }
  const dirOffset = out.size;
  if (dirOffset + central.size > U32_MAX) throw new Error('zip archive past 4 GiB');
  for (const c of central.chunks) out.push(c);
  out.push(
    fields(
      [0x06054b50, 4],
      [0, 2],
      [0, 2],
      [entries.length, 2],
      [entries.length, 2],
      [central.size, 4],
      [dirOffset, 4],
      [0, 2],
    ),
  );
  return out.concat();
}
