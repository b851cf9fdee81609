/**
 * SigmaMax fixed point as tfjs ops ("fake quantization": values snapped to the grid k·2^−bp,
 * kept in float32), and its straight-through estimator for training (Bengio et al. 2013; the
 * clipped variant of Hubara et al. 2016 / Jacob et al. 2018): forward = quantize, backward = the
 * incoming gradient where x·2^bp lies inside the clamp range [−2^(bits−1), 2^(bits−1) − 1]
 * (bounds included), 0 outside. Same values as sigma-max.ts's quantizeValues: x·2^bp and k·2^−bp
 * are exact in float32 and tf.round is half to even on every tfjs backend.
 * Per output channel (quantize-weights.ts's 'channel' granularity): the IR stores weights
 * channel-last, so element i is in channel i mod C; the tensor is viewed as [−1, C] and each
 * column gets its own binary point (the STE mask then uses each channel's own clamp range).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkBinaryPoint, levelRange, MAX_ABS_BINARY_POINT } from './sigma-max';

/**
 * Integer levels of an activation quantizer: signed [−2^(bits−1), 2^(bits−1) − 1], or with a
 * zero point z (unsigned codes u ∈ [0, 2^bits − 1], value (u − z)·2^−bp) [−z, 2^bits − 1 − z].
 * z = 2^(bits−1) is the signed range.
 */
export function activationLevels(bits: number, zeroPoint?: number): [number, number] {
  const signed = levelRange(bits);
  if (zeroPoint === undefined) return signed;
  if (!Number.isInteger(zeroPoint) || zeroPoint < 0 || zeroPoint > 2 ** bits - 1)
    throw new Error(`zero point must be an integer in [0, ${2 ** bits - 1}], got ${zeroPoint}`);
  return [-zeroPoint, 2 ** bits - 1 - zeroPoint];
}

/**
 * x ↦ round(clamp(x·up, lo, hi))·down and the STE mask (1 inside [lo, hi], else 0). The mask is
 * clamp(s) = s: one comparison instead of s ≥ lo, s ≤ hi and their conjunction (on wasm those
 * three were a fifth of a QAT training step; docs/PERFORMANCE.md); the same for every s, ±∞ and
 * NaN (0) included.
 */
function quantize(
  x: tf.Tensor,
  up: number | tf.Tensor,
  down: number | tf.Tensor,
  [lo, hi]: [number, number],
): { value: tf.Tensor; mask: tf.Tensor } {
  const scaled = tf.mul(x, up);
  const clipped = tf.clipByValue(scaled, lo, hi);
  const value = tf.mul(tf.round(clipped), down);
  return { value, mask: tf.cast(tf.equal(clipped, scaled), 'float32') };
}

/**
 * q(x) = round(clamp(x·2^bp, lo, hi))·2^−bp, same shape as x; [lo, hi] the signed levels, or
 * [−z, 2^bits − 1 − z] with a zero point z (activationLevels).
 */
export function fakeQuant<T extends tf.Tensor>(
  x: T,
  bits: number,
  bp: number,
  zeroPoint?: number,
): T {
  const [lo, hi] = activationLevels(bits, zeroPoint);
  checkBinaryPoint(bp);
  return tf.tidy(() => tf.mul(tf.round(tf.clipByValue(tf.mul(x, 2 ** bp), lo, hi)), 2 ** -bp)) as T;
}

function checkChannels(x: tf.Tensor, channels: number | undefined): void {
  if (channels === undefined) return;
  if (!Number.isInteger(channels) || channels < 1 || x.size % channels !== 0)
    throw new Error(
      `per-channel fake quantization: [${x.shape}] does not split into ${channels} channels`,
    );
}

/**
 * One STE op: `scaleOf(x)` gives 2^bp (a number, or a tensor computed from x on the device: a
 * scalar, or [C] when `channels` is set, x then seen as [−1, C]).
 */
function steOp<T extends tf.Tensor>(
  x: T,
  levels: [number, number],
  scaleOf: (x: tf.Tensor) => { up: number | tf.Tensor; down: number | tf.Tensor },
  channels?: number,
): T {
  checkChannels(x, channels);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const view = channels === undefined ? input : tf.reshape(input, [-1, channels]);
    const { up, down } = scaleOf(view);
    const q = quantize(view, up, down, levels);
    const [value, mask] = [tf.reshape(q.value, input.shape), tf.reshape(q.mask, input.shape)];
    save([mask]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]!) };
  });
  return op(x) as T;
}

