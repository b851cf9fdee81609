/**
 * One tensor ↔ its payload bytes in the compressed checkpoint (docs/COMPRESSED_FORMAT.md):
 * [mask: ⌈n/8⌉ bytes, 1 bit per element LSB-first — sparse only] [per-channel exponents: C
 * int8 binary points — per-channel int only] [values of the stored elements in index order: int
 * codes bit-packed at `bits` (two's complement), or IEEE float16 / float32 little-endian].
 * Element i of a per-channel tensor is in channel i mod C (channel-last layouts). Exact: decode(encode(t)) gives the same float32 values (int codes lose only
 * the sign of a zero).
 */
import type { TensorData } from '../../graph/ir';
import type { TensorQuant } from './quant-params';
import { floatToHalf, halfToFloat } from '../float16';
import { packSigned, packUnsigned, unpackSigned } from './bit-pack';
import { tensorBytes, type TensorDtype, type TensorLayout } from './format';

export interface EncodedTensor {
  layout: TensorLayout;
  bytes: Uint8Array;
}

/** Indices of the stored elements: all (no mask) or where mask = 1; checks pruned ones are 0. */
function storedIndices(name: string, data: Float32Array, mask: Uint8Array | undefined): number[] {
  if (!mask) return Array.from(data, (_, i) => i);
  if (mask.length !== data.length) {
    throw new Error(`'${name}': mask has ${mask.length} entries for ${data.length} values`);
  }
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (mask[i] === 1) out.push(i);
    else if (mask[i] !== 0) throw new Error(`'${name}': mask entry ${i} is ${mask[i]}, not 0 or 1`);
    else if (data[i] !== 0) {
      throw new Error(`'${name}': value ${data[i]} at pruned index ${i} (mask 0) is not 0`);
    }
  }
  return out;
}

/** Binary point of element i: the tensor's, or its channel's (i mod C). */
function bpAt(q: TensorQuant, i: number): number {
  const c = q.channelBp;
  return c ? c[i % c.length]! : q.bp;
}

function checkChannelBp(name: string, size: number, q: TensorQuant): void {
  const c = q.channelBp;
  if (!c) return;
  if (c.length === 0 || size % c.length !== 0) {
    throw new Error(`'${name}': ${c.length} channel exponents for ${size} values`);
  }
  const bad = c.find((bp) => !(Number.isInteger(bp) && Math.abs(bp) <= 126));
  if (bad !== undefined)
    throw new Error(`'${name}': channel binary point ${bad} is not in [−126, 126]`);
}

/** Integer codes k = v·2^bp of the stored elements; every value must be on the grid and in range. */
function codesOf(name: string, data: Float32Array, idx: number[], q: TensorQuant): Int32Array {
  checkChannelBp(name, data.length, q);
  const half = 2 ** (q.bits - 1);
  const out = new Int32Array(idx.length);
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j]!;
    const bp = bpAt(q, i);
    const k = data[i]! * 2 ** bp;
    if (!(Number.isInteger(k) && k >= -half && k <= half - 1)) {
      throw new Error(
        `'${name}': value ${data[i]} is not k·2^−${bp} with k an integer in [${-half}, ${half - 1}] (${q.bits} bits)`,
      );
    }
    out[j] = k;
  }
  return out;
}

function floatBytes(name: string, values: Float32Array, dtype: TensorDtype): Uint8Array {
  const width = dtype === 'float16' ? 2 : 4;
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (width === 4) {
      view.setFloat32(4 * i, v, true);
      continue;
    }
    const h = floatToHalf(v);
    if (!Object.is(halfToFloat(h), v) && !(Number.isNaN(v) && Number.isNaN(halfToFloat(h)))) {
      throw new Error(
        `'${name}': value ${v} at stored index ${i} is not a float16 value (round the weights to float16 first)`,
      );
    }
    view.setUint16(2 * i, h, true);
  }
  return out;
}

function hasZero(mask: Uint8Array | undefined): mask is Uint8Array {
  return mask !== undefined && mask.includes(0);
}

/**
 * Payload of one tensor: int codes when `quant` is given, else floats of `float` width; sparse
 * when `mask` has a zero (see CompressedModelData.masks).
 */
