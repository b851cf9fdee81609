// K-FAC factors, damping, EKFAC eigenvalues and saliencies of one-layer nets (dense; 3×3 convs
// with stride 2 and padding) against the plain-loop reference in kfac-reference.test-helpers.ts.
import { describe, expect, it } from 'vitest';
import type { Padding, Weights } from '../../graph/ir';
import { Network } from '../../graph/network';
import { listParams } from '../../graph/params';
import { syntheticSource } from '../../train/synthetic-source';
import { makeRng, randNormal } from '../../util/rng';
import { kfacAnalysis } from './kfac-analysis';
import { resolvePadding } from './geometry';
import {
  batchFactors,
  oneLayerGraph,
  rotatePlain,
  sampleGrad,
  type OneLayer,
} from './kfac-reference.test-helpers';

interface Case {
  label: string;
  kind: 'conv' | 'dense';
  H: number;
  W: number;
  cin: number;
  cout: number;
  k: number;
  s: number;
  padding: Padding;
  bias: boolean;
}

const CASES: Case[] = [
  {
    label: 'dense 8→5 + bias',
    kind: 'dense',
    H: 2,
    W: 2,
    cin: 2,
    cout: 5,
    k: 1,
    s: 1,
    padding: 'valid',
    bias: true,
  },
  {
    label: "conv 3×3 s2 'same' (pads 0,1) + bias",
    kind: 'conv',
    H: 6,
    W: 6,
    cin: 2,
    cout: 4,
    k: 3,
    s: 2,
    padding: 'same',
    bias: true,
  },
  {
    label: 'conv 3×3 s2 pad [1,1,1,1], no bias',
    kind: 'conv',
    H: 5,
    W: 5,
    cin: 3,
    cout: 4,
    k: 3,
    s: 2,
    padding: [1, 1, 1, 1],
    bias: false,
  },
];

function randomWeights(params: ReturnType<typeof listParams>, seed: number): Weights {
  const rng = makeRng(seed);
  return new Map(
    params.map((p) => {
      const size = p.shape.reduce((a, b) => a * b, 1);
      return [
        p.name,
        { shape: p.shape, data: Float32Array.from({ length: size }, () => 0.5 * randNormal(rng)) },
      ];
    }),
  );
}

