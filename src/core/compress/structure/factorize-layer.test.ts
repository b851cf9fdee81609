import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Graph, TensorData, Weights } from '../../graph/ir';
import { inferenceGraph } from '../../graph/inference-graph';
import { countParams } from '../../graph/params';
import { readLabCheckpoint, writeLabCheckpoint } from '../../io/lab-checkpoint';
import { buildPyramidNet } from '../../models/pyramidnet';
import { buildTinyNet } from '../../models/tiny';
import { buildScoreTable, scoreNetwork } from '../../score';
import { eigenbasisWeights, factorizeLayer } from './factorize-layer';
import {
  maxAbs,
  maxAbsDiff,
  randomInput,
  randomOrthogonal,
  randomWeights,
  runEval,
} from './structure.test-helpers';

/** Taps of a layer as c_out × c_in float64 matrices (PyTorch orientation), dense: one tap. */
function taps(w: TensorData, dense: boolean, bias?: Float32Array): number[][][] {
  if (dense) {
    const [fi, fo] = w.shape as [number, number];
    return [
      Array.from({ length: fo }, (_, o) => [
        ...Array.from({ length: fi }, (_, i) => w.data[i * fo + o]!),
        ...(bias ? [bias[o]!] : []),
      ]),
    ];
  }
  const [kh, kw, ci, co] = w.shape as [number, number, number, number];
  return Array.from({ length: kh * kw }, (_, t) =>
    Array.from({ length: co }, (_, o) =>
      Array.from({ length: ci }, (_, i) => w.data[(t * ci + i) * co + o]!),
    ),
  );
}

const col = (q: Float64Array, n: number, j: number) =>
  Array.from({ length: n }, (_, r) => q[r * n + j]!);

/** W_rec = Q_G[:,kG] (Q_Gᵀ W Q_A)[kG,kA] Q_A[:,kA]ᵀ per tap, straight from the definitions. */
function reconstruct(
  W: number[][][],
  qA: Float64Array,
  qG: Float64Array,
  kA: number[],
  kG: number[],
) {
  const nA = W[0]![0]!.length;
  const nG = W[0]!.length;
  const a = kA.map((j) => col(qA, nA, j));
  const g = kG.map((j) => col(qG, nG, j));
  return W.map((Wt) => {
    const core = g.map((gl) =>
      a.map((ak) => {
        let s = 0;
        for (let o = 0; o < nG; o++) for (let i = 0; i < nA; i++) s += gl[o]! * Wt[o]![i]! * ak[i]!;
        return s;
      }),
    );
    return Array.from({ length: nG }, (_, o) =>
      Array.from({ length: nA }, (_, i) => {
        let s = 0;
        core.forEach((row, l) => row.forEach((c, k) => (s += g[l]![o]! * c * a[k]![i]!)));
        return s;
      }),
    );
  });
}

/** The three factor layers multiplied back into one c_out × c_in matrix per tap. */
function compose(weights: Weights, layer: string, dense: boolean): number[][][] {
  const A = taps(weights.get(`${layer}.basis_in.weight`)!, dense)[0]!; // r_A × c_in
  const C = taps(weights.get(`${layer}.core.weight`)!, dense); // taps × r_G × r_A
  const B = taps(weights.get(`${layer}.weight`)!, dense)[0]!; // c_out × r_G
  return C.map((Ct) =>
    B.map((Bo) =>
      A[0]!.map((_, i) => {
        let s = 0;
        Bo.forEach((b, l) => Ct[l]!.forEach((c, k) => (s += b * c * A[k]![i]!)));
        return s;
      }),
    ),
  );
}

function maxDiff3(a: number[][][], b: number[][][]): number {
  return maxAbsDiff(a.flat(2), b.flat(2));
}

function withWeight(weights: Weights, name: string, W: number[][][], dense: boolean): Weights {
  const old = weights.get(name)!;
  const out: Weights = new Map(weights);
  const data = new Float32Array(old.data.length);
  if (dense) {
    const fo = old.shape[1]!;
    W[0]!.forEach((row, o) => row.forEach((v, i) => (data[i * fo + o] = v)));
  } else {
    const [, , ci, co] = old.shape as [number, number, number, number];
    W.forEach((Wt, t) =>
      Wt.forEach((row, o) => row.forEach((v, i) => (data[(t * ci + i) * co + o] = v))),
    );
  }
  out.set(name, { shape: [...old.shape], data });
  return out;
}

