/**
 * Streaming tar reader (POSIX ustar / pax and GNU tar, as `tar` and the CIFAR archives write it).
 *
 * A tar file is a sequence of 512-byte headers, each followed by the member's data padded to a
 * multiple of 512; two zero blocks end it. A header holds the name (0, 100 bytes), the size
 * (124, 12 octal digits or GNU base-256), the checksum (148, 8 octal digits: the sum of all
 * header bytes with the checksum field read as spaces), the type flag (156) and, for ustar, a
 * name prefix (345, 155 bytes). GNU 'L' members carry a long name for the next member, pax 'x'
 * members carry `path=` / `size=` records for it.
 *
 * `TarParser` is push-based: feed it chunks of any size; for each member it asks `onEntry` for a
 * sink and hands the member's bytes to it as subarrays of the input chunks (no copies here).
 */
import { DataError } from './types';

const BLOCK = 512;

/** A member's header. `offset` is the byte offset of its header in the archive. */
export interface TarEntry {
  name: string;
  size: number;
  /** Type flag: '0' regular file, '5' directory, … */
  type: string;
  offset: number;
}

/** Receives one member's data in order; `end` is called after its last byte. */
export interface TarSink {
  write(chunk: Uint8Array): void;
  end?(): void;
}

/** A regular-file member with all of its bytes. */
export interface TarMember extends TarEntry {
  bytes: Uint8Array;
}

export type ChunkSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

const utf8 = new TextDecoder('utf-8');

function cString(h: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && h[end] !== 0) end++;
  return utf8.decode(h.subarray(start, end));
}

