/**
 * Choosing power-of-two exponents (binary points) for fixed point, per tensor or per output
 * channel:
 * - 'sigmamax' (the seed's): bp = bits − 1 − ceil(log2(|mean| + λ·std)) (sigma-max.ts);
 * - 'mse': the bp that minimises Σ (q(x) − x)² over the values (the "minimum squared error"
 *   clipping choice of e.g. Banner et al. 2019 / Nagel et al. 2021 §3.4, restricted to powers of
 *   two). Search: bp_nc = the largest bp at which nothing clips; every bp below it is no better
 *   (the coarser grid is a subset of the finer one and nothing clips either way), so the search
 *   runs over [bp_nc, bp_nc + 32] (∩ [−126, 126]); ties go to the smallest bp (the most range).
 *   A test checks this against a brute-force search over every bp in [−126, 126].
 * Per channel: weights are stored channel-last in the IR (conv2d [kh, kw, in, out], depthwise
 * [kh, kw, C, 1], dense [in, out], BN [C]), so element i belongs to channel i mod C.
 */
import type { QuantMethod } from '../../recipe';
import {
  checkBinaryPoint,
  levelRange,
  MAX_ABS_BINARY_POINT,
  sigmaMaxBinaryPoint,
  tensorStats,
} from './sigma-max';
import { roundHalfEven } from '../../util/round-half-even';

/** How far above the no-clip binary point the MSE search looks. */
export const MSE_SEARCH_SPAN = 32;

export interface ExponentChoice {
  bits: number;
  method: QuantMethod;
  /** SigmaMax λ (used by 'sigmamax'). */
  lambda: number;
}

/** Smallest and largest value (each clamped to include 0). */
export interface ValueRange {
  min: number;
  max: number;
}

function rangeOf(data: Float32Array): ValueRange {
  let min = 0;
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Nothing clips at bp: max·2^bp ≤ 2^(bits−1) − 1 and min·2^bp ≥ −2^(bits−1). */
function fits(r: ValueRange, bits: number, bp: number): boolean {
  const [lo, hi] = levelRange(bits);
  return r.max * 2 ** bp <= hi && r.min * 2 ** bp >= lo;
}

/** The largest bp in [−126, 126] at which nothing clips (−126 if none fits). */
export function noClipBinaryPoint(r: ValueRange, bits: number): number {
  const a = Math.max(r.max, -r.min);
  if (!(a > 0)) return bits - 1;
  let bp = Math.min(
    MAX_ABS_BINARY_POINT,
    Math.max(-MAX_ABS_BINARY_POINT, bits - 1 - Math.ceil(Math.log2(a))),
  );
  while (bp < MAX_ABS_BINARY_POINT && fits(r, bits, bp + 1)) bp++;
  while (bp > -MAX_ABS_BINARY_POINT && !fits(r, bits, bp)) bp--;
  return bp;
}

/** Σ (q(x) − x)² at binary point bp, in float64 (q as quantizeValues computes it). */
export function squaredError(data: Float32Array, bits: number, bp: number): number {
  return levelError(data, levelRange(bits), bp);
}

/** Σ (q(x) − x)² with integer levels [lo, hi] at binary point bp. */
function levelError(data: Float32Array, [lo, hi]: [number, number], bp: number): number {
  checkBinaryPoint(bp);
  const up = 2 ** bp;
  const down = 2 ** -bp;
  let err = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i]!;
    const d = roundHalfEven(Math.min(hi, Math.max(lo, x * up))) * down - x;
    err += d * d;
  }
  return err;
}

/**
 * The binary point minimising the squared error of `data` (see the header). For activations
 * `data` is a strided sample: it holds outliers in proportion, which is what the error weighs.
 */
export function mseBinaryPoint(data: Float32Array, bits: number): number {
  levelRange(bits);
  const r = rangeOf(data);
  if (r.min === 0 && r.max === 0) return bits - 1;
  const start = noClipBinaryPoint(r, bits);
  const end = Math.min(MAX_ABS_BINARY_POINT, start + MSE_SEARCH_SPAN);
  let best = start;
  let bestErr = squaredError(data, bits, start);
  for (let bp = start + 1; bp <= end; bp++) {
    const e = squaredError(data, bits, bp);
    if (e < bestErr) {
      bestErr = e;
      best = bp;
    }
  }
  return best;
}

