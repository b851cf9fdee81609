/**
 * Reads a compressed checkpoint (docs/COMPRESSED_FORMAT.md, versions 1 and 2). Checks, in order: size,
 * magic, version, flags, recorded file length, header length, CRC-32 over everything before it,
 * the deflated JSON header (format, graph, recipe, activation quantizers, tensor table: every
 * stored tensor a parameter of the graph with the graph's shape, widths and byte counts
 * consistent, payload lengths adding up), then each tensor's mask against its count. Any
 * failure is a CompressedFormatError naming the file and what is wrong.
 */
import { inflateSync, strFromU8 } from 'fflate';
import type { Graph, Weights } from '../../graph/ir';
import { listParams } from '../../graph/params';
import { graphFromJSON } from '../../graph/serialize';
import type { ActivationQuant, TensorQuant } from './quant-params';
import { validateRecipe, type Recipe } from '../../recipe';
import { crc32 } from '../zip-reader';
import { MAX_PACK_BITS } from './bit-pack';
import {
  COMPRESSED_FORMAT,
  COMPRESSED_MAGIC,
  COMPRESSED_VERSIONS,
  CompressedFormatError,
  CRC_BYTES,
  FIXED_HEADER_BYTES,
  tensorBytes,
  tensorColumns,
  type ReadCompressed,
  type TensorDtype,
  type TensorLayout,
} from './format';
import { decodeTensor, storedQuant } from './tensor-codec';

/** Largest JSON header accepted (inflated), against corrupt lengths. */
const MAX_HEADER_RAW = 64 * 1024 * 1024;
const MAX_ABS_BP = 126;

/** True when the bytes start with the compressed checkpoint's magic "MNLC". */
export function isCompressedCheckpoint(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && COMPRESSED_MAGIC.every((b, i) => bytes[i] === b);
}

type Fail = (what: string) => never;

interface Fixed {
  headerBytes: number;
  headerRaw: number;
  version: number;
}

