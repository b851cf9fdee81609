/**
 * Conv2DBackpropInput for wasm through XNNPACK's Conv2D (tfjs-backend-wasm's own kernel is a
 * naive loop, ~9× slower than Conv2D at stride 1). Sub-pixel (polyphase) form of the transposed
 * convolution (Shi et al. 2016, "Is the deconvolution layer the same as a convolutional layer?"):
 * per axis, with u = h + padBefore = q·s + r,
 *   dx[q·s + r − pad] = Σ_{j<J} dy[q − j] · w[j·s + r],   J = ceil(k / s)
 * i.e. one stride-1 correlation of dy (padded J−1 before) with the filter F[t, ·, co, (r, ci)] =
 * w[(J−1−t)·s + r, ·, ci, co] (zero where j·s + r ≥ k), producing s²·Cin channels, then
 * DepthToSpace(s) and a crop. No zero-stuffing: ~ (J·s / k)² of the direct work (16/9 for k=3,
 * s=2; exactly 1 at s=1).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  convGradGeometry,
  explicitPad,
  type ConvPad,
  type RoundingMode,
} from './conv-grad-geometry';
import type { KernelCalls } from './kernel-calls';

export interface InputGradAttrs {
  strides: number | [number, number];
  pad: ConvPad;
  dimRoundingMode?: RoundingMode;
  inputShape: [number, number, number, number];
  dataFormat?: 'NHWC' | 'NCHW';
}

/** One spatial axis of the polyphase plan. */
interface AxisPlan {
  /** Taps per phase. */
  j: number;
  /** Rows of dy to pad before (<0: crop) / after (<0: crop) for q ∈ [qStart, qEnd). */
  before: number;
  after: number;
  /** First output row of the DepthToSpace result to keep (then `size` rows). */
  offset: number;
}

function axisPlan(k: number, s: number, pad: number, size: number, outSize: number): AxisPlan {
  const j = Math.ceil(k / s);
  const qStart = Math.floor(pad / s);
  const qEnd = Math.ceil((size + pad) / s);
  return { j, before: j - 1 - qStart, after: qEnd - outSize, offset: pad - qStart * s };
}

/** w [kh,kw,Ci,Co] → F [Jh, Jw, Co, s·s·Ci] (phase-major channels, taps reversed). */
function phaseFilter(
  k: KernelCalls,
  w: tf.TensorInfo,
  s: number,
  jh: number,
  jw: number,
): tf.TensorInfo {
  const [kh, kw, ci, co] = w.shape as [number, number, number, number];
  const padded = k.run(
    'PadV2',
    { x: w },
    {
      paddings: [
        [0, jh * s - kh],
        [0, jw * s - kw],
        [0, 0],
        [0, 0],
      ],
      constantValue: 0,
    },
  ); // [Jh·s, Jw·s, Ci, Co]
  const split = k.reshape(padded, [jh, s, jw, s * ci, co]); // [j_h, r_h, j_w, (r_w, ci), co]
  const moved = k.transpose(split, [0, 2, 4, 1, 3]); // [j_h, j_w, co, r_h, (r_w, ci)]
  const merged = k.reshape(moved, [jh, jw, co, s * s * ci]);
  return k.run('Reverse', { x: merged }, { dims: [0, 1] });
}

/** Crops dy where a plan pads negatively; returns dy and the non-negative pads. */
function cropDy(k: KernelCalls, dy: tf.TensorInfo, ph: AxisPlan, pw: AxisPlan) {
  const [, ho, wo] = dy.shape as [number, number, number, number];
  const [ct, cb, cl, cr] = [ph.before, ph.after, pw.before, pw.after].map((v) =>
    Math.max(0, -v),
  ) as [number, number, number, number];
  const x = k.cropHW(dy, ct, cl, ho - ct - cb, wo - cl - cr);
  const pad = explicitPad(
    Math.max(0, ph.before),
    Math.max(0, ph.after),
    Math.max(0, pw.before),
    Math.max(0, pw.after),
  );
  return { x, pad };
}

/**
 * DepthToSpace(s) as reshape + one rank-4 transpose (wasm's DepthToSpace kernel is ~4× slower):
 * [N, Q, Q', (rh, rw, Ci)] → [N·Q, Q', rh, (rw, Ci)] → [N·Q, rh, Q', (rw, Ci)] → [N, Q·s, Q'·s, Ci].
 */
function depthToSpace(k: KernelCalls, y: tf.TensorInfo, s: number): tf.TensorInfo {
  const [n, q, q2, d] = y.shape as [number, number, number, number];
  const ci = d / (s * s);
  const split = k.reshape(y, [n * q, q2, s, s * ci]);
  const moved = k.transpose(split, [0, 2, 1, 3]);
  return k.reshape(moved, [n, q * s, q2 * s, ci]);
}

/**
 * dy [N,Ho,Wo,Co], filter [kh,kw,Ci,Co] → dx [N,H,W,Ci], or null when the strides differ per
 * axis (DepthToSpace needs one block size; the caller falls back to the native kernel).
 */
export function conv2dBackpropInputPolyphase(
  k: KernelCalls,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  a: InputGradAttrs,
): tf.TensorInfo | null {
  if (a.dataFormat === 'NCHW')
    throw new Error("wasm Conv2DBackpropInput: dataFormat 'NCHW' unsupported");
  const g = convGradGeometry(
    a.inputShape,
    filter.shape,
    dy.shape,
    a.strides,
    a.pad,
    a.dimRoundingMode,
    false,
  );
  if (g.sh !== g.sw) return null;
  const s = g.sh;
  const ph = axisPlan(g.kh, s, g.top, g.h, g.outH);
  const pw = axisPlan(g.kw, s, g.left, g.w, g.outW);
  const keptRows = g.outH - Math.max(0, -ph.before) - Math.max(0, -ph.after);
  const keptCols = g.outW - Math.max(0, -pw.before) - Math.max(0, -pw.after);
  if (keptRows <= 0 || keptCols <= 0) return null; // exotic padding: leave it to the native kernel
  const f = phaseFilter(k, filter, s, ph.j, pw.j);
  const { x, pad } = cropDy(k, dy, ph, pw);
  const y = k.run(
    'Conv2D',
    { x, filter: f },
    { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] },
  );
  const full = s === 1 ? y : depthToSpace(k, y, s);
  return k.cropHW(full, ph.offset, pw.offset, g.h, g.w);
}
