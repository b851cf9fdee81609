/**
 * Minimal ZIP reader (PKWARE APPNOTE 6.3.x) for PyTorch zip checkpoints: end of central
 * directory record (and the ZIP64 locator + record that miniz writes with
 * MZ_ZIP_FLAG_WRITE_ZIP64), central directory (with ZIP64 extra fields), local headers.
 * STORED entries are read in place; DEFLATE entries through DecompressionStream('deflate-raw').
 * Every offset and size is bounds-checked and every entry's CRC-32 is verified.
 */

export class ZipError extends Error {
  override name = 'ZipError';
}

export interface ZipEntry {
  name: string;
  /** 0 = STORED, 8 = DEFLATE. */
  method: number;
  compressedSize: number;
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const U32_MAX = 0xffffffff;
const MAX_ENTRY_BYTES = 2 ** 31 - 1;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as in zip / zlib). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

class View {
  private readonly dv: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(at: number, n: number, what: string): void {
    if (!Number.isSafeInteger(at) || at < 0 || at + n > this.bytes.length)
      throw new ZipError(
        `${what} at byte ${at} (+${n}) runs past the end of the file (${this.bytes.length} bytes)`,
      );
  }
  u16(at: number): number {
    return this.dv.getUint16(at, true);
  }
  u32(at: number): number {
    return this.dv.getUint32(at, true);
  }
  u64(at: number, what: string): number {
    const v = this.dv.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError(`${what} ${v} is too large`);
    return Number(v);
  }
}

interface Directory {
  count: number;
  size: number;
  offset: number;
}

function findEocd(v: View): number {
  const min = Math.max(0, v.bytes.length - 22 - 0xffff);
  for (let at = v.bytes.length - 22; at >= min; at--) {
    if (v.u32(at) === SIG_EOCD && at + 22 + v.u16(at + 20) <= v.bytes.length) return at;
  }
  throw new ZipError('no end-of-central-directory record: not a zip file, or truncated');
}

function readDirectoryInfo(v: View): Directory {
  const eocd = findEocd(v);
  if (v.u16(eocd + 4) !== 0 || v.u16(eocd + 6) !== 0)
    throw new ZipError('multi-disk zip archives are not supported');
  const loc = eocd - 20;
  if (loc >= 0 && v.u32(loc) === SIG_EOCD64_LOCATOR) {
    const at = v.u64(loc + 8, 'ZIP64 record offset');
    v.need(at, 56, 'ZIP64 end-of-central-directory record');
    if (v.u32(at) !== SIG_EOCD64)
      throw new ZipError(`bad ZIP64 end-of-central-directory signature at byte ${at}`);
    return {
      count: v.u64(at + 32, 'entry count'),
      size: v.u64(at + 40, 'central directory size'),
      offset: v.u64(at + 48, 'central directory offset'),
    };
  }
  return { count: v.u16(eocd + 10), size: v.u32(eocd + 12), offset: v.u32(eocd + 16) };
}

function decodeName(raw: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return new TextDecoder('latin1').decode(raw);
  }
}

/** ZIP64 extended information (0x0001) replaces the 32-bit fields that are 0xFFFFFFFF. */
function applyZip64(v: View, at: number, end: number, e: ZipEntry): void {
  while (at + 4 <= end) {
    const id = v.u16(at);
    const len = v.u16(at + 2);
    if (at + 4 + len > end) throw new ZipError(`extra field of '${e.name}' runs past its header`);
    if (id === 0x0001) {
      let p = at + 4;
      const next = (what: string): number => {
        if (p + 8 > at + 4 + len) throw new ZipError(`ZIP64 field of '${e.name}' lacks ${what}`);
        const x = v.u64(p, what);
        p += 8;
        return x;
      };
      if (e.size === U32_MAX) e.size = next('size');
      if (e.compressedSize === U32_MAX) e.compressedSize = next('compressed size');
      if (e.localHeaderOffset === U32_MAX) e.localHeaderOffset = next('header offset');
    }
    at += 4 + len;
  }
}

