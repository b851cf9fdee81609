/**
 * Weights in the K-FAC eigenbasis (EigenDamage, Wang et al. 2019): per kernel tap the layer is a
 * c_out × c′ matrix M_t (c′ = c_in, plus a bias column when the bias is folded in, repeated in
 * every tap as in the seed's weight_to_mat); W′_t = Q_Gᵀ M_t Q_A and back M_t = Q_G W′_t Q_Aᵀ.
 * Saliency S = Σ_t s_t ⊙ W′_t² (s = EKFAC eigenvalues); row sums score output directions (Q_G
 * columns), column sums input directions (Q_A columns). Plain float64 arrays, row-major.
 */
import type { TensorData } from '../../graph/ir';
import { KfacError } from './kfac-error';

export interface TapMatrices {
  /** k² for a conv, 1 for a dense layer. */
  taps: number;
  /** c_out */
  rows: number;
  /** c′ = c_in (+1 with bias). */
  cols: number;
  /** [taps][rows][cols] row-major. */
  data: Float64Array;
}

/** Row-major product C = op(A)·op(B), op(A) m×k, op(B) k×n. */
export function matMul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  transA = false,
  transB = false,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = transA ? a[p * m + i]! : a[i * k + p]!;
      if (av === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j]! += av * (transB ? b[j * k + p]! : b[p * n + j]!);
    }
  }
  return c;
}

/** conv [kh,kw,c_in,c_out] / dense [c_in,c_out] weight (+ bias [c_out]) → per-tap c_out × c′. */
export function weightTaps(weight: TensorData, bias?: TensorData): TapMatrices {
  const s = weight.shape;
  if (s.length !== 4 && s.length !== 2)
    throw new KfacError(`weight must be [kh,kw,cin,cout] or [in,out], got [${s.join(',')}]`);
  const [cin, cout] = s.slice(-2) as [number, number];
  const taps = s.length === 4 ? s[0]! * s[1]! : 1;
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== cout))
    throw new KfacError(`bias must be [${cout}], got [${bias.shape.join(',')}]`);
  const cols = cin + (bias ? 1 : 0);
  const data = new Float64Array(taps * cout * cols);
  for (let t = 0; t < taps; t++) {
    for (let o = 0; o < cout; o++) {
      const row = (t * cout + o) * cols;
      for (let c = 0; c < cin; c++) data[row + c] = weight.data[(t * cin + c) * cout + o]!;
      if (bias) data[row + cin] = bias.data[o]!;
    }
  }
  return { taps, rows: cout, cols, data };
}

/** Inverse of weightTaps: weight in `shape` and, when `hasBias`, the bias from tap 0's column. */
export function tapsToWeight(
  m: TapMatrices,
  shape: readonly number[],
  hasBias: boolean,
): { weight: TensorData; bias?: TensorData } {
  const cin = m.cols - (hasBias ? 1 : 0);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== m.taps * cin * m.rows)
    throw new KfacError(`shape [${shape.join(',')}] does not hold ${m.taps}×${cin}×${m.rows}`);
  const w = new Float32Array(size);
  for (let t = 0; t < m.taps; t++)
    for (let o = 0; o < m.rows; o++)
      for (let c = 0; c < cin; c++)
        w[(t * cin + c) * m.rows + o] = m.data[(t * m.rows + o) * m.cols + c]!;
  const weight = { shape: [...shape], data: w };
  if (!hasBias) return { weight };
  const b = Float32Array.from({ length: m.rows }, (_, o) => m.data[o * m.cols + cin]!);
  return { weight, bias: { shape: [m.rows], data: b } };
}

function mapTaps(m: TapMatrices, f: (tap: Float64Array) => Float64Array): TapMatrices {
  const per = m.rows * m.cols;
  const data = new Float64Array(m.data.length);
  for (let t = 0; t < m.taps; t++) data.set(f(m.data.subarray(t * per, (t + 1) * per)), t * per);
  return { ...m, data };
}

/** W′_t = Q_Gᵀ M_t Q_A; qG [rows×rows], qA [cols×cols], columns = eigenvectors. */
export function rotateTaps(m: TapMatrices, qG: ArrayLike<number>, qA: ArrayLike<number>) {
  checkRotations(m, qG, qA);
  const { rows: r, cols: c } = m;
  return mapTaps(m, (w) => matMul(matMul(qG, w, r, r, c, true), qA, r, c, c));
}

/** M_t = Q_G W′_t Q_Aᵀ (inverse of rotateTaps for orthogonal Q). */
export function unrotateTaps(m: TapMatrices, qG: ArrayLike<number>, qA: ArrayLike<number>) {
  checkRotations(m, qG, qA);
  const { rows: r, cols: c } = m;
  return mapTaps(m, (w) => matMul(matMul(qG, w, r, r, c), qA, r, c, c, false, true));
}

function checkRotations(m: TapMatrices, qG: ArrayLike<number>, qA: ArrayLike<number>): void {
  if (qG.length !== m.rows * m.rows || qA.length !== m.cols * m.cols)
    throw new KfacError(
      `rotations of ${qG.length}/${qA.length} values do not fit ${m.rows}×${m.cols} taps`,
    );
}

export interface Saliency {
  /** c_out × c′ row-major: Σ_t s_t ⊙ W′_t². */
  saliency: Float64Array;
  /** Σ over columns: one score per output direction. */
  rowSaliency: Float64Array;
  /** Σ over rows: one score per input direction. */
  colSaliency: Float64Array;
}

/** S = Σ_t s_t ⊙ W′_t²; `ekfac` has the layout of `rotated`. */
export function saliencyOf(rotated: TapMatrices, ekfac: ArrayLike<number>): Saliency {
  const { taps, rows, cols } = rotated;
  if (ekfac.length !== rotated.data.length)
    throw new KfacError(`EKFAC has ${ekfac.length} values, weights ${rotated.data.length}`);
  const saliency = new Float64Array(rows * cols);
  for (let t = 0; t < taps; t++) {
    const off = t * rows * cols;
    for (let i = 0; i < rows * cols; i++) {
      const w = rotated.data[off + i]!;
      saliency[i]! += ekfac[off + i]! * w * w;
    }
  }
  const rowSaliency = new Float64Array(rows);
  const colSaliency = new Float64Array(cols);
  for (let o = 0; o < rows; o++) {
    for (let c = 0; c < cols; c++) {
      rowSaliency[o]! += saliency[o * cols + c]!;
      colSaliency[c]! += saliency[o * cols + c]!;
    }
  }
  return { saliency, rowSaliency, colSaliency };
}
