/**
 * safetensors reader / writer (Hugging Face format): 8-byte little-endian header length N, N
 * bytes of JSON { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {str: str} },
 * then the byte buffer, which the offsets (relative to its start) must cover exactly, without
 * overlaps or holes. Data are little-endian (as on every browser platform). F16 / BF16 are
 * widened to Float32Array on read (the entry keeps its stored dtype) and narrowed on write.
 */
import { bf16ToFloat, floatToBf16, floatToHalf, halfToFloat } from './float16';

export type SafeDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U64'
  | 'U32'
  | 'U16'
  | 'U8'
  | 'BOOL';

export type SafeData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array;

export interface SafeTensor {
  dtype: SafeDtype;
  shape: number[];
  /** F16/BF16: Float32Array; BOOL: Uint8Array (0/1); otherwise the matching typed array. */
  data: SafeData;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string> | null;
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** Bytes per stored element of each dtype. */
export const SAFE_DTYPE_BYTES: Readonly<Record<SafeDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

const MAX_HEADER = 100_000_000;

function isDtype(d: unknown): d is SafeDtype {
  return typeof d === 'string' && Object.hasOwn(SAFE_DTYPE_BYTES, d);
}

/** Copies little-endian bytes into an aligned buffer and views them as the dtype's array. */
export function decodeSafeData(dtype: SafeDtype, bytes: Uint8Array): SafeData {
  const buf = bytes.slice().buffer;
  switch (dtype) {
    case 'F64':
      return new Float64Array(buf);
    case 'F32':
      return new Float32Array(buf);
    case 'F16':
    case 'BF16': {
      const h = new Uint16Array(buf);
      const conv = dtype === 'F16' ? halfToFloat : bf16ToFloat;
      return Float32Array.from(h, conv);
    }
    case 'I64':
      return new BigInt64Array(buf);
    case 'U64':
      return new BigUint64Array(buf);
    case 'I32':
      return new Int32Array(buf);
    case 'U32':
      return new Uint32Array(buf);
    case 'I16':
      return new Int16Array(buf);
    case 'U16':
      return new Uint16Array(buf);
    case 'I8':
      return new Int8Array(buf);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(buf);
  }
}

interface Entry {
  name: string;
  dtype: SafeDtype;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, v: unknown, dataLen: number): Entry {
  const at = `tensor '${name}'`;
  if (typeof v !== 'object' || v === null)
    throw new SafetensorsError(`${at}: header entry is not an object`);
  const { dtype, shape, data_offsets: offs } = v as Record<string, unknown>;
  if (!isDtype(dtype)) {
    throw new SafetensorsError(
      `${at}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(SAFE_DTYPE_BYTES).join(', ')})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(
      `${at}: shape must be non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
  let count = 1; // checked product, like the reference implementation's checked_mul
  for (const d of shape as number[]) {
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER)
      throw new SafetensorsError(`${at}: shape ${JSON.stringify(shape)} overflows`);
  }
  if (
    !Array.isArray(offs) ||
    offs.length !== 2 ||
    !offs.every((o) => Number.isInteger(o) && o >= 0)
  ) {
    throw new SafetensorsError(
      `${at}: data_offsets must be [begin, end], got ${JSON.stringify(offs)}`,
    );
  }
  const [begin, end] = offs as [number, number];
  if (begin > end || end > dataLen) {
    throw new SafetensorsError(
      `${at}: data_offsets [${begin}, ${end}] out of range (data is ${dataLen} bytes)`,
    );
  }
  const expected = count * SAFE_DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    throw new SafetensorsError(
      `${at}: shape [${shape.join(',')}] × ${dtype} needs ${expected} bytes, data_offsets span ${end - begin}`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

function parseMetadata(v: unknown): Record<string, string> {
  if (
    typeof v !== 'object' ||
    v === null ||
    !Object.values(v).every((s) => typeof s === 'string')
  ) {
    throw new SafetensorsError('__metadata__ must map strings to strings');
  }
  return v as Record<string, string>;
}

function readHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8)
    throw new SafetensorsError(`file too short (${bytes.length} bytes) for a safetensors header`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    throw new SafetensorsError(
      `header length ${n} runs past the end of the file (${bytes.length} bytes)`,
    );
  }
  if (n > BigInt(MAX_HEADER))
    throw new SafetensorsError(`header length ${n} exceeds ${MAX_HEADER} bytes`);
  const len = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + len)),
    );
  } catch (e) {
    throw new SafetensorsError(`header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('header JSON must be an object');
  }
  return { header: header as Record<string, unknown>, dataStart: 8 + len };
}

function checkCoverage(entries: Entry[], dataLen: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.begin < pos)
      throw new SafetensorsError(
        `tensor '${e.name}' overlaps the previous tensor (begins at ${e.begin} < ${pos})`,
      );
    if (e.begin > pos)
      throw new SafetensorsError(
        `hole in data buffer: bytes ${pos}..${e.begin} belong to no tensor`,
      );
    pos = e.end;
  }
  if (pos !== dataLen)
    throw new SafetensorsError(
      `data buffer has ${dataLen - pos} trailing bytes not covered by any tensor`,
    );
}

/** Parses and validates a whole safetensors file. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { header, dataStart } = readHeader(bytes);
  const dataLen = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') metadata = parseMetadata(v);
    else entries.push(parseEntry(name, v, dataLen));
  }
  checkCoverage(entries, dataLen);
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    const data = decodeSafeData(e.dtype, bytes.subarray(dataStart + e.begin, dataStart + e.end));
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

function encode(name: string, t: SafeTensor): Uint8Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) {
    throw new SafetensorsError(
      `tensor '${name}': ${t.data.length} values for shape [${t.shape.join(',')}]`,
    );
  }
  if (t.dtype === 'F16' || t.dtype === 'BF16') {
    const conv = t.dtype === 'F16' ? floatToHalf : floatToBf16;
    const h = new Uint16Array(n);
    for (let i = 0; i < n; i++) h[i] = conv(Number(t.data[i]));
    return new Uint8Array(h.buffer);
  }
  if (t.data.BYTES_PER_ELEMENT !== SAFE_DTYPE_BYTES[t.dtype]) {
    throw new SafetensorsError(
      `tensor '${name}': ${t.data.constructor.name} does not hold dtype ${t.dtype}`,
    );
  }
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Serialises tensors (sorted by name) and optional string metadata; header padded to 8 bytes. */
export function writeSafetensors(
  tensors: ReadonlyMap<string, SafeTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = parseMetadata(metadata);
  const names = [...tensors.keys()].sort();
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    if (!isDtype(t.dtype))
      throw new SafetensorsError(`tensor '${name}': unsupported dtype ${JSON.stringify(t.dtype)}`);
    const bytes = encode(name, t);
    header[name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: [offset, offset + bytes.length],
    };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length)
    json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}
