/**
 * Bit packing for the compressed checkpoint (docs/COMPRESSED_FORMAT.md): fixed-width fields
 * written LSB-first into bytes — value i occupies bits [i·w, (i+1)·w) of the stream, bit j of the
 * stream being bit (j mod 8) of byte ⌊j/8⌋ — so the last byte is padded with zero bits.
 * Signed codes use w-bit two's complement: range [−2^(w−1), 2^(w−1) − 1], which holds every
 * SigmaMax code at w bits (quant/sigma-max.ts clamps to exactly that range). w = 1..16 for
 * signed codes; unsigned fields (the 1-bit sparsity mask) use the same stream order.
 * In numpy: `np.unpackbits(buf, bitorder='little')` gives the stream's bits in order.
 */

export const MAX_PACK_BITS = 16;

function checkWidth(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > MAX_PACK_BITS) {
    throw new Error(`bit packing: width must be an integer in 1–${MAX_PACK_BITS}, got ${bits}`);
  }
}

/** Bytes that `count` fields of `bits` bits occupy. */
export function packedBytes(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

/** Range [lo, hi] of a `bits`-bit two's-complement code. */
export function signedRange(bits: number): [number, number] {
  checkWidth(bits);
  const half = 2 ** (bits - 1);
  return [-half, half - 1];
}

/** Packs unsigned fields (each an integer in [0, 2^bits − 1]) LSB-first. */
export function packUnsigned(values: ArrayLike<number>, bits: number): Uint8Array {
  checkWidth(bits);
  const n = values.length;
  const out = new Uint8Array(packedBytes(n, bits));
  const max = 2 ** bits - 1;
  let acc = 0; // < 2^(7 + 16): fits a 32-bit int
  let accBits = 0;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v <= max)) {
      throw new Error(`bit packing: value ${v} at index ${i} does not fit ${bits} unsigned bits`);
    }
    acc |= v << accBits;
    accBits += bits;
    while (accBits >= 8) {
      out[at++] = acc & 0xff;
      acc >>>= 8;
      accBits -= 8;
    }
  }
  if (accBits > 0) out[at] = acc & 0xff;
  return out;
}

/** Unpacks `count` unsigned `bits`-bit fields; `bytes` must hold at least packedBytes(count, bits). */
export function unpackUnsigned(bytes: Uint8Array, bits: number, count: number): Uint32Array {
  checkWidth(bits);
  const need = packedBytes(count, bits);
  if (bytes.length < need) {
    throw new Error(`bit packing: ${count} × ${bits} bits need ${need} bytes, got ${bytes.length}`);
  }
  const out = new Uint32Array(count);
  const mask = 2 ** bits - 1;
  let acc = 0;
  let accBits = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    while (accBits < bits) {
      acc |= bytes[at++]! << accBits;
      accBits += 8;
    }
    out[i] = acc & mask;
    acc >>>= bits;
    accBits -= bits;
  }
  return out;
}

/** Packs signed codes as `bits`-bit two's complement (each in signedRange(bits)). */
export function packSigned(codes: ArrayLike<number>, bits: number): Uint8Array {
  const [lo, hi] = signedRange(bits);
  const modulus = 2 ** bits;
  const u = new Uint32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i]!;
    if (!(Number.isInteger(k) && k >= lo && k <= hi)) {
      throw new Error(
        `bit packing: code ${k} at index ${i} is outside [${lo}, ${hi}] (${bits} bits)`,
      );
    }
    u[i] = k < 0 ? k + modulus : k;
  }
  return packUnsigned(u, bits);
}

/** Unpacks `count` signed `bits`-bit two's-complement codes. */
export function unpackSigned(bytes: Uint8Array, bits: number, count: number): Int32Array {
  const u = unpackUnsigned(bytes, bits, count);
  const half = 2 ** (bits - 1);
  const modulus = 2 ** bits;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = u[i]! >= half ? u[i]! - modulus : u[i]!;
  return out;
}
