/**
 * |w| as integers: for non-negative IEEE-754 float32 values the bit pattern orders exactly like
 * the value, so magnitudes are compared, counted and selected as uint32 (sign bit cleared).
 * selectKth is a two-pass MSD radix select (16 + 16 bits, 65,536-bucket histograms): two linear
 * passes instead of a sort, so ~26M weights take well under a second.
 */

const ABS = 0x7fffffff;
const INF_BITS = 0x7f800000;
const BUCKETS = 1 << 16;

/** The float32 bit patterns of `a` (a view, no copy); read them through absBits(). */
export function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** |x|'s bit pattern from a raw float32 bit pattern (0 for ±0). */
export function absBits(raw: number): number {
  return raw & ABS;
}

/** Non-zero entries of a layer; throws on NaN / ±Infinity, naming the layer and index. */
export function countNonZero(bits: Uint32Array, layer: string): number {
  let nz = 0;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]! & ABS;
    if (b >= INF_BITS) {
      throw new Error(`sparsity: '${layer}.weight'[${i}] is not finite (bits 0x${b.toString(16)})`);
    }
    if (b !== 0) nz++;
  }
  return nz;
}

/** First bucket where the running count reaches `k` (1-based), and the count before it. */
function findBucket(hist: Uint32Array, k: number, before: number): [number, number] {
  let cum = before;
  for (let h = 0; h < hist.length; h++) {
    const c = hist[h]!;
    if (cum + c >= k) return [h, cum];
    cum += c;
  }
  throw new Error(`sparsity: asked for the ${k}-th smallest of only ${cum} non-zero magnitudes`);
}

/**
 * The k-th smallest (k ≥ 1) non-zero |w| over all `arrays` (raw float32 bits), as |w| bits,
 * and how many non-zero |w| are strictly smaller.
 */
export function selectKth(
  arrays: readonly Uint32Array[],
  k: number,
): { bits: number; less: number } {
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`selectKth: k must be an integer ≥ 1, got ${k}`);
  const hist = new Uint32Array(BUCKETS);
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const b = a[i]! & ABS;
      if (b !== 0) hist[b >>> 16]!++;
    }
  }
  const [high, lessHigh] = findBucket(hist, k, 0);
  hist.fill(0);
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const b = a[i]! & ABS;
      if (b !== 0 && b >>> 16 === high) hist[b & 0xffff]!++;
    }
  }
  const [low, less] = findBucket(hist, k, lessHigh);
  return { bits: ((high << 16) | low) >>> 0, less };
}

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;

/**
 * Sorts |w| bit patterns ascending (returns `a` or a same-length array): LSD radix sort with
 * three 11-bit passes (~4× faster than the built-in sort at 1M entries); the built-in sort for
 * short arrays.
 */
export function sortBits(a: Uint32Array): Uint32Array {
  if (a.length < 4096) return a.sort();
  let src: Uint32Array = a;
  let dst: Uint32Array = new Uint32Array(a.length);
  const count = new Uint32Array(RADIX);
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    count.fill(0);
    for (let i = 0; i < src.length; i++) count[(src[i]! >>> shift) & (RADIX - 1)]!++;
    let sum = 0;
    for (let b = 0; b < RADIX; b++) [count[b], sum] = [sum, sum + count[b]!];
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      dst[count[(v >>> shift) & (RADIX - 1)]!++] = v;
    }
    [src, dst] = [dst, src];
  }
  return src;
}