/** The binary point of one tensor (or channel) by the chosen method. */
export function chooseBinaryPoint(data: Float32Array, c: ExponentChoice): number {
  if (c.method === 'mse') return mseBinaryPoint(data, c.bits);
  if (c.method !== 'sigmamax')
    throw new Error(`quantMethod must be 'sigmamax' or 'mse', got ${String(c.method)}`);
  const { mean, std } = tensorStats(data);
  return sigmaMaxBinaryPoint(mean, std, c.bits, c.lambda);
}

/** The values of channel c (elements c, c + C, c + 2C, …). */
export function channelValues(data: Float32Array, channels: number, c: number): Float32Array {
  const out = new Float32Array(data.length / channels);
  for (let i = c, j = 0; i < data.length; i += channels, j++) out[j] = data[i]!;
  return out;
}

function checkChannels(n: number, channels: number): void {
  if (!Number.isInteger(channels) || channels < 1 || n % channels !== 0) {
    throw new Error(`per-channel quantization: ${n} values do not split into ${channels} channels`);
  }
}

/** One binary point per channel (element i in channel i mod C). */
export function channelBinaryPoints(
  data: Float32Array,
  channels: number,
  c: ExponentChoice,
): number[] {
  checkChannels(data.length, channels);
  const out: number[] = [];
  for (let ch = 0; ch < channels; ch++)
    out.push(chooseBinaryPoint(channelValues(data, channels, ch), c));
  return out;
}

/** q(x) with channel i mod C at bps[i mod C] (a new array). */
export function quantizeChannels(
  data: Float32Array,
  bits: number,
  bps: readonly number[],
): Float32Array {
  const [lo, hi] = levelRange(bits);
  const channels = bps.length;
  checkChannels(data.length, channels);
  const up = bps.map((bp) => {
    checkBinaryPoint(bp);
    return 2 ** bp;
  });
  const down = bps.map((bp) => 2 ** -bp);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = i % channels;
    out[i] = roundHalfEven(Math.min(hi, Math.max(lo, data[i]! * up[c]!))) * down[c]!;
  }
  return out;
}

/** A binary point with a zero point: unsigned codes u ∈ [0, 2^bits − 1], value (u − z)·2^−bp. */
export interface AsymmetricQuant {
  bp: number;
  zeroPoint: number;
}

/** The smallest zero point that keeps `min` unclipped at bp (at most 2^bits − 1). */
export function zeroPointFor(min: number, bits: number, bp: number): number {
  const z = min < 0 ? Math.ceil(-min * 2 ** bp) : 0;
  return Math.min(2 ** bits - 1, z);
}

function asymmetricLevels(min: number, bits: number, bp: number): [number, number] {
  const z = zeroPointFor(min, bits, bp);
  return [-z, 2 ** bits - 1 - z];
}

/**
 * The (bp, zero point) minimising the squared error, the zero point placing the smallest value
 * at the bottom of the unsigned range (zeroPointFor): as mseBinaryPoint, the search starts at the
 * largest bp at which nothing clips and runs MSE_SEARCH_SPAN above it; ties to the smallest bp.
 * An activation that is ≥ −0.28 (swish) gets almost twice the resolution of the signed range.
 */
export function mseAsymmetric(data: Float32Array, bits: number): AsymmetricQuant {
  levelRange(bits);
  const r = rangeOf(data);
  if (r.min === 0 && r.max === 0) return { bp: bits - 1, zeroPoint: 0 };
  const fitsAt = (bp: number) => {
    const [lo, hi] = asymmetricLevels(r.min, bits, bp);
    return r.max * 2 ** bp <= hi && r.min * 2 ** bp >= lo;
  };
  let start = noClipBinaryPoint(r, bits);
  while (start < MAX_ABS_BINARY_POINT && fitsAt(start + 1)) start++;
  const end = Math.min(MAX_ABS_BINARY_POINT, start + MSE_SEARCH_SPAN);
  let best = start;
  let bestErr = levelError(data, asymmetricLevels(r.min, bits, start), start);
  for (let bp = start + 1; bp <= end; bp++) {
    const e = levelError(data, asymmetricLevels(r.min, bits, bp), bp);
    if (e < bestErr) [best, bestErr] = [bp, e];
  }
  return { bp: best, zeroPoint: zeroPointFor(r.min, bits, best) };
}

/** Σ (q(x) − x)² of the asymmetric quantizer (bp, zero point). */
export function asymmetricError(data: Float32Array, bits: number, q: AsymmetricQuant): number {
  return levelError(data, [-q.zeroPoint, 2 ** bits - 1 - q.zeroPoint], q.bp);
}
