/**
 * One tensor ↔ its payload bytes in the compressed checkpoint (docs/COMPRESSED_FORMAT.md):
 * [mask: ⌈n/8⌉ bytes, 1 bit per element LSB-first — sparse only] [values of the stored elements
 * in index order: int codes bit-packed at `bits` (two's complement), or IEEE float16 / float32
 * little-endian]. Exact: decode(encode(t)) gives the same float32 values (int codes lose only
 * the sign of a zero).
 */
import type { TensorData } from '../../graph/ir';
import type { TensorQuant } from '../../compress/quant/quantize-weights';
import { floatToHalf, halfToFloat } from '../float16';
import { packSigned, packUnsigned, unpackSigned } from './bit-pack';
import { tensorBytes, type TensorDtype, type TensorLayout } from './format';

export interface EncodedTensor {
  layout: TensorLayout;
  bytes: Uint8Array;
}

/** The stored values: all (no mask) or those where mask = 1; checks pruned entries are 0. */
function storedValues(
  name: string,
  data: Float32Array,
  mask: Uint8Array | undefined,
): Float32Array {
  if (!mask) return data;
  if (mask.length !== data.length) {
    throw new Error(`'${name}': mask has ${mask.length} entries for ${data.length} values`);
  }
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (mask[i] === 1) out.push(data[i]!);
    else if (mask[i] !== 0) throw new Error(`'${name}': mask entry ${i} is ${mask[i]}, not 0 or 1`);
    else if (data[i] !== 0) {
      throw new Error(`'${name}': value ${data[i]} at pruned index ${i} (mask 0) is not 0`);
    }
  }
  return Float32Array.from(out);
}

/** Integer codes k = v·2^bp; every value must be on the grid and in range. */
function codesOf(name: string, values: Float32Array, q: TensorQuant): Int32Array {
  const up = 2 ** q.bp;
  const half = 2 ** (q.bits - 1);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = values[i]! * up;
    if (!(Number.isInteger(k) && k >= -half && k <= half - 1)) {
      throw new Error(
        `'${name}': value ${values[i]} is not k·2^−${q.bp} with k an integer in [${-half}, ${half - 1}] (${q.bits} bits)`,
      );
    }
    out[i] = k;
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
  const values = storedValues(name, t.data, sparse ? mask : undefined);
  const dtype: TensorDtype = quant ? 'int' : float;
  const bits = quant ? quant.bits : float === 'float16' ? 16 : 32;
  const valueBytes = quant
    ? packSigned(codesOf(name, values, quant), quant.bits)
    : floatBytes(name, values, float);
  const maskBytes = sparse ? packUnsigned(mask, 1) : new Uint8Array(0);
  const bytes = new Uint8Array(maskBytes.length + valueBytes.length);
  bytes.set(maskBytes, 0);
  bytes.set(valueBytes, maskBytes.length);
  const layout: TensorLayout = {
    name,
    shape: [...t.shape],
    encoding: sparse ? 'sparse' : 'dense',
    dtype,
    bits,
    bp: quant ? quant.bp : null,
    nnz: values.length,
    bytes: bytes.length,
  };
  if (layout.bytes !== tensorBytes(layout.encoding, t.data.length, bits, values.length)) {
    throw new Error(`'${name}': encoded ${layout.bytes} bytes, layout rule disagrees`);
  }
  return { layout, bytes };
}

function decodeValues(row: TensorLayout, bytes: Uint8Array): Float32Array {
  if (row.dtype === 'int') {
    const codes = unpackSigned(bytes, row.bits, row.nnz);
    const down = 2 ** -row.bp!;
    return Float32Array.from(codes, (k) => k * down);
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
  if (row.encoding === 'dense') return { data: decodeValues(row, bytes) };
  const maskLen = Math.ceil(size / 8);
  // 1-bit fields, LSB first: element i is bit (i mod 8) of byte ⌊i/8⌋ (one byte per element out).
  const mask = new Uint8Array(size);
  let kept = 0;
  for (let i = 0; i < size; i++) kept += mask[i] = (bytes[i >> 3]! >> (i & 7)) & 1;
  if (kept !== row.nnz) {
    throw new Error(`'${row.name}': mask keeps ${kept} values, the table says ${row.nnz}`);
  }
  const values = decodeValues(row, bytes.subarray(maskLen));
  const data = new Float32Array(size);
  for (let i = 0, j = 0; i < size; i++) if (mask[i] === 1) data[i] = values[j++]!;
  return { data, mask };
}