function checkFixed(bytes: Uint8Array, fail: Fail): Fixed {
  if (bytes.length < 4 && bytes.length > 0 && bytes.every((b, i) => b === COMPRESSED_MAGIC[i])) {
    fail(`truncated: ${bytes.length} bytes, only part of the magic "MNLC"`);
  }
  if (!isCompressedCheckpoint(bytes)) {
    const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    fail(
      `not a MicroNet Lab compressed checkpoint (first bytes ${head || 'none'}, expected "MNLC")`,
    );
  }
  const min = FIXED_HEADER_BYTES + CRC_BYTES;
  if (bytes.length < min)
    fail(`truncated: ${bytes.length} bytes, a compressed checkpoint has at least ${min}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (!COMPRESSED_VERSIONS.includes(version)) {
    fail(
      `unsupported format version ${version} (this reader knows versions ${COMPRESSED_VERSIONS.join(', ')})`,
    );
  }
  const flags = view.getUint16(6, true);
  if (flags !== 0) fail(`unknown flags 0x${flags.toString(16)} (version ${version} has none)`);
  const total = view.getUint32(8, true);
  if (total !== bytes.length) {
    fail(
      `length mismatch: the file records ${total} bytes but has ${bytes.length}` +
        (bytes.length < total ? ' (truncated)' : ' (trailing or missing data)'),
    );
  }
  const headerBytes = view.getUint32(12, true);
  const headerRaw = view.getUint32(16, true);
  if (FIXED_HEADER_BYTES + headerBytes + CRC_BYTES > total) {
    fail(`header length ${headerBytes} runs past the end of the ${total}-byte file`);
  }
  if (headerRaw > MAX_HEADER_RAW) fail(`header size ${headerRaw} exceeds ${MAX_HEADER_RAW} bytes`);
  // DEFLATE expands at most ~1032:1: a larger recorded size is a lie (and an allocation).
  if (headerRaw > 1032 * headerBytes + 64) {
    fail(`header size ${headerRaw} is more than ${headerBytes} deflated bytes can hold`);
  }
  const stored = view.getUint32(total - CRC_BYTES, true);
  const actual = crc32(bytes.subarray(0, total - CRC_BYTES));
  if (stored !== actual) {
    const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;
    fail(`checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)}): the file is corrupt`);
  }
  return { headerBytes, headerRaw, version };
}

function parseHeader(bytes: Uint8Array, f: Fixed, fail: Fail): Record<string, unknown> {
  let raw: Uint8Array;
  try {
    // One spare byte: fflate never grows `out`, so a longer header shows up as headerRaw + 1.
    raw = inflateSync(bytes.subarray(FIXED_HEADER_BYTES, FIXED_HEADER_BYTES + f.headerBytes), {
      out: new Uint8Array(f.headerRaw + 1),
    });
  } catch (e) {
    fail(`header does not inflate (${(e as Error).message})`);
  }
  if (raw.length !== f.headerRaw)
    fail(`header inflates to ${raw.length} bytes, recorded ${f.headerRaw}`);
  let h: unknown;
  try {
    h = JSON.parse(strFromU8(raw));
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof h !== 'object' || h === null || Array.isArray(h)) fail('header is not a JSON object');
  const o = h as Record<string, unknown>;
  if (o.format !== COMPRESSED_FORMAT)
    fail(`header format is ${JSON.stringify(o.format)}, expected "${COMPRESSED_FORMAT}"`);
  if (o.version !== f.version)
    fail(`header version ${JSON.stringify(o.version)} ≠ ${f.version} (the file's)`);
  return o;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function wrap<T>(what: string, fail: Fail, f: () => T): T {
  try {
    return f();
  } catch (e) {
    fail(`${what}: ${(e as Error).message}`);
  }
}

/** Checks one table row's types and internal consistency; returns it typed. */
function tensorRow(row: unknown, i: number, version: number, fail: Fail): TensorLayout {
  const columns = tensorColumns(version).length;
  if (!Array.isArray(row) || row.length !== columns) {
    fail(`tensor table row ${i} is not an array of ${columns} columns`);
  }
  const [name, shape, encoding, dtype, bits, bp, nnz, bytes, channelsIn] = row as unknown[];
  const channels = version === 1 ? 0 : channelsIn;
  const at = `tensor table row ${i} (${JSON.stringify(name)})`;
  if (typeof name !== 'string') fail(`${at}: name is not a string`);
  if (!Array.isArray(shape) || !shape.every((d) => isInt(d) && d > 0))
    fail(`${at}: bad shape ${JSON.stringify(shape)}`);
  if (encoding !== 'dense' && encoding !== 'sparse')
    fail(`${at}: encoding ${JSON.stringify(encoding)}`);
  const widths: Record<TensorDtype, (b: number) => boolean> = {
    int: (b) => b >= 1 && b <= MAX_PACK_BITS,
    float16: (b) => b === 16,
    float32: (b) => b === 32,
  };
  if (dtype !== 'int' && dtype !== 'float16' && dtype !== 'float32')
    fail(`${at}: dtype ${JSON.stringify(dtype)}`);
  if (!isInt(bits) || !widths[dtype](bits)) fail(`${at}: ${bits} bits for dtype ${dtype}`);
  if (dtype === 'int' ? !(isInt(bp) && Math.abs(bp) <= MAX_ABS_BP) : bp !== null) {
    fail(`${at}: binary point ${JSON.stringify(bp)} for dtype ${dtype}`);
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!isInt(nnz) || nnz < 0 || nnz > size || (encoding === 'dense' && nnz !== size)) {
    fail(`${at}: ${JSON.stringify(nnz)} stored values for ${size} elements (${encoding})`);
  }
  if (!isInt(channels) || channels < 0 || (channels > 0 && (dtype !== 'int' || size % channels)))
    fail(`${at}: ${JSON.stringify(channels)} channel exponents for ${size} ${dtype} values`);
  const want = tensorBytes(encoding, size, bits, nnz, channels);
  if (bytes !== want) fail(`${at}: ${JSON.stringify(bytes)} payload bytes, expected ${want}`);
  return {
    name,
    shape: shape as number[],
    encoding,
    dtype,
    bits,
    bp: bp as number | null,
    nnz,
    bytes: want,
    channels,
  };
}

/** Ops whose weight may be stored sparse (a 1-bit mask + kept codes). */
const SPARSE_OPS = new Set(['conv2d', 'depthwise2d', 'dense']);

/** Table rows against the graph: each a parameter with its shape, each parameter present
 * unless it is an implied running statistic of an eps-0 batch norm. */
function checkAgainstGraph(graph: Graph, rows: TensorLayout[], fail: Fail): Set<string> {
  const params = new Map(listParams(graph).map((p) => [p.name, p]));
  const seen = new Set<string>();
  for (const r of rows) {
    const p = params.get(r.name);
    if (!p) fail(`tensor '${r.name}' is not a parameter of graph '${graph.name}'`);
    if (seen.has(r.name)) fail(`tensor '${r.name}' is stored twice`);
    seen.add(r.name);
    const op = graph.nodes.find((n) => n.name === p.node)?.spec.op;
    if (r.encoding === 'sparse' && !(p.kind === 'weight' && SPARSE_OPS.has(op ?? ''))) {
      fail(
        `tensor '${r.name}' is stored sparse, but only conv/dense weights may be (biases and BN vectors are dense)`,
      );
    }
    if (p.shape.join() !== r.shape.join()) {
      fail(
        `tensor '${r.name}' has shape [${r.shape.join(',')}], the graph says [${p.shape.join(',')}]`,
      );
    }
  }
  const implied = new Set<string>();
  const nodes = new Map(graph.nodes.map((n) => [n.name, n]));
  for (const p of params.values()) {
    if (seen.has(p.name)) continue;
    const spec = nodes.get(p.node)!.spec;
    const ok =
      (p.kind === 'running_mean' || p.kind === 'running_var') &&
      spec.op === 'batchnorm' &&
      spec.eps === 0;
    if (!ok) fail(`parameter '${p.name}' of graph '${graph.name}' is not stored`);
    implied.add(p.name);
  }
  return implied;
}

function activationTable(
  v: unknown,
  graph: Graph,
  version: number,
  fail: Fail,
): Record<string, ActivationQuant> {
  if (!isPlain(v)) fail('header "activations" is not an object');
  const layers = new Set(
    graph.nodes
      .filter((n) => ['conv2d', 'depthwise2d', 'dense'].includes(n.spec.op))
      .map((n) => n.name),
  );
  const out: Record<string, ActivationQuant> = {};
  for (const [k, q] of Object.entries(v)) {
    const ok =
      layers.has(k) &&
      Array.isArray(q) &&
      (q.length === 4 ||
        (version > 1 && q.length === 5 && isInt(q[4]) && q[4] >= 0 && q[4] < 2 ** q[0])) &&
      isInt(q[0]) &&
      q[0] >= 2 &&
      q[0] <= 16 &&
      isInt(q[1]) &&
      Math.abs(q[1]) <= MAX_ABS_BP &&
      typeof q[2] === 'number' &&
      typeof q[3] === 'number';
    if (!ok)
      fail(
        `activation quantizer ${JSON.stringify(k)}: ${JSON.stringify(q)} is not [bits 2–16, bp, mean, std${version > 1 ? ', zero point?' : ''}] of a layer`,
      );
    const [bits, bp, mean, std, zeroPoint] = q as number[];
    out[k] = { bits: bits!, bp: bp!, mean: Math.fround(mean!), std: Math.fround(std!) };
    if (zeroPoint !== undefined) out[k].zeroPoint = zeroPoint;
  }
  return out;
}

/** Parses and checks the file; see the header for what is checked. */
export function readCompressed(
  bytes: Uint8Array,
  fileName = 'compressed checkpoint',
): ReadCompressed {
  const fail: Fail = (what) => {
    throw new CompressedFormatError(`${fileName}: ${what}`);
  };
  const fixed = checkFixed(bytes, fail);
  const h = parseHeader(bytes, fixed, fail);
  const graph = wrap('header graph', fail, () => graphFromJSON(h.graph));
  const recipe: Recipe = wrap('header recipe', fail, () => validateRecipe(h.recipe));
  if (!isPlain(h.info)) fail('header "info" is not an object');
  if (h.float !== 'float16' && h.float !== 'float32')
    fail(`header float ${JSON.stringify(h.float)}`);
  if (JSON.stringify(h.columns) !== JSON.stringify(tensorColumns(fixed.version)))
    fail(`tensor table columns ${JSON.stringify(h.columns)}`);
  if (!Array.isArray(h.tensors)) fail('header "tensors" is not an array');
  const rows = h.tensors.map((r, i) => tensorRow(r, i, fixed.version, fail));
  const implied = checkAgainstGraph(graph, rows, fail);
  const activationQuant = activationTable(h.activations, graph, fixed.version, fail);
  const headerBytes = FIXED_HEADER_BYTES + fixed.headerBytes;
  const payloadBytes = bytes.length - headerBytes - CRC_BYTES;
  const sum = rows.reduce((s, r) => s + r.bytes, 0);
  if (sum !== payloadBytes || h.payloadBytes !== payloadBytes) {
    fail(
      `payload is ${payloadBytes} bytes, the tensor table adds up to ${sum} (header says ${JSON.stringify(h.payloadBytes)})`,
    );
  }
  const weights: Weights = new Map();
  const weightQuant: Record<string, TensorQuant> = {};
  const masks: Record<string, Uint8Array> = {};
  let at = headerBytes;
  for (const r of rows) {
    const payload = bytes.subarray(at, at + r.bytes);
    const t = wrap(`tensor '${r.name}'`, fail, () => decodeTensor(r, payload));
    at += r.bytes;
    weights.set(r.name, { shape: [...r.shape], data: t.data });
    if (t.mask) masks[r.name] = t.mask;
    if (r.dtype === 'int') weightQuant[r.name] = storedQuant(r, payload);
  }
  const params = listParams(graph);
  for (const p of params) {
    if (!implied.has(p.name)) continue;
    const data = new Float32Array(p.shape[0]!).fill(p.kind === 'running_var' ? 1 : 0);
    weights.set(p.name, { shape: [...p.shape], data });
  }
  const ordered: Weights = new Map(params.map((p) => [p.name, weights.get(p.name)!]));
  return {
    graph,
    weights: ordered,
    weightQuant,
    activationQuant,
    masks,
    recipe,
    info: h.info,
    layout: {
      fileBytes: bytes.length,
      headerBytes,
      headerRawBytes: fixed.headerRaw,
      payloadBytes,
      tensors: rows,
    },
  };
}
