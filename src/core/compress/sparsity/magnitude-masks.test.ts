import { describe, expect, it } from 'vitest';
import { applyMasks, layerZeroFractions, magnitudeMasks, maskSparsity } from './magnitude-masks';
import { denseNet, randomLayer, referenceMasks } from './sparsity.test-helpers';

const A = [0.5, -0.1, 0, 0.3];
const B = [0.2, -0.4, 0.1, 0.05, 0];

const masksOf = (m: Map<string, Uint8Array>) => [...m.values()].map((x) => Array.from(x));

describe('magnitudeMasks', () => {
  it('zeroes the smallest non-zero |w| globally, ties by (layer, index)', () => {
    const { graph, weights } = denseNet([A, B]);
    // pool: 7 non-zeros; 0.5·7 = 3.5 → 4 removed: 0.05, 0.1 (A, tie first), 0.1 (B), 0.2
    expect(masksOf(magnitudeMasks(graph, weights, { sparsity: 0.5 }))).toEqual([
      [1, 0, 0, 1],
      [0, 1, 0, 0, 0],
    ]);
    // 2 removed: 0.05 and only the first of the tied 0.1s (layer l0)
    expect(masksOf(magnitudeMasks(graph, weights, { sparsity: 2 / 7 }))).toEqual([
      [1, 0, 0, 1],
      [1, 1, 1, 0, 0],
    ]);
    // no extra sparsity: the masks are the existing non-zeros
    expect(masksOf(magnitudeMasks(graph, weights, {}))).toEqual([
      [1, 1, 0, 1],
      [1, 1, 1, 1, 0],
    ]);
  });

  it("sparsityAllocation 'uniform': each layer loses s of its own non-zeros", () => {
    const { graph, weights } = denseNet([A, B]);
    // s = 0.5: l0 has 3 non-zeros → round(1 + 1.5) = 3 zeros (0.1 and 0.3 go; 0.5 stays);
    // l1 has 4 → 1 + 2 = 3 zeros (0.05, 0.1), where the global threshold took 0.2 from l1 too
    const m = magnitudeMasks(graph, weights, { sparsity: 0.5, sparsityAllocation: 'uniform' });
    expect(masksOf(m)).toEqual([
      [1, 0, 0, 0],
      [1, 1, 0, 0, 0],
    ]);
    // a per-layer target still wins over the uniform share
    const t = { sparsity: 0.5, sparsityAllocation: 'uniform' as const, layerSparsity: { l1: 0.2 } };
    expect(maskSparsity(magnitudeMasks(graph, weights, t))).toEqual({ l0: 0.75, l1: 0.2 });
  });

  it('per-layer targets: max(existing zeros, round(t·n)), the rest pooled', () => {
    const { graph, weights } = denseNet([A, B]);
    // l1: round(0.6·5) = 3 zeros (1 existing + 0.05, 0.1); pool l0: round(0.5·3) = 2 (0.1, 0.3)
    const m = magnitudeMasks(graph, weights, { sparsity: 0.5, layerSparsity: { l1: 0.6 } });
    expect(masksOf(m)).toEqual([
      [1, 0, 0, 0],
      [1, 1, 0, 0, 0],
    ]);
    expect(maskSparsity(m)).toEqual({ l0: 0.75, l1: 0.6 });
    // a target below the existing zeros keeps them (and removes nothing)
    const keep = magnitudeMasks(graph, weights, { layerSparsity: { l1: 0.1 } });
    expect(maskSparsity(keep)).toEqual({ l0: 0.25, l1: 0.2 });
  });

  it('fails fast on unknown layer names, bad fractions and non-finite weights', () => {
    const { graph, weights } = denseNet([A, B]);
    expect(() => magnitudeMasks(graph, weights, { layerSparsity: { nope: 0.5 } })).toThrow(
      /'nope'.*not a conv\/depthwise\/dense layer/,
    );
    expect(() => magnitudeMasks(graph, weights, { sparsity: 1 })).toThrow(/got 1/);
    expect(() => magnitudeMasks(graph, weights, { layerSparsity: { l0: -0.1 } })).toThrow(
      /got -0.1/,
    );
    const bad = denseNet([[1, NaN]]);
    expect(() => magnitudeMasks(bad.graph, bad.weights, {})).toThrow(/'l0.weight'\[1\]/);
    weights.delete('l1.weight');
    expect(() => magnitudeMasks(graph, weights, {})).toThrow(/no 'l1.weight'/);
  });

  it('matches a full-sort reference on random layers with many ties and zeros', () => {
    const layers = [0, 1, 2, 3].map((i) =>
      randomLayer(10 + i, 500 + 300 * i, 0.1 * (i + 1), 0.2, 40),
    );
    const { graph, weights } = denseNet(layers);
    const poolNz = layers.reduce((s, w) => s + w.filter((v) => v !== 0).length, 0);
    for (const s of [0, 0.013, 0.3, 0.71, 0.999]) {
      const got = masksOf(magnitudeMasks(graph, weights, { sparsity: s }));
      const want = referenceMasks(layers, Math.round(s * poolNz)).map((x) => Array.from(x));
      expect(got).toEqual(want);
    }
  });
});

describe('applyMasks / maskSparsity / layerZeroFractions', () => {
  it('zeroes masked copies and leaves the input untouched', () => {
    const { graph, weights } = denseNet([A, B]);
    const masks = magnitudeMasks(graph, weights, { sparsity: 0.5 });
    const out = applyMasks(weights, masks);
    expect(Array.from(out.get('l0.weight')!.data)).toEqual([0.5, 0, 0, Math.fround(0.3)]);
    expect(Array.from(out.get('l1.weight')!.data)).toEqual([0, Math.fround(-0.4), 0, 0, 0]);
    expect(Array.from(weights.get('l0.weight')!.data)).toEqual(Array.from(Float32Array.from(A)));
    expect(layerZeroFractions(graph, out)).toEqual({ l0: 0.5, l1: 0.8 });
    expect(maskSparsity(masks)).toEqual({ l0: 0.5, l1: 0.8 });
    expect(layerZeroFractions(graph, weights)).toEqual({ l0: 0.25, l1: 0.2 });
    expect(() => applyMasks(weights, new Map([['l0', new Uint8Array(3)]]))).toThrow(
      /3 entries, weight has 4/,
    );
  });
});
