// The eligibility rule: qualifies only with ≥ 8,000 of the 10,000 test images for this network
// and recipe; a slice is an estimate with a Wilson 95 % interval; stale measurements do not count.
import { describe, expect, it } from 'vitest';
import { eligibility, wilsonInterval } from './eligibility';
import type { Measurement } from './score-slice';

function m(o: Partial<Measurement>): Measurement {
  return {
    kind: 'full',
    recipeKey: 'K',
    networkId: 1,
    networkKey: 'tiny#1',
    top1: 0.81,
    top5: 0.95,
    loss: 1,
    n: 10_000,
    imagesPerSecond: 100,
    top1EarlyExit: null,
    exitRate: null,
    layerSparsity: {},
    calibratedOn: 'train',
    limit: null,
    seconds: 1,
    ...o,
  };
}

describe('eligibility', () => {
  it('full test set: 8,000 correct qualifies, 7,999 does not (early exit counts when measured)', () => {
    expect(eligibility([m({ top1: 0.8 })], 'K', 1).status).toBe('qualifies');
    expect(eligibility([m({ top1: 0.7999 })], 'K', 1).status).toBe('fails');
    const ee = m({ top1: 0.8026, top1EarlyExit: 0.7999 });
    expect(eligibility([ee], 'K', 1)).toMatchObject({ status: 'fails', top1: 0.7999 });
  });

  it('a slice is an estimate with its interval, or fails when even its upper bound is below 80 %', () => {
    const e = eligibility([null, m({ kind: 'validation', n: 500, top1: 0.8 })], 'K', 1);
    expect(e.status).toBe('estimated');
    expect(e.interval![0]).toBeLessThan(0.8);
    expect(e.interval![1]).toBeGreaterThan(0.8);
    const low = eligibility([m({ kind: 'validation', n: 500, top1: 0.02 })], 'K', 1);
    expect(low.status).toBe('fails');
  });

  it('measurements of another recipe or network do not count', () => {
    expect(eligibility([m({ recipeKey: 'other' })], 'K', 1).status).toBe('unmeasured');
    expect(eligibility([m({ networkId: 2 })], 'K', 1).status).toBe('unmeasured');
    expect(eligibility([null, null], 'K', null).status).toBe('unmeasured');
  });

  it('Wilson interval: 80 % of 500 → about 76.3–83.3 %; bad input is refused', () => {
    const [lo, hi] = wilsonInterval(0.8, 500);
    expect(lo).toBeCloseTo(0.7627, 3);
    expect(hi).toBeCloseTo(0.8327, 3);
    expect(() => wilsonInterval(0.5, 0)).toThrow(/n 0/);
  });
});