/** Octal field (digits, optional leading spaces, ended by NUL/space); NaN when malformed. */
function octal(h: Uint8Array, start: number, len: number): number {
  let i = start;
  const end = start + len;
  while (i < end && h[i] === 0x20) i++;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = h[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return NaN;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  return digits === 0 ? 0 : v;
}

function sizeField(h: Uint8Array): number {
  if ((h[124]! & 0x80) !== 0) {
    // GNU base-256: big-endian in the remaining bits.
    let v = h[124]! & 0x7f;
    for (let i = 125; i < 136; i++) v = v * 256 + h[i]!;
    return v;
  }
  return octal(h, 124, 12);
}

function checksumOk(h: Uint8Array): boolean {
  const stored = octal(h, 148, 8);
  if (Number.isNaN(stored)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function isZeroBlock(h: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (h[i] !== 0) return false;
  return true;
}

/** True if `h` (≥ 512 bytes) starts with a valid tar header (used to sniff the format). */
export function looksLikeTarHeader(h: Uint8Array): boolean {
  return h.length >= BLOCK && !isZeroBlock(h.subarray(0, BLOCK)) && checksumOk(h);
}

/** pax extended header records: "<len> <key>=<value>\n". */
function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const text = utf8.decode(data);
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    const len = Number.parseInt(text.slice(i, sp), 10);
    if (sp < 0 || !(len > 0)) break;
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

type Mode = 'header' | 'data' | 'pad' | 'done';

/** Push-based tar parser; see the file comment. */
export class TarParser {
  private mode: Mode = 'header';
  private readonly header = new Uint8Array(BLOCK);
  private headerFill = 0;
  private offset = 0;
  private entry: TarEntry | null = null;
  private sink: TarSink | null = null;
  private left = 0;
  private got = 0;
  private padLeft = 0;
  /** Data of a GNU 'L' / pax 'x' member being collected for the next header. */
  private meta: { type: string; buf: Uint8Array } | null = null;
  private longName: string | null = null;
  private paxSize: number | null = null;
  private headers = 0;
  readonly entries: TarEntry[] = [];

  constructor(private readonly onEntry: (e: TarEntry) => TarSink | null) {}

  push(chunk: Uint8Array): void {
    let o = 0;
    const n = chunk.length;
    while (o < n && this.mode !== 'done') {
      if (this.mode === 'header') {
        const take = Math.min(BLOCK - this.headerFill, n - o);
        this.header.set(chunk.subarray(o, o + take), this.headerFill);
        this.headerFill += take;
        o += take;
        if (this.headerFill === BLOCK) this.onHeader();
      } else if (this.mode === 'data') {
        const take = Math.min(this.left, n - o);
        this.writeData(chunk.subarray(o, o + take));
        o += take;
        if (this.left === 0) this.endMember();
      } else {
        const take = Math.min(this.padLeft, n - o);
        o += take;
        this.padLeft -= take;
        this.offset += take;
        if (this.padLeft === 0) this.mode = 'header';
      }
    }
  }

  /** Call at the end of the input: throws if the archive stopped inside a header or a member. */
  end(): TarEntry[] {
    if (this.mode === 'data') {
      const e = this.entry!;
      throw new DataError(
        `archive truncated: member ${e.name} needs ${e.size} bytes, got ${this.got}`,
      );
    }
    if (this.mode === 'header' && this.headerFill > 0) {
      throw new DataError(
        `archive truncated: tar header at byte ${this.offset} has ${this.headerFill} of ${BLOCK} bytes`,
      );
    }
    if (this.headers === 0) throw new DataError('not a tar archive (no tar header found)');
    return this.entries;
  }

  private onHeader(): void {
    const h = this.header;
    const at = this.offset;
    this.headerFill = 0;
    this.offset += BLOCK;
    if (isZeroBlock(h)) {
      if (this.headers === 0) throw new DataError('not a tar archive (starts with a zero block)');
      this.mode = 'done';
      return;
    }
    if (!checksumOk(h)) {
      throw new DataError(`not a tar archive (bad header checksum at byte ${at})`);
    }
    this.headers++;
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]!);
    let size = sizeField(h);
    if (!Number.isFinite(size)) {
      throw new DataError(`tar header at byte ${at}: malformed size field`);
    }
    let name = cString(h, 0, 100);
    const ustar = h[257] === 0x75 && cString(h, 257, 6) === 'ustar' && h[262] === 0;
    if (ustar && h[345] !== 0) name = `${cString(h, 345, 155)}/${name}`;
    if (type === 'L' || type === 'x' || type === 'g') {
      this.meta = { type, buf: new Uint8Array(size) };
      this.startData({ name, size, type, offset: at }, null);
      return;
    }
    if (this.longName !== null) name = this.longName;
    if (this.paxSize !== null) size = this.paxSize;
    this.longName = null;
    this.paxSize = null;
    const entry: TarEntry = { name, size, type, offset: at };
    this.entries.push(entry);
    const isFile = type === '0' || type === '7';
    this.startData(entry, isFile ? this.onEntry(entry) : null);
  }

  private startData(entry: TarEntry, sink: TarSink | null): void {
    this.entry = entry;
    this.sink = sink;
    this.left = entry.size;
    this.got = 0;
    this.padLeft = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    this.mode = 'data';
    if (entry.size === 0) this.endMember();
  }

  private writeData(part: Uint8Array): void {
    if (this.meta) this.meta.buf.set(part, this.got);
    else this.sink?.write(part);
    this.got += part.length;
    this.left -= part.length;
    this.offset += part.length;
  }

  private endMember(): void {
    const meta = this.meta;
    if (meta) {
      this.meta = null;
      if (meta.type === 'L') this.longName = cString(meta.buf, 0, meta.buf.length);
      if (meta.type === 'x') {
        const pax = parsePax(meta.buf);
        const path = pax.get('path');
        const size = pax.get('size');
        if (path !== undefined) this.longName = path;
        if (size !== undefined) this.paxSize = Number(size);
      }
    } else {
      this.sink?.end?.();
    }
    this.sink = null;
    this.mode = this.padLeft > 0 ? 'pad' : 'header';
  }
}

/** Iterates a ReadableStream or async iterable of chunks. */
export async function* chunksOf(source: ChunkSource): AsyncGenerator<Uint8Array> {
  if (Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<Uint8Array>;
    return;
  }
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Reads a whole archive, handing each regular file to the sink `onEntry` returns. */
export async function readTar(
  source: ChunkSource,
  onEntry: (e: TarEntry) => TarSink | null,
): Promise<TarEntry[]> {
  const parser = new TarParser(onEntry);
  for await (const chunk of chunksOf(source)) parser.push(chunk);
  return parser.end();
}

/** A sink that collects a member into one preallocated buffer. */
export function collectSink(size: number, done: (bytes: Uint8Array) => void): TarSink {
  const bytes = new Uint8Array(size);
  let at = 0;
  return {
    write(chunk) {
      bytes.set(chunk, at);
      at += chunk.length;
    },
    end() {
      done(bytes);
    },
  };
}

/** Yields every regular-file member with its bytes (each collected whole). */
export async function* tarMembers(source: ChunkSource): AsyncGenerator<TarMember> {
  const ready: TarMember[] = [];
  const parser = new TarParser((e) => collectSink(e.size, (bytes) => ready.push({ ...e, bytes })));
  for await (const chunk of chunksOf(source)) {
    parser.push(chunk);
    while (ready.length > 0) yield ready.shift()!;
  }
  parser.end();
  while (ready.length > 0) yield ready.shift()!;
}
