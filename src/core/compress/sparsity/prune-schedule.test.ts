import { describe, expect, it } from 'vitest';
import { pruneTargets } from './prune-schedule';

describe('pruneTargets', () => {
  it('AGP cubic: s_f · (1 − (1 − t/T)³)', () => {
    // 0.5 · (1 − 1/8) = 0.4375
    expect(pruneTargets(0.5, 2, 'agp')).toEqual([0.4375, 0.5]);
    // 0.8 · (1 − 27/64) = 0.4625, 0.8 · (1 − 1/8) = 0.7, 0.8 · (1 − 1/64) = 0.7875
    const t = pruneTargets(0.8, 4, 'agp');
    expect(t[0]).toBeCloseTo(0.4625, 12);
    expect(t[1]).toBeCloseTo(0.7, 12);
    expect(t[2]).toBeCloseTo(0.7875, 12);
    expect(t[3]).toBe(0.8);
  });

  it('seed: the same fraction of the remaining weights each step', () => {
    // the seed's two rounds of 30 %: 0.3, then 0.3 + 0.7 · 0.3 = 0.51
    const s = pruneTargets(0.51, 2, 'seed');
    expect(s[0]).toBeCloseTo(0.3, 12);
    expect(s[1]).toBe(0.51);
    const h = pruneTargets(0.875, 3, 'seed'); // halves: 0.5, 0.75, 0.875
    expect(h[0]).toBeCloseTo(0.5, 12);
    expect(h[1]).toBeCloseTo(0.75, 12);
    expect(h[2]).toBe(0.875);
  });

  it('one step is the target; zero stays zero; bad arguments throw', () => {
    expect(pruneTargets(0.3, 1, 'agp')).toEqual([0.3]);
    expect(pruneTargets(0.3, 1, 'seed')).toEqual([0.3]);
    expect(pruneTargets(0, 3, 'seed')).toEqual([0, 0, 0]);
    expect(() => pruneTargets(1, 2, 'agp')).toThrow(/got 1/);
    expect(() => pruneTargets(0.5, 0, 'agp')).toThrow(/steps.*got 0/);
    expect(() => pruneTargets(0.5, 2, 'cubic' as 'agp')).toThrow(/got cubic/);
  });
});
