/**
 * Per-batch K-FAC statistics on tfjs-core ops, in the conventions of the seed's EigenDamage code
 * (mhariat/MicroNet ImprovedEigenPruner; Wang et al. 2019, SUA):
 * - A_b = (1/N) Σ_n Σ_positions Σ_taps ã ãᵀ, ã = input patch column of one tap, augmented with
 *   1/k² when the layer has a bias (so Σ_taps over the k² bias entries gives the bias once);
 *   computed as one matmul with every input pixel weighted by how many (position, tap) pairs
 *   read it (geometry.tapCounts).
 * - G_b = (1/(N·L)) Σ_n Σ_positions g gᵀ, g = ∂ℓ_n/∂(layer output) of the per-sample loss
 *   (the seed's (gᵀg)·N/L of the batch-mean loss's gradients).
 * - EKFAC (George et al. 2018): Σ_n (Q_Gᵀ ∇W_n[tap] Q_A)² per tap, ∇W_n[tap] = Σ_p g_{n,p} ã_{n,p,tap}ᵀ
 *   (the per-sample weight gradient, c_out × c_in′), computed as Σ_p (g Q_G)ᵀ (ã Q_A).
 * Dense layers are 1×1 convs on a 1×1 map. Every function returns new tensors (caller disposes).
 */
import * as tf from '@tensorflow/tfjs-core';
import { KfacError } from './kfac-error';
import { positions, tapCounts, type LayerGeometry } from './geometry';

/** Layer input as a map: conv [N,H,W,C] as is, dense [N,F] → [N,1,1,F]. */
function asMap(x: tf.Tensor, geo: LayerGeometry): tf.Tensor4D {
  const want = [geo.inH, geo.inW, geo.inChannels];
  const got = geo.op === 'dense' ? [1, 1, x.shape[1]] : x.shape.slice(1);
  const rank = geo.op === 'dense' ? 2 : 4;
  if (x.rank !== rank || got.some((d, i) => d !== want[i]))
    throw new KfacError(`layer input [${x.shape.join(',')}] does not fit [N,${want.join(',')}]`);
  return tf.reshape(x, [x.shape[0]!, geo.inH, geo.inW, geo.inChannels]);
}

/** Output gradient as [N·L, c_out], shape-checked. */
function gradRows(g: tf.Tensor, geo: LayerGeometry): tf.Tensor2D {
  const per = g.shape.slice(1).reduce((a, b) => a * b, 1);
  if (per !== positions(geo) * geo.outChannels)
    throw new KfacError(
      `output gradient [${g.shape.join(',')}] does not fit ${geo.outH}×${geo.outW}×${geo.outChannels}`,
    );
  return tf.reshape(g, [-1, geo.outChannels]);
}

/** [1, H, W, 1] float32: reads per input pixel (row count × column count); null when all 1. */
function readCounts(geo: LayerGeometry): tf.Tensor4D | null {
  const { kernel: k, stride: s, pad } = geo;
  const cy = tapCounts(geo.inH, geo.outH, k, s, pad[0]);
  const cx = tapCounts(geo.inW, geo.outW, k, s, pad[2]);
  const w = new Float32Array(geo.inH * geo.inW);
  for (let y = 0; y < geo.inH; y++)
    for (let x = 0; x < geo.inW; x++) w[y * geo.inW + x] = cy[y]! * cx[x]!;
  return w.every((v) => v === 1) ? null : tf.tensor4d(w, [1, geo.inH, geo.inW, 1]);
}

/** Batch contribution to A: [c′, c′], c′ = c_in (+1 with bias). */
export function batchFactorA(x: tf.Tensor, geo: LayerGeometry, useBias: boolean): tf.Tensor2D {
  return tf.tidy(() => {
    const xm = asMap(x, geo);
    const n = xm.shape[0];
    const counts = readCounts(geo);
    const weighted = tf.reshape(counts ? tf.mul(xm, tf.sqrt(counts)) : xm, [-1, geo.inChannels]);
    const xx = tf.div(tf.matMul(weighted, weighted, true, false), n) as tf.Tensor2D;
    if (!(useBias && geo.bias)) return xx;
    const k2 = geo.kernel * geo.kernel;
    const sum = tf.sum(counts ? tf.mul(xm, counts) : xm, [0, 1, 2]);
    const col = tf.reshape(tf.div(sum, k2 * n), [-1, 1]);
    const corner = tf.fill([1, 1], positions(geo) / k2);
    const top = tf.concat([xx, col], 1);
    const bottom = tf.concat([tf.transpose(col), corner], 1);
    return tf.concat([top, bottom], 0) as tf.Tensor2D;
  });
}

/** Batch contribution to G: [c_out, c_out]. */
export function batchFactorG(g: tf.Tensor, geo: LayerGeometry): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = gradRows(g, geo);
    const n = g.shape[0]!;
    return tf.div(tf.matMul(rows, rows, true, false), n * positions(geo)) as tf.Tensor2D;
  });
}

/** Zero-padded input map with the constant 1/k² bias channel appended when used. */
function paddedPatchSource(xm: tf.Tensor4D, geo: LayerGeometry, useBias: boolean): tf.Tensor4D {
  const [t, b, l, r] = geo.pad;
  const xp =
    t + b + l + r > 0
      ? tf.pad(xm, [
          [0, 0],
          [t, b],
          [l, r],
          [0, 0],
        ])
      : xm;
  if (!(useBias && geo.bias)) return xp;
  const [n, hp, wp] = xp.shape;
  const k2 = geo.kernel * geo.kernel;
  return tf.concat([xp, tf.fill([n, hp, wp, 1], 1 / k2)], 3);
}

/**
 * Σ_n (Q_Gᵀ ∇W_n[tap] Q_A)² for every tap: [k², c_out, c′]. qA [c′, c′], qG [c_out, c_out]
 * (columns = eigenvectors).
 */
export function batchEkfacSums(
  x: tf.Tensor,
  g: tf.Tensor,
  geo: LayerGeometry,
  useBias: boolean,
  qA: tf.Tensor2D,
  qG: tf.Tensor2D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const xm = asMap(x, geo);
    const n = xm.shape[0];
    const L = positions(geo);
    const src = paddedPatchSource(xm, geo, useBias);
    const c2 = src.shape[3];
    if (qA.shape[0] !== c2 || qG.shape[0] !== geo.outChannels)
      throw new KfacError(
        `rotation sizes ${qA.shape[0]}/${qG.shape[0]} ≠ ${c2}/${geo.outChannels}`,
      );
    const rotated = tf.reshape(tf.matMul(tf.reshape(src, [-1, c2]), qA), src.shape); // [N,Hp,Wp,c′]
    const gr = tf.reshape(tf.matMul(gradRows(g, geo), qG), [n, L, geo.outChannels]);
    const { kernel: k, stride: s, outH, outW } = geo;
    const taps: tf.Tensor2D[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        taps.push(
          tf.tidy(() => {
            const end = [n, i + (outH - 1) * s + 1, j + (outW - 1) * s + 1, c2];
            const a = tf.stridedSlice(rotated, [0, i, j, 0], end, [1, s, s, 1]);
            const perSample = tf.matMul(gr, tf.reshape(a, [n, L, c2]), true, false); // [N,c_out,c′]
            return tf.sum(tf.square(perSample), 0) as tf.Tensor2D; // Σ over samples
          }),
        );
      }
    }
    return tf.stack(taps) as tf.Tensor3D;
  });
}
