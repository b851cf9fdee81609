import { describe, expect, it } from 'vitest';
import { magnitudeMasks, maskSparsity } from './magnitude-masks';
import { magnitudeProfile, profileRank } from './magnitude-profile';
import { layerSparsityFromProfile } from './profile-sparsity';
import { denseNet, randomLayer } from './sparsity.test-helpers';
import type { Recipe } from '../../recipe';

describe('magnitudeProfile', () => {
  it('keeps all sorted non-zero |w| when they fit, evenly spaced order statistics otherwise', () => {
    const big = [0, 10, -9, 8, 7, -6, 5, 4, 0, 3, 2, -1]; // 10 non-zeros
    const { graph, weights } = denseNet([[0.5, -0.25, 0, 2], big]);
    const p = magnitudeProfile(graph, weights, 4);
    expect(p.layers[0]).toEqual({
      name: 'l0',
      size: 4,
      zeros: 1,
      nonZero: 3,
      quantiles: Float32Array.from([0.25, 0.5, 2]),
    });
    // ranks round(j·9/3) = 0, 3, 6, 9 of 1..10
    expect([0, 1, 2, 3].map((j) => profileRank(j, 4, 10))).toEqual([0, 3, 6, 9]);
    expect(Array.from(p.layers[1]!.quantiles)).toEqual([1, 4, 7, 10]);
    expect(p.layers[1]).toMatchObject({ size: 12, zeros: 2, nonZero: 10 });
    expect(() => magnitudeProfile(graph, weights, 1)).toThrow(/maxPoints.*got 1/);
  });

  it('handles an all-zero layer', () => {
    const { graph, weights } = denseNet([
      [0, 0],
      [1, 2],
    ]);
    const p = magnitudeProfile(graph, weights);
    expect(p.layers[0]).toMatchObject({ zeros: 2, nonZero: 0, quantiles: new Float32Array(0) });
    expect(layerSparsityFromProfile(p, { sparsity: 0.5 })).toEqual({ l0: 1, l1: 0.5 });
  });
});

describe('layerSparsityFromProfile', () => {
  it('equals the exact masks when every layer fits in maxPoints (ties, zeros, targets)', () => {
    const layers = [0, 1, 2, 3, 4].map((i) =>
      randomLayer(i, 60 + 37 * i, 0.05 * (i + 1), 0.15, 30),
    );
    const { graph, weights } = denseNet(layers);
    const profile = magnitudeProfile(graph, weights, 256);
    const recipes: Recipe[] = [
      {},
      { sparsity: 0.001 },
      { sparsity: 0.25 },
      { sparsity: 0.5 },
      { sparsity: 0.77 },
      { sparsity: 0.999 },
      { sparsity: 0.6, layerSparsity: { l2: 0.9, l4: 0.05 } },
      { layerSparsity: { l0: 0.5 } },
    ];
    for (const r of recipes) {
      const exact = maskSparsity(magnitudeMasks(graph, weights, r));
      expect(layerSparsityFromProfile(profile, r)).toEqual(exact);
    }
  });

  it('is within 0.5 % of the exact per-layer sparsity on a large random net', () => {
    const sizes = [432, 2304, 4608, 9216, 16384, 36864, 73728, 147456, 6400];
    const layers = sizes.map((n, i) =>
      randomLayer(100 + i, n, 0.02 * (1 + (i % 4)), i % 3 === 0 ? 0.3 : 0),
    );
    const { graph, weights } = denseNet(layers);
    const profile = magnitudeProfile(graph, weights);
    let worst = 0;
    for (const r of [
      { sparsity: 0.1 },
      { sparsity: 0.45 },
      { sparsity: 0.9 },
      { sparsity: 0.6, layerSparsity: { l7: 0.8 } },
    ]) {
      const exact = maskSparsity(magnitudeMasks(graph, weights, r));
      const est = layerSparsityFromProfile(profile, r);
      expect(Object.keys(est)).toEqual(Object.keys(exact));
      for (const k of Object.keys(exact)) worst = Math.max(worst, Math.abs(est[k]! - exact[k]!));
    }
    expect(worst).toBeGreaterThan(0); // the estimate is really interpolating
    expect(worst).toBeLessThan(0.005);
    // measured 3.6e-4; a step estimate (midpoint between stored points) gives 1.1e-3 here
    expect(worst).toBeLessThan(6e-4);
  });

  it('fails fast on unknown layers and bad fractions', () => {
    const { graph, weights } = denseNet([[1, 2]]);
    const p = magnitudeProfile(graph, weights);
    expect(() => layerSparsityFromProfile(p, { layerSparsity: { conv9: 0.5 } })).toThrow(/'conv9'/);
    expect(() => layerSparsityFromProfile(p, { sparsity: -0.5 })).toThrow(/got -0.5/);
  });
});
