// Eigenbasis prune → grow-back on a small net with hand-made K-FAC layers (seeded orthogonal
// bases, saliencies chosen so the outcome can be worked out by hand): the 1×1 conv takes the
// two-factor form, the 3×3 conv Tucker-2; grow-back re-adds the removed directions with the
// largest lost saliency, and the grown layers are exactly the rotate-and-truncate at the larger
// ranks, with the hand-counted parameters.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams } from '../../graph/params';
import { chainDims, effectiveWeights, readChain } from '../structure';
import {
  buildChainNet,
  fakeKfacLayer,
  projectTaps,
  tapsOf,
  withTaps,
} from '../structure/chain.test-helpers';
import {
  maxAbs,
  maxAbsDiff,
  randomInput,
  randomWeights,
  runEval,
} from '../structure/structure.test-helpers';
import { directionsToGrow, growEigen, lostSaliency } from './eigen-grow';
import { applyEigenPlan, eigenPlan } from './eigen-plan';

const graph = buildChainNet();
const weights = randomWeights(graph, 41);
// pw (1×1, 16 → 24): scores 1…16 / 1…24, permuted.
const pw = fakeKfacLayer(
  'pw',
  { kernel: 1, inChannels: 16, outChannels: 24 },
  1,
  Array.from({ length: 16 }, (_, i) => ((i * 3) % 16) + 1),
  Array.from({ length: 24 }, (_, o) => ((o * 5) % 24) + 1),
);
// conv3 (3×3, 24 → 32): column i scores (7i mod 24) + 1.5, row o scores (5o mod 32) + 1.
const conv3 = fakeKfacLayer(
  'conv3',
  { kernel: 3, inChannels: 24, outChannels: 32 },
  3,
  Array.from({ length: 24 }, (_, i) => ((i * 7) % 24) + 1.5),
  Array.from({ length: 32 }, (_, o) => ((o * 5) % 32) + 1),
);
const layers = [pw, conv3];
const spec = {
  method: 'eigenbasis' as const,
  ratio: 0,
  layerRatios: { pw: 0.5, conv3: 0.5 },
};
const W3 = tapsOf(weights.get('conv3.weight')!);
const Wpw = tapsOf(weights.get('pw.weight')!);

