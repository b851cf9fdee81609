/**
 * "SigmaMax" signed fixed point (the seed's quantizer, mhariat/MicroNet
 * Quantization/nn/quantization/sigmamax.py): one power-of-two exponent per tensor.
 *   f_max = |mean| + λ·std            (over the tensor's values; std unbiased, as torch.std)
 *   M     = ceil(log2 f_max)          (exact: 2^(M−1) < f_max ≤ 2^M)
 *   bp    = bits − 1 − M              (binary point)
 *   q(x)  = round(clamp(x·2^bp, −2^(bits−1), 2^(bits−1) − 1)) · 2^−bp
 * Decisions:
 * - round = half to even (torch.round, which the seed uses, and tf.round on every tfjs backend);
 *   a tie is exact here because x·2^bp only shifts the exponent of a float32.
 * - f_max = 0 (an all-zero tensor) → M = 0, so bp = bits − 1 (every value quantizes to 0 anyway;
 *   the seed's log2(f_max + 1e-12) would give bp = bits + 38, same values).
 * - std of a single value is 0 (torch gives NaN; the seed special-cases it too).
 * - f_max = 2^M exactly gives that M, so the largest level (2^(bits−1) − 1)·2^−bp = 2^M − 2^−bp
 *   lies just below f_max; values above it clamp.
 * - bp must stay in [−126, 126] so 2^±bp are normal float32 numbers (else an error).
 */
import { roundHalfEven } from '../../util/round-half-even';

export interface TensorStats {
  mean: number;
  /** Unbiased (÷(n − 1)), 0 for n = 1. */
  std: number;
}

export const MAX_ABS_BINARY_POINT = 126;

/** Throws unless bits is an integer in 2–16 (32 = "not quantized" is the caller's business). */
export function checkQuantBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new Error(`quantization bits must be an integer in 2–16, got ${bits}`);
  }
}

export function checkBinaryPoint(bp: number): void {
  if (!Number.isInteger(bp) || Math.abs(bp) > MAX_ABS_BINARY_POINT) {
    throw new Error(
      `binary point must be an integer in [−${MAX_ABS_BINARY_POINT}, ${MAX_ABS_BINARY_POINT}], got ${bp}`,
    );
  }
}

/** Smallest integer M with f ≤ 2^M, for f > 0 (Math.log2 corrected at powers of two). */
export function ceilLog2(f: number): number {
  if (!(f > 0) || !Number.isFinite(f)) throw new Error(`ceilLog2 needs a finite f > 0, got ${f}`);
  let m = Math.ceil(Math.log2(f)) + 0; // + 0: no −0
  if (2 ** (m - 1) >= f) m -= 1;
  else if (2 ** m < f) m += 1;
  return m;
}

/** Binary point bp = bits − 1 − ceil(log2(|mean| + λ·std)); see the header for f_max = 0. */
export function sigmaMaxBinaryPoint(
  mean: number,
  std: number,
  bits: number,
  lambda: number,
): number {
  checkQuantBits(bits);
  if (!Number.isFinite(mean)) throw new Error(`sigmaMax: mean must be finite, got ${mean}`);
  if (!(std >= 0) || !Number.isFinite(std))
    throw new Error(`sigmaMax: std must be finite and ≥ 0, got ${std}`);
  if (!(lambda > 0) || !Number.isFinite(lambda))
    throw new Error(`sigmaMax: lambda must be finite and > 0, got ${lambda}`);
  const fMax = Math.abs(mean) + lambda * std;
  const m = fMax === 0 ? 0 : ceilLog2(fMax);
  const bp = bits - 1 - m;
  if (Math.abs(bp) > MAX_ABS_BINARY_POINT) {
    throw new Error(
      `sigmaMax: f_max ${fMax} gives binary point ${bp}, outside [−${MAX_ABS_BINARY_POINT}, ${MAX_ABS_BINARY_POINT}]`,
    );
  }
  return bp;
}

/** Mean and unbiased std of the values (two passes, float64 sums). */
export function tensorStats(data: Float32Array): TensorStats {
  const n = data.length;
  if (n === 0) throw new Error('tensorStats: empty tensor');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += data[i]!;
  const mean = sum / n;
  if (n === 1) return { mean, std: 0 };
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = data[i]! - mean;
    sq += d * d;
  }
  return { mean, std: Math.sqrt(sq / (n - 1)) };
}

/** Integer levels [−2^(bits−1), 2^(bits−1) − 1]. */
export function levelRange(bits: number): [number, number] {
  checkQuantBits(bits);
  const half = 2 ** (bits - 1);
  return [-half, half - 1];
}

/** q(x) for every value (a new array); each result is k·2^−bp with k an integer in range. */
export function quantizeValues(data: Float32Array, bits: number, bp: number): Float32Array {
  const [lo, hi] = levelRange(bits);
  checkBinaryPoint(bp);
  const up = 2 ** bp;
  const down = 2 ** -bp;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const y = Math.min(hi, Math.max(lo, data[i]! * up));
    out[i] = roundHalfEven(y) * down;
  }
  return out;
}