/** max |a − b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

function oneLayerDesc(c: Case, weights: Weights, layer: string): OneLayer {
  const w = weights.get(`${layer}.weight`)!.data;
  const bias = c.bias ? weights.get(`${layer}.bias`)!.data : undefined;
  if (c.kind === 'dense')
    return {
      k: 1,
      s: 1,
      pad: [0, 0, 0, 0],
      H: 1,
      W: 1,
      cin: c.H * c.W * c.cin,
      cout: c.cout,
      weight: w,
      bias,
    };
  const pad = resolvePadding(c.padding, c.H, c.W, c.k, c.s);
  return { k: c.k, s: c.s, pad, H: c.H, W: c.W, cin: c.cin, cout: c.cout, weight: w, bias };
}

function trace(m: ArrayLike<number>, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += m[i * n + i]!;
  return t;
}

describe('kfacAnalysis on one-layer nets vs a direct computation', () => {
  for (const c of CASES) {
    it(c.label, async () => {
      const graph = oneLayerGraph(c.kind, c);
      const layerName = c.kind === 'conv' ? 'conv' : 'fc';
      const weights = randomWeights(listParams(graph), 7);
      const net = Network.fromWeights(graph, weights);
      const source = syntheticSource({
        size: 12,
        numClasses: c.cout,
        imageShape: [c.H, c.W, c.cin],
        seed: 3,
      });
      const res = await kfacAnalysis({
        net,
        source,
        batches: 2,
        batchSize: 6,
        seed: 1,
        fisher: 'empirical',
        indices: Array.from({ length: 12 }, (_, i) => i),
        keepFactors: true,
      });
      net.dispose();
      expect(res.skipped).toEqual([]);
      const layer = res.layers[0]!;
      const f = layer.factors!;
      const desc = oneLayerDesc(c, weights, layerName);
      const dA = desc.cin + (c.bias ? 1 : 0);
      expect([layer.dimA, layer.dimG, layer.hasBias]).toEqual([dA, c.cout, c.bias]);

      // 1. factors: running average 0.9 over the two batches
      const rng = makeRng(0);
      const b1 = source.batch([0, 1, 2, 3, 4, 5], false, rng);
      const b2 = source.batch([6, 7, 8, 9, 10, 11], false, rng);
      const f1 = batchFactors(desc, b1.x, b1.y);
      const f2 = batchFactors(desc, b2.x, b2.y);
      const A = f1.A.map((v, i) => 0.9 * v + 0.1 * f2.A[i]!);
      const G = f1.G.map((v, i) => 0.9 * v + 0.1 * f2.G[i]!);
      expect(relErr(f.A, A)).toBeLessThan(1e-6);
      expect(relErr(f.G, G)).toBeLessThan(1e-6);

      // 2. damping
      const pi = trace(A, dA) / dA / (trace(G, c.cout) / c.cout);
      expect(Math.abs(layer.damping.pi / pi - 1)).toBeLessThan(1e-6);
      expect(layer.damping.a).toBeCloseTo(Math.sqrt(1e-3 * layer.damping.pi), 12);
      expect(layer.damping.g).toBeCloseTo(Math.sqrt(1e-3 / layer.damping.pi), 12);
      // eigenvalues descend; their sum is the damped trace
      expect([...layer.eigA]).toEqual([...layer.eigA].sort((a, b) => b - a));
      const sumA = layer.eigA.reduce((a, b) => a + b, 0);
      expect(Math.abs(sumA / (trace(f.A, dA) + dA * layer.damping.a) - 1)).toBeLessThan(1e-10);
      // Q_A Λ_A Q_Aᵀ reconstructs the damped factor
      const damped = f.A.map((v, i) => v + (i % (dA + 1) === 0 ? layer.damping.a : 0));
      const back = new Float64Array(dA * dA);
      for (let i = 0; i < dA; i++)
        for (let j = 0; j < dA; j++)
          for (let e = 0; e < dA; e++)
            back[i * dA + j]! += layer.qA[i * dA + e]! * layer.eigA[e]! * layer.qA[j * dA + e]!;
      expect(relErr(back, damped)).toBeLessThan(1e-8);

      // 3. EKFAC: mean over the 12 samples of (Q_Gᵀ ∇W_n Q_A)², per tap
      const taps = desc.k * desc.k;
      const per = c.cout * dA;
      const s = new Float64Array(taps * per);
      for (const b of [b1, b2]) {
        for (let n = 0; n < 6; n++) {
          const grad = sampleGrad(desc, b.x, n, b.y[n]!);
          for (let t = 0; t < taps; t++) {
            const r = rotatePlain(
              grad.subarray(t * per, (t + 1) * per),
              layer.qG,
              layer.qA,
              c.cout,
              dA,
            );
            for (let i = 0; i < per; i++) s[t * per + i]! += (r[i]! * r[i]!) / 12;
          }
        }
      }
      expect(relErr(f.ekfac, s)).toBeLessThan(1e-5);

      // 4. saliency = Σ_t s ⊙ (Q_Gᵀ W_t Q_A)², W_t = [W_tapᵀ | b]
      const S = new Float64Array(per);
      for (let t = 0; t < taps; t++) {
        const m = new Float64Array(per);
        for (let o = 0; o < c.cout; o++) {
          for (let ci = 0; ci < desc.cin; ci++)
            m[o * dA + ci] = desc.weight[(t * desc.cin + ci) * c.cout + o]!;
          if (desc.bias) m[o * dA + desc.cin] = desc.bias[o]!;
        }
        const w = rotatePlain(m, layer.qG, layer.qA, c.cout, dA);
        for (let i = 0; i < per; i++) S[i]! += s[t * per + i]! * w[i]! * w[i]!;
      }
      expect(relErr(layer.saliency, S)).toBeLessThan(1e-5);
      const rows = Array.from({ length: c.cout }, (_, o) =>
        S.slice(o * dA, (o + 1) * dA).reduce((a, b) => a + b, 0),
      );
      const cols = Array.from({ length: dA }, (_, j) =>
        rows.reduce((acc, _r, o) => acc + S[o * dA + j]!, 0),
      );
      expect(relErr(layer.rowSaliency, rows)).toBeLessThan(1e-5);
      expect(relErr(layer.colSaliency, cols)).toBeLessThan(1e-5);
    });
  }
});

describe('true Fisher (labels sampled from the softmax)', () => {
  const c = CASES[1]!;
  const run = async (seed: number) => {
    const graph = oneLayerGraph(c.kind, c);
    const net = Network.fromWeights(graph, randomWeights(listParams(graph), 7));
    const source = syntheticSource({
      size: 12,
      numClasses: c.cout,
      imageShape: [c.H, c.W, c.cin],
      seed: 3,
    });
    try {
      return await kfacAnalysis({ net, source, batches: 2, batchSize: 6, seed, keepFactors: true });
    } finally {
      net.dispose();
    }
  };

  it('is reproducible for a seed and changes with it', async () => {
    const [a, b, other] = [await run(5), await run(5), await run(6)];
    expect([...a.layers[0]!.factors!.G]).toEqual([...b.layers[0]!.factors!.G]);
    expect([...a.layers[0]!.saliency]).toEqual([...b.layers[0]!.saliency]);
    expect([...other.layers[0]!.factors!.G]).not.toEqual([...a.layers[0]!.factors!.G]);
  });
});
