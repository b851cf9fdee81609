// Test-only: K-FAC / EKFAC of a one-layer net written plainly with loops over samples, positions
// and taps — the oracle for kfac-analysis. The net is one conv2d (k×k, stride, explicit padding,
// optional bias) followed by a global average pool, or one dense layer on flattened images (a
// 1×1 "conv" on a 1×1 map): logits z[n,c] = (1/L) Σ_p conv(x)[n,p,c].
import type { Graph, Padding } from '../../graph/ir';

export interface OneLayer {
  k: number;
  s: number;
  /** [top, bottom, left, right] */
  pad: [number, number, number, number];
  H: number;
  W: number;
  cin: number;
  cout: number;
  /** [k,k,cin,cout] */
  weight: Float32Array;
  bias?: Float32Array;
}

export function outSize(l: OneLayer): [number, number] {
  return [
    Math.floor((l.H + l.pad[0] + l.pad[1] - l.k) / l.s) + 1,
    Math.floor((l.W + l.pad[2] + l.pad[3] - l.k) / l.s) + 1,
  ];
}

/** Augmented patch vector of sample n (image data NHWC, per sample H·W·cin) at (oy, ox), tap (i, j). */
export function patch(
  l: OneLayer,
  x: Float32Array,
  n: number,
  oy: number,
  ox: number,
  i: number,
  j: number,
) {
  const v = new Array<number>(l.cin + (l.bias ? 1 : 0)).fill(0);
  const y = oy * l.s + i - l.pad[0];
  const xx = ox * l.s + j - l.pad[2];
  if (y >= 0 && y < l.H && xx >= 0 && xx < l.W)
    for (let c = 0; c < l.cin; c++) v[c] = x[((n * l.H + y) * l.W + xx) * l.cin + c]!;
  if (l.bias) v[l.cin] = 1 / (l.k * l.k);
  return v;
}

/** Logits [n][cout]. */
function logits(l: OneLayer, x: Float32Array, n: number): number[] {
  const [oh, ow] = outSize(l);
  const z = new Array<number>(l.cout).fill(0);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let i = 0; i < l.k; i++)
        for (let j = 0; j < l.k; j++) {
          const a = patch(l, x, n, oy, ox, i, j);
          for (let c = 0; c < l.cin; c++)
            for (let o = 0; o < l.cout; o++)
              z[o]! += a[c]! * l.weight[((i * l.k + j) * l.cin + c) * l.cout + o]!;
        }
  const L = oh * ow;
  return z.map((v, o) => v / L + (l.bias ? l.bias[o]! : 0));
}

/** ∂ℓ_n/∂(conv output at any position) = (softmax − onehot(y)) / L, per sample. */
export function outputGrad(l: OneLayer, x: Float32Array, n: number, y: number): number[] {
  const z = logits(l, x, n);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  const [oh, ow] = outSize(l);
  return e.map((v, o) => (v / sum - (o === y ? 1 : 0)) / (oh * ow));
}

/** A_b, G_b of one batch (dimA², cout² row-major). */
export function batchFactors(l: OneLayer, x: Float32Array, y: Int32Array) {
  const [oh, ow] = outSize(l);
  const L = oh * ow;
  const N = y.length;
  const dA = l.cin + (l.bias ? 1 : 0);
  const A = new Float64Array(dA * dA);
  const G = new Float64Array(l.cout * l.cout);
  for (let n = 0; n < N; n++) {
    const g = outputGrad(l, x, n, y[n]!);
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        for (let i = 0; i < l.k; i++)
          for (let j = 0; j < l.k; j++) {
            const a = patch(l, x, n, oy, ox, i, j);
            for (let r = 0; r < dA; r++)
              for (let c = 0; c < dA; c++) A[r * dA + c]! += (a[r]! * a[c]!) / N;
          }
        for (let r = 0; r < l.cout; r++)
          for (let c = 0; c < l.cout; c++) G[r * l.cout + c]! += (g[r]! * g[c]!) / (N * L);
      }
  }
  return { A, G };
}

/** Per-sample weight gradients [tap][cout][dA] of sample n (bias column: Σ_p g/k²). */
export function sampleGrad(l: OneLayer, x: Float32Array, n: number, y: number): Float64Array {
  const [oh, ow] = outSize(l);
  const dA = l.cin + (l.bias ? 1 : 0);
  const out = new Float64Array(l.k * l.k * l.cout * dA);
  const g = outputGrad(l, x, n, y);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let i = 0; i < l.k; i++)
        for (let j = 0; j < l.k; j++) {
          const a = patch(l, x, n, oy, ox, i, j);
          const t = i * l.k + j;
          for (let o = 0; o < l.cout; o++)
            for (let c = 0; c < dA; c++) out[(t * l.cout + o) * dA + c]! += g[o]! * a[c]!;
        }
  return out;
}

/** Q_Gᵀ M Q_A for one cout × dA matrix (row-major Q, columns = eigenvectors). */
export function rotatePlain(
  m: ArrayLike<number>,
  qG: ArrayLike<number>,
  qA: ArrayLike<number>,
  rows: number,
  cols: number,
) {
  const out = new Float64Array(rows * cols);
  for (let o = 0; o < rows; o++)
    for (let c = 0; c < cols; c++) {
      let v = 0;
      for (let p = 0; p < rows; p++)
        for (let q = 0; q < cols; q++)
          v += qG[p * rows + o]! * m[p * cols + q]! * qA[q * cols + c]!;
      out[o * cols + c] = v;
    }
  return out;
}

/** The graph of a one-layer net: conv + global average pool, or flatten + dense when k = 0. */
export function oneLayerGraph(
  kind: 'conv' | 'dense',
  o: {
    H: number;
    W: number;
    cin: number;
    cout: number;
    k: number;
    s: number;
    padding: Padding;
    bias: boolean;
  },
): Graph {
  const input = {
    name: 'input',
    inputs: [],
    spec: { op: 'input' as const, height: o.H, width: o.W, channels: o.cin },
  };
  const nodes: Graph['nodes'] =
    kind === 'conv'
      ? [
          input,
          {
            name: 'conv',
            inputs: ['input'],
            spec: {
              op: 'conv2d',
              inChannels: o.cin,
              outChannels: o.cout,
              kernel: o.k,
              stride: o.s,
              padding: o.padding,
              bias: o.bias,
            },
          },
          { name: 'gap', inputs: ['conv'], spec: { op: 'globalavgpool', keepDims: false } },
        ]
      : [
          input,
          { name: 'flat', inputs: ['input'], spec: { op: 'flatten' } },
          {
            name: 'fc',
            inputs: ['flat'],
            spec: { op: 'dense', inFeatures: o.H * o.W * o.cin, outFeatures: o.cout, bias: o.bias },
          },
        ];
  return {
    format: 'micronet-lab-graph',
    version: 1,
    name: `one-${kind}`,
    numClasses: o.cout,
    nodes,
    output: nodes[nodes.length - 1]!.name,
  };
}