function readCentralEntry(v: View, at: number): { entry: ZipEntry; next: number } {
  v.need(at, 46, 'central directory entry');
  if (v.u32(at) !== SIG_CENTRAL)
    throw new ZipError(`bad central directory signature at byte ${at}`);
  const nameLen = v.u16(at + 28);
  const extraLen = v.u16(at + 30);
  const commentLen = v.u16(at + 32);
  v.need(at + 46, nameLen + extraLen + commentLen, 'central directory entry');
  const entry: ZipEntry = {
    name: decodeName(v.bytes.subarray(at + 46, at + 46 + nameLen)),
    method: v.u16(at + 10),
    crc32: v.u32(at + 16),
    compressedSize: v.u32(at + 20),
    size: v.u32(at + 24),
    localHeaderOffset: v.u32(at + 42),
  };
  if (v.u16(at + 8) & 1) throw new ZipError(`entry '${entry.name}' is encrypted`);
  const extra = at + 46 + nameLen;
  applyZip64(v, extra, extra + extraLen, entry);
  return { entry, next: extra + extraLen + commentLen };
}

/** Parses the central directory: entry name → entry. */
export function readZipDirectory(bytes: Uint8Array): Map<string, ZipEntry> {
  if (bytes.length < 22) throw new ZipError(`file too short (${bytes.length} bytes) for a zip`);
  const v = new View(bytes);
  const dir = readDirectoryInfo(v);
  v.need(dir.offset, dir.size, 'central directory');
  const entries = new Map<string, ZipEntry>();
  let at = dir.offset;
  for (let i = 0; i < dir.count; i++) {
    const { entry, next } = readCentralEntry(v, at);
    if (next > dir.offset + dir.size)
      throw new ZipError(`central directory entry ${i} runs past the directory`);
    if (entries.has(entry.name)) throw new ZipError(`duplicate zip entry '${entry.name}'`);
    entries.set(entry.name, entry);
    at = next;
  }
  return entries;
}

/** The entry's raw (possibly compressed) bytes, after checking its local header. */
function rawData(bytes: Uint8Array, e: ZipEntry): Uint8Array {
  const v = new View(bytes);
  const at = e.localHeaderOffset;
  v.need(at, 30, `local header of '${e.name}'`);
  if (v.u32(at) !== SIG_LOCAL) throw new ZipError(`bad local header signature for '${e.name}'`);
  const nameLen = v.u16(at + 26);
  v.need(at + 30, nameLen, `local header of '${e.name}'`);
  if (decodeName(bytes.subarray(at + 30, at + 30 + nameLen)) !== e.name)
    throw new ZipError(`local header name differs from the central directory for '${e.name}'`);
  const start = at + 30 + nameLen + v.u16(at + 28);
  v.need(start, e.compressedSize, `data of '${e.name}'`);
  return bytes.subarray(start, start + e.compressedSize);
}

async function inflateRaw(data: Uint8Array, e: ZipEntry): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined')
    throw new ZipError(`'${e.name}' is DEFLATE-compressed and this runtime cannot inflate`);
  // DEFLATE cannot expand more than 1032:1, so a larger claim is a lie (or a bomb).
  if (e.size > e.compressedSize * 1032 + 1024 || e.size > MAX_ENTRY_BYTES)
    throw new ZipError(`'${e.name}' claims ${e.size} bytes from ${e.compressedSize}: refused`);
  const out = new Uint8Array(e.size);
  let n = 0;
  try {
    const stream = new Blob([data.slice()])
      .stream()
      .pipeThrough(new DecompressionStream('deflate-raw'));
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      if (n + chunk.length > e.size)
        throw new ZipError(`'${e.name}' inflates past its declared size ${e.size}`);
      out.set(chunk, n);
      n += chunk.length;
    }
  } catch (err) {
    if (err instanceof ZipError) throw err;
    throw new ZipError(`'${e.name}' is corrupt DEFLATE data: ${(err as Error).message}`);
  }
  if (n !== e.size) throw new ZipError(`'${e.name}' inflates to ${n} bytes, expected ${e.size}`);
  return out;
}

/** The entry's content (STORED: a view into `bytes`), CRC-checked. */
export async function readZipEntry(bytes: Uint8Array, e: ZipEntry): Promise<Uint8Array> {
  const raw = rawData(bytes, e);
  let data: Uint8Array;
  if (e.method === 0) {
    if (e.compressedSize !== e.size)
      throw new ZipError(`STORED entry '${e.name}' has size ${e.size} ≠ ${e.compressedSize}`);
    data = raw;
  } else if (e.method === 8) data = await inflateRaw(raw, e);
  else throw new ZipError(`'${e.name}' uses unsupported compression method ${e.method}`);
  const crc = crc32(data);
  if (crc !== e.crc32)
    throw new ZipError(
      `CRC-32 mismatch for '${e.name}' (0x${crc.toString(16)} ≠ 0x${e.crc32.toString(16)}): corrupted`,
    );
  return data;
}
