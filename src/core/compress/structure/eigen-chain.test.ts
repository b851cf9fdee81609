// Rotate-and-truncate of already factorized layers (the seed's later iterations) and grow-back:
// a grown chain is exactly the truncation at the larger rank, in every form, and keeps what
// fine-tuning did to the directions it already held.
import { describe, expect, it } from 'vitest';
import { buildChainNet, projectTaps, tapsOf } from './chain.test-helpers';
import { matMul } from './dense-matrix';
import { eigenView, growChain, truncatedChain } from './eigen-chain';
import {
  chainParams,
  collapseChain,
  effectiveWeights,
  formOf,
  readChain,
  type ChainForm,
  type LayerChain,
} from './layer-chain';
import { maxAbs, maxAbsDiff, randomOrthogonal, randomWeights } from './structure.test-helpers';

const graph = buildChainNet();
const weights = randomWeights(graph, 31);
const range = (n: number) => [...Array(n).keys()];
const flat = (W: number[][][]) => Float64Array.from(W.flat(2));

function close(a: Float64Array, b: Float64Array, tol = 1e-9): void {
  expect(maxAbsDiff(a, b) / Math.max(1, maxAbs(b))).toBeLessThan(tol);
}

describe('eigen chains', () => {
  it('prunes a factorized layer again through its core: the old bases times the new truncation', () => {
    const c = readChain(graph, weights, 'conv3');
    const first = truncatedChain(
      c,
      eigenView(c, randomOrthogonal(24, 1), randomOrthogonal(32, 2)),
      range(12),
      range(16),
    );
    // The main node is now the 12 → 16 core; its own eigenbases.
    const qA = randomOrthogonal(12, 3);
    const qG = randomOrthogonal(16, 4);
    const v = eigenView(first, qA, qG);
    expect([v.nA, v.nG]).toEqual([12, 16]);
    close(
      effectiveWeights(truncatedChain(first, v, range(12), range(16))),
      effectiveWeights(first),
    );
    const kA = [1, 4, 7, 10];
    const kG = [0, 5, 6, 9, 15];
    const again = truncatedChain(first, v, kA, kG);
    expect([again.p, again.q, chainParams(again)]).toEqual([4, 5, 24 * 4 + 9 * 4 * 5 + 5 * 32]);
    // Reference: basisOut · (P_G core_t P_A) · basisIn, with P_G, P_A the core's projections.
    const coreTaps = range(9).map((t) =>
      range(16).map((o) => range(12).map((i) => first.core[(t * 16 + o) * 12 + i]!)),
    );
    const proj = projectTaps(coreTaps, qA, qG, kA, kG);
    const ref = proj.flatMap((Pt) => {
      const m = matMul(
        matMul(first.basisOut!, Float64Array.from(Pt.flat()), 32, 16, 12),
        first.basisIn!,
        32,
        12,
        24,
      );
      return Array.from(m);
    });
    close(effectiveWeights(again), Float64Array.from(ref));
  });

  const cases: {
    layer: string;
    form: ChainForm;
    keepA: number[];
    keepG: number[];
    addA: number[];
    addG: number[];
  }[] = [
    {
      layer: 'conv3',
      form: 'tucker',
      keepA: [0, 3, 5, 9, 20],
      keepG: [2, 4, 8, 31],
      addA: [7, 1],
      addG: [30],
    },
    {
      layer: 'pw',
      form: 'basis-in',
      keepA: [1, 2, 6, 9],
      keepG: range(24),
      addA: [0, 15],
      addG: [],
    },
    {
      layer: 'pw',
      form: 'basis-out',
      keepA: range(16),
      keepG: [3, 4, 20],
      addA: [],
      addG: [0, 23, 7],
    },
    { layer: 'conv3', form: 'basis-out', keepA: range(24), keepG: [5, 6, 7], addA: [], addG: [1] },
  ];

  for (const k of cases) {
    it(`grows a ${k.form} ${k.layer}: exactly the truncation at the larger rank`, () => {
      const c = readChain(graph, weights, k.layer);
      const qA = randomOrthogonal(c.p, 5);
      const qG = randomOrthogonal(c.q, 6);
      const v = eigenView(c, qA, qG);
      const pruned = collapseChain(truncatedChain(c, v, k.keepA, k.keepG), k.form);
      const grown = growChain(pruned, v, { keepA: k.keepA, keepG: k.keepG }, k.addA, k.addG);
      expect(formOf(grown)).toBe(k.form);
      const W = tapsOf(weights.get(`${k.layer}.weight`)!);
      const bigA = [...k.keepA, ...k.addA];
      const bigG = [...k.keepG, ...k.addG];
      close(effectiveWeights(grown), flat(projectTaps(W, qA, qG, bigA, bigG)));
      const p = k.form === 'tucker' || k.form === 'basis-in' ? bigA.length : c.cIn;
      const q = k.form === 'tucker' || k.form === 'basis-out' ? bigG.length : c.cOut;
      expect([grown.p, grown.q]).toEqual([p, q]);
      const taps = c.taps;
      const hand: Record<ChainForm, number> = {
        tucker: c.cIn * p + taps * p * q + q * c.cOut,
        'basis-in': c.cIn * p + taps * p * c.cOut,
        'basis-out': taps * c.cIn * q + q * c.cOut,
        plain: taps * c.cIn * c.cOut,
      };
      expect(chainParams(grown)).toBe(hand[k.form]);
    });
  }

  it('keeps what fine-tuning did to the held directions and adds only the new ones', () => {
    const c = readChain(graph, weights, 'conv3');
    const v = eigenView(c, randomOrthogonal(24, 7), randomOrthogonal(32, 8));
    const held = { keepA: [2, 4, 6], keepG: [1, 3] };
    const pruned = truncatedChain(c, v, held.keepA, held.keepG);
    const tuned: LayerChain = {
      ...pruned,
      core: pruned.core.map((x, i) => x + 0.01 * Math.sin(i)),
    };
    const grown = growChain(tuned, v, held, [0], [5]);
    const exact = (a: number[], g: number[]) => effectiveWeights(truncatedChain(c, v, a, g));
    const small = exact(held.keepA, held.keepG);
    const big = exact([2, 4, 6, 0], [1, 3, 5]);
    const expected = effectiveWeights(tuned).map((x, i) => x + big[i]! - small[i]!);
    close(effectiveWeights(grown), expected);
    expect(maxAbsDiff(expected, big)).toBeGreaterThan(1e-3); // the tuning is really there
    expect(() => growChain(pruned, v, held, [2], [])).toThrow(/repeats an index/);
    expect(() => growChain(pruned, v, { keepA: [2, 4], keepG: [1, 3] }, [0], [])).toThrow(
      "eigen chain: 'conv3' holds 3 input directions, 2 named",
    );
  });
});
