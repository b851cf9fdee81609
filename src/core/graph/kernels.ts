/**
 * Per-op tensor kernels of the graph runtime, built only from differentiable tfjs-core ops:
 * batch norm (Ioffe & Szegedy 2015; PyTorch train/eval semantics), ShakeDrop (Yamada et al.
 * 2018, gate via tf.customGrad), PyTorch AvgPool2d(ceil_mode), channel zero-padding, activations.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedBatchNormTrain } from './batchnorm-train';
import type { ActivationFn, Padding } from './ir';
import { poolOutSize } from './padding';
import type { Rng } from '../util/rng';

export type TfPad =
  'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** IR padding → tfjs conv pad argument (explicit = [[0,0],[t,b],[l,r],[0,0]]). */
export function tfPad(p: Padding): TfPad {
  if (p === 'same' || p === 'valid') return p;
  const [t, b, l, r] = p;
  if (t + b + l + r === 0) return 'valid';
  return [
    [0, 0],
    [t, b],
    [l, r],
    [0, 0],
  ];
}

/**
 * `firstOrderOnly`: swish as one op with its closed-form gradient (fewer kernels per training
 * step); its gradient has no correct gradient itself, so second-order analyses pass false.
 */
export function activation(x: tf.Tensor, fn: ActivationFn, firstOrderOnly = false): tf.Tensor {
  switch (fn) {
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'swish':
      return firstOrderOnly ? fusedSwish(x) : tf.mul(x, tf.sigmoid(x));
    case 'hswish':
      return tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6));
  }
}

/** swish(x) = x·σ(x); d/dx = σ + y·(1 − σ) with y = x·σ (Ramachandran et al. 2017). */
const fusedSwish = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const s = tf.sigmoid(x);
  const y = tf.mul(x, s);
  save([s, y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sg, yy] = saved as [tf.Tensor, tf.Tensor];
      return tf.mul(dy, tf.add(sg, tf.sub(yy, tf.mul(yy, sg))));
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

export interface BnParams {
  gamma: tf.Tensor;
  beta: tf.Tensor;
  runningMean: tf.Tensor;
  runningVar: tf.Tensor;
  eps: number;
}

/**
 * Eval BN: (x − running_mean) / sqrt(running_var + eps) · γ + β over the last axis, computed as
 * x·scale + shift on [C]-vectors: tfjs-backend-wasm's FusedBatchNorm kernel took 43 % of an OSI
 * evaluation (861 of ~2,000 ms for 100 images; it is ~6× slower than two broadcast ops).
 */
export function batchNormEval(x: tf.Tensor, p: BnParams): tf.Tensor {
  const scale = tf.mul(p.gamma, tf.rsqrt(tf.add(p.runningVar, p.eps)));
  const shift = tf.sub(p.beta, tf.mul(p.runningMean, scale));
  return tf.add(tf.mul(x, scale), shift);
}

export interface BnTrainResult {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  /** Unbiased (×n/(n−1)) batch variance, for PyTorch-style running-stat updates. */
  variance: tf.Tensor1D;
}

/**
 * Train BN: normalise with the batch mean and biased variance over all axes but the last; one
 * op with a closed-form gradient (batchnorm-train.ts).
 */
export function batchNormTrain(x: tf.Tensor, p: BnParams, node: string): BnTrainResult {
  const c = x.shape[x.rank - 1]!;
  const n = x.size / c;
  if (n < 2)
    throw new Error(`batchnorm '${node}': training needs more than 1 value per channel, got ${n}`);
  const { y, mean, variance } = fusedBatchNormTrain(x, p.gamma, p.beta, p.eps);
  return { y, mean, variance: tf.mul(variance, n / (n - 1)) as tf.Tensor1D };
}

/**
 * ShakeDrop training gate. Per sample (3 rng draws each, in order): keep with prob 1 − p;
 * else forward multiplier α = 2u − 1 ~ U(−1,1) and backward multiplier β ~ U(0,1).
 */
export function shakeDropGates(
  n: number,
  p: number,
  rng: Rng,
): { forward: Float32Array; backward: Float32Array } {
  const forward = new Float32Array(n);
  const backward = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const keep = rng() < 1 - p;
    const alpha = 2 * rng() - 1;
    const beta = rng();
    forward[i] = keep ? 1 : alpha;
    backward[i] = keep ? 1 : beta;
  }
  return { forward, backward };
}

/** y = x · gate_fwd[n] in the forward pass; dL/dx = dL/dy · gate_bwd[n] in the backward pass. */
export function shakeDropTrain(x: tf.Tensor, p: number, rng: Rng): tf.Tensor {
  const n = x.shape[0]!;
  const gateShape = [n, ...x.shape.slice(1).map(() => 1)];
  const { forward, backward } = shakeDropGates(n, p, rng);
  const gate = tf.customGrad((...args: unknown[]) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const bwd = tf.tensor(backward, gateShape);
    save([bwd]);
    return {
      value: tf.mul(xi, tf.tensor(forward, gateShape)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]!),
    };
  });
  return gate(x);
}

/**
 * PyTorch AvgPool2d(size, stride, padding=0, ceil_mode) on NHWC. Windows that overhang the
 * bottom/right edge in ceil mode average only their in-bounds pixels (PyTorch's divisor).
 */
export function avgPool(x: tf.Tensor4D, size: number, stride: number, ceil: boolean): tf.Tensor4D {
  const [, h, w] = x.shape;
  const outH = poolOutSize(h, size, stride, ceil);
  const outW = poolOutSize(w, size, stride, ceil);
  const padB = Math.max(0, (outH - 1) * stride + size - h);
  const padR = Math.max(0, (outW - 1) * stride + size - w);
  if (padB === 0 && padR === 0) return tf.avgPool(x, size, stride, 'valid');
  const padded = tf.pad(x, [
    [0, 0],
    [0, padB],
    [0, padR],
    [0, 0],
  ]);
  const sums = tf.mul(tf.avgPool(padded, size, stride, 'valid'), size * size);
  const counts = new Float32Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    const ch = Math.min(i * stride + size, h) - i * stride;
    for (let j = 0; j < outW; j++)
      counts[i * outW + j] = ch * (Math.min(j * stride + size, w) - j * stride);
  }
  return tf.div(sums, tf.tensor4d(counts, [1, outH, outW, 1]));
}

/** Zero channels: `front` before, the rest after, to reach `channels` on the last axis. */
export function padChannels(x: tf.Tensor, channels: number, front: number): tf.Tensor {
  const c = x.shape[x.rank - 1]!;
  const back = channels - c - front;
  if (back < 0)
    throw new Error(`padchannels: cannot pad ${c} channels (+${front} front) to ${channels}`);
  if (front === 0 && back === 0) return tf.clone(x);
  const pads = x.shape.map((): [number, number] => [0, 0]);
  pads[pads.length - 1] = [front, back];
  return tf.pad(x, pads);
}
