import { describe, expect, it } from 'vitest';
import { batchCount, batchIndices, epochOrder } from './batcher.ts';

describe('epochOrder', () => {
  it('is a permutation of 0…n−1', () => {
    const o = epochOrder(1000, 42, 0);
    expect(Array.from(o).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('is reproducible per (seed, epoch) and differs across epochs and seeds', () => {
    expect(epochOrder(100, 1, 3)).toEqual(epochOrder(100, 1, 3));
    expect(epochOrder(100, 1, 3)).not.toEqual(epochOrder(100, 1, 4));
    expect(epochOrder(100, 1, 3)).not.toEqual(epochOrder(100, 2, 3));
  });

  it('handles n = 0 and 1 and rejects bad n', () => {
    expect(epochOrder(0, 1, 0)).toEqual(new Uint32Array(0));
    expect(Array.from(epochOrder(1, 1, 0))).toEqual([0]);
    expect(() => epochOrder(-1, 1, 0)).toThrow('bad n -1');
  });
});

describe('batchIndices', () => {
  const order = new Uint32Array([5, 3, 1, 0, 2, 4, 6]);

  it('splits in order, the last batch shorter', () => {
    expect(batchIndices(order, 3).map((b) => Array.from(b))).toEqual([[5, 3, 1], [0, 2, 4], [6]]);
    expect(batchCount(7, 3)).toBe(3);
  });

  it('drops the partial batch with dropLast', () => {
    expect(batchIndices(order, 3, true).map((b) => Array.from(b))).toEqual([
      [5, 3, 1],
      [0, 2, 4],
    ]);
    expect(batchCount(7, 3, true)).toBe(2);
    expect(batchIndices(order, 7, true)).toHaveLength(1);
  });

  it('rejects a bad batch size', () => {
    expect(() => batchIndices(order, 0)).toThrow('positive integer, got 0');
  });
});