export function encodeTensor(
  name: string,
  t: TensorData,
  quant: TensorQuant | undefined,
  mask: Uint8Array | undefined,
  float: 'float16' | 'float32',
): EncodedTensor {
  const sparse = hasZero(mask);
  const idx = storedIndices(name, t.data, sparse ? mask : undefined);
  const dtype: TensorDtype = quant ? 'int' : float;
  const bits = quant ? quant.bits : float === 'float16' ? 16 : 32;
  const valueBytes = quant
    ? packSigned(codesOf(name, t.data, idx, quant), quant.bits)
    : floatBytes(
        name,
        Float32Array.from(idx, (i) => t.data[i]!),
        float,
      );
  const maskBytes = sparse ? packUnsigned(mask, 1) : new Uint8Array(0);
  const exps = Int8Array.from(quant?.channelBp ?? []);
  const bytes = new Uint8Array(maskBytes.length + exps.length + valueBytes.length);
  bytes.set(maskBytes, 0);
  bytes.set(new Uint8Array(exps.buffer), maskBytes.length);
  bytes.set(valueBytes, maskBytes.length + exps.length);
  const layout: TensorLayout = {
    name,
    shape: [...t.shape],
    encoding: sparse ? 'sparse' : 'dense',
    dtype,
    bits,
    bp: quant ? quant.bp : null,
    nnz: idx.length,
    bytes: bytes.length,
    channels: exps.length,
  };
  const want = tensorBytes(layout.encoding, t.data.length, bits, idx.length, exps.length);
  if (layout.bytes !== want) {
    throw new Error(`'${name}': encoded ${layout.bytes} bytes, layout rule disagrees`);
  }
  return { layout, bytes };
}

/** Stored values; int codes scaled by 2^−bp of the element each lands on (idx: its index). */
function decodeValues(
  row: TensorLayout,
  bytes: Uint8Array,
  idx: (j: number) => number,
  channelBp: Int8Array | undefined,
): Float32Array {
  if (row.dtype === 'int') {
    const codes = unpackSigned(bytes, row.bits, row.nnz);
    if (!channelBp) {
      const down = 2 ** -row.bp!;
      return Float32Array.from(codes, (k) => k * down);
    }
    const c = channelBp.length;
    return Float32Array.from(codes, (k, j) => k * 2 ** -channelBp[idx(j) % c]!);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(row.nnz);
  for (let i = 0; i < row.nnz; i++) {
    out[i] =
      row.dtype === 'float16'
        ? halfToFloat(view.getUint16(2 * i, true))
        : view.getFloat32(4 * i, true);
  }
  return out;
}

/**
 * Values (and mask, when sparse) of a tensor from its payload bytes (exactly row.bytes long;
 * the row already checked). Throws a plain Error when the mask's count disagrees with nnz.
 */
export function decodeTensor(
  row: TensorLayout,
  bytes: Uint8Array,
): { data: Float32Array; mask?: Uint8Array } {
  const size = row.shape.reduce((a, b) => a * b, 1);
  const maskLen = row.encoding === 'sparse' ? Math.ceil(size / 8) : 0;
  const channelBp = channelExponents(row, size, bytes.subarray(maskLen, maskLen + row.channels));
  const values = bytes.subarray(maskLen + row.channels);
  if (row.encoding === 'dense') {
    return { data: decodeValues(row, values, (j) => j, channelBp) };
  }
  // 1-bit fields, LSB first: element i is bit (i mod 8) of byte ⌊i/8⌋ (one byte per element out).
  const mask = new Uint8Array(size);
  let count = 0;
  for (let i = 0; i < size; i++) count += mask[i] = (bytes[i >> 3]! >> (i & 7)) & 1;
  if (count !== row.nnz) {
    throw new Error(`'${row.name}': mask keeps ${count} values, the table says ${row.nnz}`);
  }
  const kept: number[] = [];
  for (let i = 0; i < size; i++) if (mask[i] === 1) kept.push(i);
  const decoded = decodeValues(row, values, (j) => kept[j]!, channelBp);
  const data = new Float32Array(size);
  for (let j = 0; j < kept.length; j++) data[kept[j]!] = decoded[j]!;
  return { data, mask };
}

/** The per-channel binary points of an int row (undefined when it has one exponent). */
function channelExponents(
  row: TensorLayout,
  size: number,
  bytes: Uint8Array,
): Int8Array | undefined {
  if (row.channels === 0) return undefined;
  if (row.dtype !== 'int' || size % row.channels !== 0) {
    throw new Error(
      `'${row.name}': ${row.channels} channel exponents for ${size} ${row.dtype} values`,
    );
  }
  const bps = new Int8Array(bytes.buffer, bytes.byteOffset, row.channels).slice();
  const bad = bps.find((bp) => Math.abs(bp) > 126);
  if (bad !== undefined)
    throw new Error(`'${row.name}': channel binary point ${bad} is not in [−126, 126]`);
  return bps;
}

/** The tensor's quantizer as stored (int rows only). */
export function storedQuant(row: TensorLayout, bytes: Uint8Array): TensorQuant {
  const size = row.shape.reduce((a, b) => a * b, 1);
  const maskLen = row.encoding === 'sparse' ? Math.ceil(size / 8) : 0;
  const c = channelExponents(row, size, bytes.subarray(maskLen, maskLen + row.channels));
  return c ? { bits: row.bits, bp: row.bp!, channelBp: [...c] } : { bits: row.bits, bp: row.bp! };
}
