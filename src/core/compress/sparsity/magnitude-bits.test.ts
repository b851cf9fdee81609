import { describe, expect, it } from 'vitest';
import { makeRng } from '../../util/rng';
import { bitsOf, countNonZero, selectKth, sortBits } from './magnitude-bits';

const bitsOfAbs = (xs: number[]) => Array.from(bitsOf(Float32Array.from(xs, Math.abs)));

describe('magnitude bits', () => {
  it('selectKth: k-th smallest non-zero |w| over several arrays, and how many are smaller', () => {
    const a = bitsOf(Float32Array.from([0.5, -0.1, 0, 0.3]));
    const b = bitsOf(Float32Array.from([0.2, -0.4, 0.1, 0.05, -0]));
    const [v01] = bitsOfAbs([0.1]);
    expect(selectKth([a, b], 1)).toEqual({ bits: bitsOfAbs([0.05])[0], less: 0 });
    expect(selectKth([a, b], 2)).toEqual({ bits: v01, less: 1 });
    expect(selectKth([a, b], 3)).toEqual({ bits: v01, less: 1 }); // the tie
    expect(selectKth([a, b], 7)).toEqual({ bits: bitsOfAbs([0.5])[0], less: 6 });
    expect(() => selectKth([a, b], 8)).toThrow(/8-th smallest of only 7/);
    expect(() => selectKth([a], 0)).toThrow(/got 0/);
  });

  it('countNonZero counts ±0 as zero and rejects NaN / Infinity', () => {
    expect(countNonZero(bitsOf(Float32Array.from([0, -0, 1e-45, -2])), 'x')).toBe(2);
    expect(() => countNonZero(bitsOf(Float32Array.from([1, -Infinity])), 'conv')).toThrow(
      /'conv.weight'\[1\] is not finite/,
    );
  });

  it('sortBits orders like the float values (radix path and short path)', () => {
    const rng = makeRng(3);
    for (const n of [100, 20000]) {
      const xs = Float32Array.from(
        { length: n },
        () => Math.abs(rng() - 0.5) * 10 ** (rng() * 8 - 6),
      );
      const sorted = new Float32Array(sortBits(Uint32Array.from(bitsOf(xs))).buffer);
      expect(Array.from(sorted)).toEqual(Array.from(xs).sort((p, q) => p - q));
    }
  });
});