describe('factorizeLayer on the tiny net (8×8 inputs)', () => {
  const graph: Graph = buildTinyNet({ inputSize: 8 });
  const weights = randomWeights(graph, 11);
  const qA = randomOrthogonal(16, 1);
  const qG = randomOrthogonal(32, 2);
  const all = (n: number) => [...Array(n).keys()];
  let x: tf.Tensor4D;
  let before = 0;
  beforeAll(() => {
    before = tf.memory().numTensors;
    x = randomInput([2, 8, 8, 3], 3);
  });
  afterAll(() => {
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('full rank reproduces the 3×3 stride-2 conv (1×1 → 3×3 core → 1×1, original name last)', () => {
    const f = factorizeLayer(graph, weights, 'conv2', qA, qG, all(16).reverse(), all(32));
    const names = f.graph.nodes.map((n) => n.name);
    expect(names.slice(names.indexOf('conv2.basis_in'), names.indexOf('bn2'))).toEqual([
      'conv2.basis_in',
      'conv2.core',
      'conv2',
    ]);
    const core = f.graph.nodes.find((n) => n.name === 'conv2.core')!.spec;
    expect(core).toMatchObject({
      kernel: 3,
      stride: 2,
      padding: [1, 1, 1, 1],
      inChannels: 16,
      outChannels: 32,
    });
    const [a] = runEval(f.graph, f.weights, x);
    const [b] = runEval(graph, weights, x);
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(b!)));
  });

  it('truncated rank equals the rotated-and-truncated weights, and computes with them', () => {
    const kA = [0, 3, 5, 7, 9, 11];
    const kG = [31, 2, 4, 8, 16, 20, 25, 1, 0, 13];
    const f = factorizeLayer(graph, weights, 'conv2', qA, qG, kA, kG);
    const W = taps(weights.get('conv2.weight')!, false);
    const rec = reconstruct(W, qA, qG, kA, kG);
    expect(maxDiff3(compose(f.weights, 'conv2', false), rec)).toBeLessThan(1e-5);
    expect(maxDiff3(rec, W)).toBeGreaterThan(0.05); // the truncation is real
    const [a] = runEval(f.graph, f.weights, x);
    const [b] = runEval(graph, withWeight(weights, 'conv2.weight', rec, false), x);
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(b!)));
    expect(countParams(f.graph) - countParams(graph)).toBe(
      16 * 6 + 9 * 6 * 10 + 10 * 32 - 9 * 16 * 32,
    );
  });

  it('eigenbasisWeights is Q_Gᵀ W Q_A restricted to the kept rows and columns', () => {
    const W = taps(weights.get('conv2.weight')!, false);
    const wp = eigenbasisWeights(graph, weights, 'conv2', qA, qG, [4, 1], [7]);
    const a = [4, 1].map((j) => col(qA, 16, j));
    const g = col(qG, 32, 7);
    W.forEach((Wt, t) =>
      a.forEach((ak, k) => {
        let s = 0;
        for (let o = 0; o < 32; o++) for (let i = 0; i < 16; i++) s += g[o]! * Wt[o]![i]! * ak[i]!;
        expect(wp[t * 2 + k]).toBeCloseTo(s, 10);
      }),
    );
  });

  it('dense: full rank reproduces fc; with a bias column in Q_A the bias moves into basis_in', () => {
    const qG100 = randomOrthogonal(100, 4);
    const plain = factorizeLayer(
      graph,
      weights,
      'fc',
      randomOrthogonal(64, 5),
      qG100,
      all(64),
      all(100),
    );
    expect(plain.weights.has('fc.bias')).toBe(true);
    const qA65 = randomOrthogonal(65, 6);
    const aug = factorizeLayer(graph, weights, 'fc', qA65, qG100, all(65), all(100));
    expect(aug.weights.has('fc.bias')).toBe(false);
    expect(aug.weights.get('fc.basis_in.bias')!.shape).toEqual([65]);
    const [ref] = runEval(graph, weights, x);
    for (const f of [plain, aug]) {
      const [y] = runEval(f.graph, f.weights, x);
      expect(maxAbsDiff(y!, ref!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(ref!)));
    }
    const kA = [64, 0, 10, 20, 30];
    const kG = [5, 50, 99];
    const cut = factorizeLayer(graph, weights, 'fc', qA65, qG100, kA, kG);
    const Wb = taps(weights.get('fc.weight')!, true, weights.get('fc.bias')!.data);
    const rec = reconstruct(Wb, qA65, qG100, kA, kG)[0]!; // 100 × 65: [W | b] reconstructed
    const withB = compose(cut.weights, 'fc', true)[0]!.map((row) => [...row, 0]);
    const bIn = cut.weights.get('fc.basis_in.bias')!.data;
    const B = taps(cut.weights.get('fc.weight')!, true)[0]!;
    const C = taps(cut.weights.get('fc.core.weight')!, true)[0]!;
    withB.forEach((row, o) => {
      let s = 0;
      B[o]!.forEach((bv, l) => C[l]!.forEach((c, k) => (s += bv * c * bIn[k]!)));
      row[64] = s;
    });
    expect(maxAbsDiff(withB.flat(), rec.flat())).toBeLessThan(1e-5);
  });

  it('the factorized graph scores, folds its BN, and round-trips through a lab checkpoint', () => {
    const f = factorizeLayer(graph, weights, 'conv2', qA, qG, [0, 1, 2, 3], [0, 1, 2, 3, 4]);
    const table = buildScoreTable(f.graph);
    const rows = ['conv2.basis_in', 'conv2.core', 'conv2'].map(
      (n) => table.rows[table.prunable.get(n)!]!,
    );
    expect(rows.map((r) => r.weights)).toEqual([16 * 4, 9 * 4 * 5, 5 * 32]);
    expect(rows[2]!.foldChannels).toBe(32); // bn2 folds into the original name
    expect(scoreNetwork(table).score).toBeLessThan(scoreNetwork(buildScoreTable(graph)).score);
    const inf = inferenceGraph(f.graph, f.weights);
    expect(inf.graph.nodes.some((n) => n.name === 'bn2')).toBe(false);
    const [a] = runEval(inf.graph, inf.weights, x);
    const [b] = runEval(f.graph, f.weights, x);
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(b!)));
    const ck = readLabCheckpoint(writeLabCheckpoint(f.graph, f.weights));
    expect(ck.graph).toEqual(f.graph);
    for (const [k, v] of f.weights) expect(ck.weights.get(k)!.data).toEqual(v.data);
  });

  it('fails fast on bad bases, keeps and layers', () => {
    const bad = qA.slice();
    bad[0] = bad[0]! + 0.5;
    expect(() => factorizeLayer(graph, weights, 'conv2', bad, qG, [0], [0])).toThrow(
      /not orthogonal/,
    );
    expect(() => factorizeLayer(graph, weights, 'conv2', qG, qG, [0], [0])).toThrow(/16×16/);
    expect(() => factorizeLayer(graph, weights, 'conv2', qA, qG, [0, 0], [0])).toThrow(/repeats/);
    expect(() => factorizeLayer(graph, weights, 'conv2', qA, qG, [16], [0])).toThrow(/16 not in/);
    expect(() => factorizeLayer(graph, weights, 'bn2', qA, qG, [0], [0])).toThrow(/batchnorm/);
    const f = factorizeLayer(graph, weights, 'conv2', qA, qG, [0], [0]);
    expect(() =>
      factorizeLayer(f.graph, f.weights, 'conv2', randomOrthogonal(1, 9), qG, [0], [0]),
    ).toThrow(/already exists/);
  });
});

describe('factorizeLayer on a PyramidNet bottleneck 3×3 stride-2 conv', () => {
  it('full rank reproduces the network output', () => {
    const graph = buildPyramidNet({ depth: 20, alpha: 48, bottleneck: true, inputSize: 8 });
    const weights = randomWeights(graph, 12);
    const n = 40; // layer2.0 planes
    const keep = [...Array(n).keys()];
    const f = factorizeLayer(
      graph,
      weights,
      'layer2.0.conv2',
      randomOrthogonal(n, 1),
      randomOrthogonal(n, 2),
      keep,
      keep,
    );
    const x = randomInput([1, 8, 8, 3], 4);
    const [a] = runEval(f.graph, f.weights, x);
    const [b] = runEval(graph, weights, x);
    x.dispose();
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(b!)));
  });
});