/** fakeQuant forward; backward passes dy where x·2^bp is inside the clamp range, else 0. */
export function fakeQuantSte<T extends tf.Tensor>(
  x: T,
  bits: number,
  bp: number,
  zeroPoint?: number,
): T {
  const levels = activationLevels(bits, zeroPoint);
  checkBinaryPoint(bp);
  return steOp(x, levels, () => ({ up: 2 ** bp, down: 2 ** -bp }));
}

/**
 * fakeQuantSte with one fixed binary point per channel (`bps[c]` for channel c = i mod C,
 * C = bps.length): the held exponents of QAT with least-squared-error exponents.
 */
export function fakeQuantSteChannels<T extends tf.Tensor>(
  x: T,
  bits: number,
  bps: readonly number[],
): T {
  const levels = levelRange(bits);
  bps.forEach(checkBinaryPoint);
  const up = bps.map((bp) => 2 ** bp);
  const down = bps.map((bp) => 2 ** -bp);
  const scales = () => ({ up: tf.tensor1d(up), down: tf.tensor1d(down) });
  return steOp(x, levels, scales, bps.length);
}

/**
 * 2^bp of the SigmaMax binary point of x, computed on the device (no download; for training
 * steps): unbiased std, M = ceil(log2 f_max) corrected once against 2^(M−1) and 2^M, f_max = 0 →
 * M = 0, bp clamped to [−126, 126]. Matches sigmaMaxBinaryPoint wherever float32 log/pow are
 * exact at the powers of two (tfjs cpu and wasm); a backend with looser log/pow can differ
 * only when f_max is within float32 rounding of a power of two. With `channels` = C: one per
 * channel of x seen as [−1, C] (shape [C]; a channel of one value has std 0, f_max = |x|). The
 * statistics are float32 here and float64 in tensorStats, so a channel whose f_max lies within
 * float32 rounding of a power of two could also differ.
 */
export function sigmaMaxScale(
  x: tf.Tensor,
  bits: number,
  lambda: number,
  channels?: number,
): tf.Tensor {
  levelRange(bits);
  if (!(lambda > 0) || !Number.isFinite(lambda))
    throw new Error(`sigmaMaxScale: lambda must be finite and > 0, got ${lambda}`);
  checkChannels(x, channels);
  return tf.tidy(() => {
    const v = channels === undefined ? x : tf.reshape(x, [-1, channels]);
    const axis = channels === undefined ? undefined : 0;
    const n = channels === undefined ? x.size : x.size / channels;
    const mean = tf.mean(v, axis);
    const sq = tf.sum(tf.square(tf.sub(v, mean)), axis);
    const std = n > 1 ? tf.sqrt(tf.div(sq, n - 1)) : tf.zerosLike(mean);
    const fMax = tf.add(tf.abs(mean), tf.mul(std, lambda));
    const positive = tf.greater(fMax, 0);
    const safe = tf.where(positive, fMax, tf.onesLike(fMax));
    let m = tf.ceil(tf.div(tf.log(safe), Math.LN2));
    m = tf.where(tf.greaterEqual(tf.pow(2, tf.sub(m, 1)), safe), tf.sub(m, 1), m);
    m = tf.where(tf.less(tf.pow(2, m), safe), tf.add(m, 1), m);
    const bp = tf.clipByValue(tf.sub(bits - 1, m), -MAX_ABS_BINARY_POINT, MAX_ABS_BINARY_POINT);
    return tf.pow(2, bp);
  });
}

/**
 * fakeQuantSte with the binary point recomputed from x itself on every call (SigmaMax, λ), as
 * QAT needs for weights that change each step; one per output channel with `channels` = C.
 * The exponent gets no gradient (STE).
 */
export function fakeQuantSteSigmaMax<T extends tf.Tensor>(
  x: T,
  bits: number,
  lambda: number,
  channels?: number,
): T {
  return steOp(
    x,
    levelRange(bits),
    (view) => {
      const up = sigmaMaxScale(view, bits, lambda, channels);
      return { up, down: tf.div(1, up) };
    },
    channels,
  );
}
