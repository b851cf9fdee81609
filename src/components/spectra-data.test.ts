// Chart data of the Spectra panel: log-axis series drop what a log axis cannot draw, the
// histogram bins by decades with hand-counted bins, the density floor, the top-k series.
import { describe, expect, it } from 'vitest';
import {
  densityPoints,
  logDomain,
  logFloor,
  logHistogram,
  passSplitText,
  spectrumPoints,
  topPoints,
} from './spectra-data';

describe('spectra chart data', () => {
  it('spectra by rank, leaving out non-positive values', () => {
    expect(spectrumPoints(Float64Array.of(4, 2, 0), Float64Array.of(9, -1))).toEqual([
      { rank: 1, a: 4, g: 9 },
      { rank: 2, a: 2 },
      { rank: 3 },
    ]);
  });

  it('histogram on a log axis, with the selected subset and the zeros apart', () => {
    // log10: 0, 1, 2, 3, 4 over 4 bins of width 1 → [0,1) [1,2) [2,3) [3,4] — 1, 1, 1, 2.
    const values = [1, 10, 100, 1000, 10000, 0];
    const { bins, zeros } = logHistogram(values, 4, [10, 10000]);
    expect(bins.map((b) => b.count)).toEqual([1, 1, 1, 2]);
    expect(bins.map((b) => b.selected)).toEqual([0, 1, 0, 1]);
    expect(bins[0]).toMatchObject({ lo: 0, hi: 1, label: '1e0.5' });
    expect(zeros).toBe(1);
    expect(logHistogram([0, -1], 3)).toEqual({ bins: [], zeros: 2 });
    expect(logHistogram([5, 5], 2).bins.map((b) => b.count)).toEqual([2, 0]);
    expect(() => logHistogram([1], 0)).toThrow('got 0');
  });

  it('density floored for the log axis; top-k log only when positive', () => {
    expect(densityPoints([-1, 0, 1], [0, 2, 1e-9])).toEqual([
      { lambda: -1, density: 2e-6 },
      { lambda: 0, density: 2 },
      { lambda: 1, density: 2e-6 },
    ]);
    expect(() => densityPoints([0], [])).toThrow('1 grid points but 0 values');
    expect(topPoints([3, 1])).toEqual({
      points: [
        { k: 1, value: 3 },
        { k: 2, value: 1 },
      ],
      log: true,
      floor: 0.1, // 1 is the smallest bar: the axis starts a decade lower
    });
    expect(topPoints([3, -1]).log).toBe(false);
    expect(logFloor([250, 37])).toBe(10);
    expect(logFloor([0.002])).toBe(0.001);
    expect(logFloor([-1, 0])).toBe(1);
    expect(logDomain([0.037, 0, 4.2, -3])).toEqual([0.01, 10]);
    expect(logDomain([100])).toEqual([100, 1000]);
    expect(logDomain([])).toEqual([0.1, 1]);
  });

  it('says when a pass ran as micro-batches, and nothing when it ran whole', () => {
    const gb = (n: number) => `${(n / 2 ** 30).toFixed(1)} GB`;
    const split = { batchSize: 32, microBatch: 4, wholeBatchBytes: 6.9 * 2 ** 30 };
    expect(passSplitText('Hessian', split, gb)).toBe(
      'Hessian: batches of 32 ran as micro-batches of 4 (a whole batch ≈ 6.9 GB)',
    );
    expect(passSplitText('Hessian', { ...split, microBatch: 32 }, gb)).toBeNull();
    expect(passSplitText('Hessian', null, gb)).toBeNull();
  });
});
