/**
 * SigmaMax fixed point as tfjs ops ("fake quantization": values snapped to the grid k·2^−bp,
 * kept in float32), and its straight-through estimator for training (Bengio et al. 2013; the
 * clipped variant of Hubara et al. 2016 / Jacob et al. 2018): forward = quantize, backward = the
 * incoming gradient where x·2^bp lies inside the clamp range [−2^(bits−1), 2^(bits−1) − 1]
 * (bounds included), 0 outside. Same values as sigma-max.ts's quantizeValues: x·2^bp and k·2^−bp
 * are exact in float32 and tf.round is half to even on every tfjs backend.
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

/** x ↦ round(clamp(x·up, lo, hi))·down and the STE mask (1 inside [lo, hi], else 0). */
function quantize(
  x: tf.Tensor,
  up: number | tf.Tensor,
  down: number | tf.Tensor,
  [lo, hi]: [number, number],
): { value: tf.Tensor; mask: tf.Tensor } {
  const scaled = tf.mul(x, up);
  const value = tf.mul(tf.round(tf.clipByValue(scaled, lo, hi)), down);
  const inside = tf.logicalAnd(tf.greaterEqual(scaled, lo), tf.lessEqual(scaled, hi));
  return { value, mask: tf.cast(inside, 'float32') };
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

/** One STE op: `scaleOf(x)` gives 2^bp (a number, or a scalar computed from x on the device). */
function steOp<T extends tf.Tensor>(
  x: T,
  levels: [number, number],
  scaleOf: (x: tf.Tensor) => { up: number | tf.Tensor; down: number | tf.Tensor },
): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const { up, down } = scaleOf(input);
    const { value, mask } = quantize(input, up, down, levels);
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
 * 2^bp of the SigmaMax binary point of x, computed on the device (no download; for training
 * steps): unbiased std, M = ceil(log2 f_max) corrected once against 2^(M−1) and 2^M, f_max = 0 →
 * M = 0, bp clamped to [−126, 126]. Matches sigmaMaxBinaryPoint wherever float32 log/pow are
 * exact at the powers of two (tfjs cpu and wasm); a backend with looser log/pow can differ
 * only when f_max is within float32 rounding of a power of two.
 */
export function sigmaMaxScale(x: tf.Tensor, bits: number, lambda: number): tf.Scalar {
  levelRange(bits);
  if (!(lambda > 0) || !Number.isFinite(lambda))
    throw new Error(`sigmaMaxScale: lambda must be finite and > 0, got ${lambda}`);
  return tf.tidy(() => {
    const n = x.size;
    const mean = tf.mean(x);
    const sq = tf.sum(tf.square(tf.sub(x, mean)));
    const std = n > 1 ? tf.sqrt(tf.div(sq, n - 1)) : tf.scalar(0);
    const fMax = tf.add(tf.abs(mean), tf.mul(std, lambda));
    const positive = tf.greater(fMax, 0);
    const safe = tf.where(positive, fMax, tf.onesLike(fMax));
    let m = tf.ceil(tf.div(tf.log(safe), Math.LN2));
    m = tf.where(tf.greaterEqual(tf.pow(2, tf.sub(m, 1)), safe), tf.sub(m, 1), m);
    m = tf.where(tf.less(tf.pow(2, m), safe), tf.add(m, 1), m);
    const bp = tf.clipByValue(tf.sub(bits - 1, m), -MAX_ABS_BINARY_POINT, MAX_ABS_BINARY_POINT);
    return tf.pow(2, bp) as tf.Scalar;
  });
}

/**
 * fakeQuantSte with the binary point recomputed from x itself on every call (SigmaMax, λ), as
 * QAT needs for weights that change each step. The exponent gets no gradient (STE).
 */
export function fakeQuantSteSigmaMax<T extends tf.Tensor>(x: T, bits: number, lambda: number): T {
  return steOp(x, levelRange(bits), (input) => {
    const up = sigmaMaxScale(input, bits, lambda);
    return { up, down: tf.div(1, up) };
  });
}