describe('eigenbasis grow-back', () => {
  it('plans the cheapest exact forms: 1×1 two-factor (rows kept whole), 3×3 Tucker-2', () => {
    const [p, c] = eigenPlan(layers, spec, graph);
    // pw: 8 of 16 columns, 12 of 24 rows: basis-in 16·8 + 8·24 = 320 < basis-out 480 < Tucker 512.
    expect(p).toMatchObject({
      form: 'basis-in',
      paramsBefore: 384,
      paramsAfter: 320,
      factorize: true,
    });
    expect(p!.keepRows).toHaveLength(24); // merged side: free, so kept whole
    expect(p!.keepCols).toEqual([3, 4, 5, 8, 9, 10, 14, 15]); // 3i mod 16 = 8…15: scores 9…16
    // conv3: 12 × 16 kept: Tucker 24·12 + 9·12·16 + 16·32 = 2528 < basis-in 3744 < basis-out 3968.
    expect(c).toMatchObject({ form: 'tucker', paramsBefore: 6912, paramsAfter: 2528 });
    expect([c!.keepCols.length, c!.keepRows.length]).toEqual([12, 16]);
  });

  it('re-adds the directions with the largest lost saliency; grown = truncation at the larger rank', () => {
    const before = tf.memory().numTensors;
    const plan = eigenPlan(layers, spec, graph);
    const pruned = applyEigenPlan(graph, weights, layers, plan, { reserve: true });
    expect(countParams(graph) - countParams(pruned.graph)).toBe(384 - 320 + 6912 - 2528);
    const [rPw, r3] = pruned.reserves;
    expect(rPw!.removed.map((d) => d.side)).toEqual(Array(8).fill('A'));
    expect(r3!.removed).toHaveLength(12 + 16);
    // Removed conv3 scores: columns 1.5…12.5, rows 1…16. The top five: rows scoring 16, 15, 14, 13
    // (o = 3, 22, 9, 28: 5o mod 32 = 15, 14, 13, 12) and the column scoring 12.5 (i = 5: 35 mod 24 = 11).
    expect(directionsToGrow(r3!, 5)).toEqual({ addA: [5], addG: [3, 22, 9, 28] });
    expect(lostSaliency(r3!)).toBe((12 * 13) / 2 + 12 * 0.5 + (16 * 17) / 2);
    const grown = growEigen(pruned.graph, pruned.weights, pruned.reserves, { conv3: 5, pw: 1 });
    // conv3 13 × 20: 24·13 + 9·13·20 + 20·32 = 3292; pw gets back its best removed column (score 8:
    // 3i mod 16 = 7, i = 13), 9 columns: 9·(16 + 24) = 360.
    expect(grown.grown.map((g) => [g.name, g.form, g.paramsBefore, g.paramsAfter])).toEqual([
      ['pw', 'basis-in', 320, 360],
      ['conv3', 'tucker', 2528, 3292],
    ]);
    expect(countParams(grown.graph) - countParams(pruned.graph)).toBe(40 + 3292 - 2528);
    const keepA = [...plan[1]!.keepCols, 5];
    const keepG = [...plan[1]!.keepRows, 3, 22, 9, 28];
    const ref3 = projectTaps(W3, conv3.qA, conv3.qG, keepA, keepG);
    const eff3 = effectiveWeights(readChain(grown.graph, grown.weights, 'conv3'));
    expect(maxAbsDiff(eff3, Float64Array.from(ref3.flat(2)))).toBeLessThan(1e-4 * maxAbs(eff3));
    expect(grown.grown[0]!.addA).toEqual([13]);
    const pwA = [...plan[0]!.keepCols, 13];
    const refPw = projectTaps(Wpw, pw.qA, pw.qG, pwA, [...Array(24).keys()]);
    // The network computes with exactly those weights.
    const x = randomInput([2, 8, 8, 3], 9);
    const [a] = runEval(grown.graph, grown.weights, x);
    const [b] = runEval(graph, withTaps(withTaps(weights, 'conv3', ref3), 'pw', refPw), x);
    expect(maxAbsDiff(a!, b!)).toBeLessThan(1e-4 * Math.max(1, maxAbs(b!)));
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('prunes a factorized layer again through its core; ratios may name the layer or its core', () => {
    const pruned = applyEigenPlan(graph, weights, layers, eigenPlan(layers, spec, graph));
    const core = fakeKfacLayer(
      'conv3.core',
      { kernel: 3, inChannels: 12, outChannels: 16 },
      7,
      Array.from({ length: 12 }, (_, i) => i + 1),
      Array.from({ length: 16 }, (_, o) => o + 1),
    );
    for (const key of ['conv3', 'conv3.core']) {
      const s2 = { method: 'eigenbasis' as const, ratio: 0, layerRatios: { [key]: 0.5 } };
      const [p] = eigenPlan([core], s2, pruned.graph);
      // 6 × 8 of 12 × 16: 24·6 + 9·6·8 + 8·32 = 832 < the 2528 of the Tucker chain now.
      expect(p).toMatchObject({
        name: 'conv3',
        main: 'conv3.core',
        formBefore: 'tucker',
        form: 'tucker',
      });
      expect([p!.paramsBefore, p!.paramsAfter, p!.keepCols, p!.keepRows.length]).toEqual([
        2528,
        832,
        [6, 7, 8, 9, 10, 11],
        8,
      ]);
      const again = applyEigenPlan(pruned.graph, pruned.weights, [core], [p!]);
      expect(countParams(pruned.graph) - countParams(again.graph)).toBe(2528 - 832);
    }
    expect(() =>
      eigenPlan(
        [core],
        { method: 'eigenbasis', ratio: 0, layerRatios: { 'conv3.basis_in': 0.5 } },
        pruned.graph,
      ),
    ).toThrow(
      "prune.layerRatios names 'conv3.basis_in', which is not an analysed conv/dense layer",
    );
    const stale = fakeKfacLayer(
      'conv3.core',
      { kernel: 3, inChannels: 24, outChannels: 32 },
      7,
      conv3.colSaliency,
      conv3.rowSaliency,
    );
    expect(() => eigenPlan([stale], { method: 'eigenbasis', ratio: 0.2 }, pruned.graph)).toThrow(
      /does not fit the network's \(3×3, 12 → 16\)/,
    );
  });

  it('a layer grown past its plain size turns plain again; over-asking is refused', () => {
    const plan = eigenPlan(layers, spec, graph);
    const pruned = applyEigenPlan(graph, weights, layers, plan, { reserve: true });
    // pw with 10 columns: basis-in 400 ≥ the plain 384.
    const g = growEigen(pruned.graph, pruned.weights, pruned.reserves, { pw: 2 });
    expect(chainDims(g.graph, 'pw')).toMatchObject({ form: 'plain', params: 384 });
    expect(g.graph.nodes.some((n) => n.name === 'pw.basis_in')).toBe(false);
    expect(() => growEigen(pruned.graph, pruned.weights, pruned.reserves, { pw: 9 })).toThrow(
      "growEigen: 'pw' lost 8 directions, cannot re-add 9",
    );
    expect(() => growEigen(pruned.graph, pruned.weights, pruned.reserves, { fc: 1 })).toThrow(
      "growEigen: no reserve for layer 'fc'",
    );
  });
});
