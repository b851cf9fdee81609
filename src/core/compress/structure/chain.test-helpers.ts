// Test-only helpers for layer chains: a small net with a 3×3, a 1×1 (bias) and a 3×3 stride-2
// conv, hand-made K-FAC layers (random orthogonal bases, chosen saliencies), and the
// rotate-and-truncate reference straight from its definition: W_t ↦ P_G W_t P_A with the
// projections P = Q[:, keep] Q[:, keep]ᵀ.
import type { KfacLayer } from '../../analysis/kfac';
import type { Graph, TensorData, Weights } from '../../graph/ir';
import { GraphBuilder } from '../../models/graph-builder';
import { randomOrthogonal } from './structure.test-helpers';

/** input 8×8×3 → conv1 3×3 3→16 → bn relu → pw 1×1 16→24 (+bias) → bn relu → conv3 3×3 s2 24→32 → bn relu → fc 32→10. */
export function buildChainNet(): Graph {
  const b = new GraphBuilder();
  let x = b.input(8);
  x = b.relu('relu1', b.bn('bn1', b.conv('conv1', x, { in: 3, out: 16, k: 3 }), 16));
  x = b.relu('relu2', b.bn('bn2', b.conv('pw', x, { in: 16, out: 24, k: 1, bias: true }), 24));
  x = b.relu('relu3', b.bn('bn3', b.conv('conv3', x, { in: 24, out: 32, k: 3, stride: 2 }), 32));
  return b.build('chain-net', 10, b.head('pool', 'fc', x, 32, 10));
}

/** A K-FAC layer for main node `name` of the given shape with seeded bases and given scores. */
export function fakeKfacLayer(
  name: string,
  shape: { kernel: number; inChannels: number; outChannels: number },
  seed: number,
  colSaliency: ArrayLike<number>,
  rowSaliency: ArrayLike<number>,
): KfacLayer {
  const { kernel, inChannels: ci, outChannels: co } = shape;
  if (colSaliency.length !== ci || rowSaliency.length !== co)
    throw new Error(`fakeKfacLayer: scores must have ${ci} and ${co} entries`);
  return {
    name,
    op: 'conv2d',
    kernel,
    inChannels: ci,
    outChannels: co,
    hasBias: false,
    dimA: ci,
    dimG: co,
    eigA: new Float64Array(ci).fill(1),
    eigG: new Float64Array(co).fill(1),
    qA: randomOrthogonal(ci, seed),
    qG: randomOrthogonal(co, seed + 1),
    saliency: new Float64Array(co * ci),
    rowSaliency: Float64Array.from(rowSaliency),
    colSaliency: Float64Array.from(colSaliency),
    damping: { pi: 1, a: 0, g: 0 },
  };
}

/** Q[:, keep] Q[:, keep]ᵀ of a row-major n×n q. */
function projection(q: Float64Array, n: number, keep: readonly number[]): Float64Array {
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (const k of keep) s += q[i * n + k]! * q[j * n + k]!;
      p[i * n + j] = s;
    }
  return p;
}

/** Layer weights (tfjs [kh,kw,in,out] or dense [in,out]) as [taps][out][in]. */
export function tapsOf(w: TensorData): number[][][] {
  const [ci, co] = w.shape.slice(-2) as [number, number];
  const taps = w.data.length / (ci * co);
  return Array.from({ length: taps }, (_, t) =>
    Array.from({ length: co }, (_, o) =>
      Array.from({ length: ci }, (_, i) => w.data[(t * ci + i) * co + o]!),
    ),
  );
}

/** P_G W_t P_A per tap, from the definitions. */
export function projectTaps(
  W: number[][][],
  qA: Float64Array,
  qG: Float64Array,
  keepA: readonly number[],
  keepG: readonly number[],
): number[][][] {
  const ci = W[0]![0]!.length;
  const co = W[0]!.length;
  const pA = projection(qA, ci, keepA);
  const pG = projection(qG, co, keepG);
  return W.map((Wt) => {
    const wa = Wt.map((row) =>
      Array.from({ length: ci }, (_, j) => row.reduce((s, v, i) => s + v * pA[i * ci + j]!, 0)),
    );
    return Array.from({ length: co }, (_, o) =>
      Array.from({ length: ci }, (_, j) =>
        wa.reduce((s, row, l) => s + pG[o * co + l]! * row[j]!, 0),
      ),
    );
  });
}

/** `weights` with `layer`'s weight replaced by taps W ([taps][out][in]). */
export function withTaps(weights: Weights, layer: string, W: number[][][]): Weights {
  const old = weights.get(`${layer}.weight`)!;
  const [ci, co] = old.shape.slice(-2) as [number, number];
  const data = new Float32Array(old.data.length);
  W.forEach((Wt, t) =>
    Wt.forEach((row, o) => row.forEach((v, i) => (data[(t * ci + i) * co + o] = v))),
  );
  const out: Weights = new Map(weights);
  out.set(`${layer}.weight`, { shape: [...old.shape], data });
  return out;
}

/** [taps][out][in] of a flat float64 [taps][out][in]. */
export function nested(m: Float64Array, taps: number, co: number, ci: number): number[][][] {
  return Array.from({ length: taps }, (_, t) =>
    Array.from({ length: co }, (_, o) =>
      Array.from({ length: ci }, (_, i) => m[(t * co + o) * ci + i]!),
    ),
  );
}
