/**
 * Strided PyTorch tensor → contiguous SafeTensor. A torch tensor is a view (storage offset,
 * shape, stride — all in elements) into a storage; element (i0..ik) lives at
 * offset + Σ i_j·stride_j. Views that are already row-major contiguous are sliced; any other
 * (transposed, strided, expanded with stride 0) is gathered element by element. Every index is
 * checked against the storage before anything is copied.
 */
import { decodeSafeData, SAFE_DTYPE_BYTES, type SafeTensor } from './safetensors';
import type { TorchTensorRef } from './torch-globals';

export class TorchTensorError extends Error {
  override name = 'TorchTensorError';
}

/** Refuse to materialize a single tensor larger than this (default 1 GiB). */
export const MAX_TENSOR_BYTES = 2 ** 30;

function checkedNumel(name: string, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER)
      throw new TorchTensorError(`'${name}': shape [${shape.join(',')}] overflows`);
  }
  return n;
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i]! !== 1 && stride[i]! !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

/** Copies elements of `elem` bytes from `src` (element indices via shape/stride) into a new buffer. */
function gather(
  src: Uint8Array,
  base: number,
  shape: readonly number[],
  stride: readonly number[],
  numel: number,
  elem: number,
): Uint8Array {
  const out = new Uint8Array(numel * elem);
  const idx = new Array<number>(shape.length).fill(0);
  let s = base;
  for (let o = 0; o < numel; o++) {
    out.set(src.subarray(s * elem, (s + 1) * elem), o * elem);
    for (let j = shape.length - 1; j >= 0; j--) {
      if (++idx[j]! < shape[j]!) {
        s += stride[j]!;
        break;
      }
      s -= (idx[j]! - 1) * stride[j]!;
      idx[j] = 0;
    }
  }
  return out;
}

/**
 * The tensor's values, contiguous, decoded. `storage` holds the root storage's little-endian
 * bytes (at least root numel × element size).
 */
export function materializeTensor(
  name: string,
  t: TorchTensorRef,
  storage: Uint8Array,
  maxBytes = MAX_TENSOR_BYTES,
): SafeTensor {
  const { dtype, numel: rootNumel, view } = t.storage;
  const elem = SAFE_DTYPE_BYTES[dtype];
  if (storage.length < rootNumel * elem)
    throw new TorchTensorError(
      `'${name}': storage '${t.storage.key}' has ${storage.length} bytes, needs ${rootNumel} × ${elem}`,
    );
  const viewStart = view?.offset ?? 0;
  const capacity = view?.numel ?? rootNumel;
  if (viewStart + capacity > rootNumel)
    throw new TorchTensorError(
      `'${name}': storage view [${viewStart}, +${capacity}) exceeds its root's ${rootNumel} elements`,
    );
  const numel = checkedNumel(name, t.shape);
  if (numel * elem > maxBytes)
    throw new TorchTensorError(
      `'${name}': ${numel} × ${elem} bytes exceeds the ${maxBytes}-byte limit`,
    );
  let last = t.offset;
  for (let i = 0; i < t.shape.length; i++) last += (t.shape[i]! - 1) * t.stride[i]!;
  if (numel > 0 && last >= capacity)
    throw new TorchTensorError(
      `'${name}': view (offset ${t.offset}, shape [${t.shape.join(',')}], stride [${t.stride.join(',')}]) ` +
        `reaches element ${last} of a ${capacity}-element storage`,
    );
  const base = viewStart + t.offset;
  const bytes = isContiguous(t.shape, t.stride)
    ? storage.subarray(base * elem, (base + numel) * elem)
    : gather(storage, base, t.shape, t.stride, numel, elem);
  return { dtype, shape: [...t.shape], data: decodeSafeData(dtype, bytes) };
}
