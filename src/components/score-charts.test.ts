import { describe, expect, it } from 'vitest';
import type { LayerScore } from '../core/score/index';
import { topShares } from './LayerScoreChart';
import { ROW_PX, visibleRange } from './LayerScoreTable';
import { decadeTicks, referenceDomain } from './ScoreReferenceChart';

const layer = (name: string, share: number) => ({ name, share }) as LayerScore;

describe('score panel charts and table', () => {
  it('keeps the largest shares and sums the rest', () => {
    const bars = topShares(
      [layer('a', 0.1), layer('b', 0.5), layer('c', 0.15), layer('d', 0.25)],
      2,
    );
    expect(bars.map((b) => b.name)).toEqual(['b', 'd', 'other (2 rows)']);
    expect(bars[2]!.share).toBeCloseTo(25, 10);
    expect(topShares([layer('a', 1)], 2)).toEqual([{ name: 'a', share: 100 }]);
  });

  it('renders only the visible window of an 800-row table', () => {
    expect(visibleRange(0, 5)).toEqual([0, 5]);
    expect(visibleRange(0, 2000)).toEqual([0, 18]);
    expect(visibleRange(100 * ROW_PX, 2000)).toEqual([94, 118]);
    expect(visibleRange(1999 * ROW_PX, 2000)).toEqual([1993, 2000]);
  });

  it('puts the score and every reference on the log axis', () => {
    expect(referenceDomain(null)).toEqual([0.001, 0.1]);
    expect(referenceDomain(0.00027)).toEqual([0.0001, 0.1]);
    expect(referenceDomain(1.5)).toEqual([0.001, 10]);
    expect(decadeTicks([0.0001, 0.1])).toEqual([0.0001, 0.001, 0.01, 0.1]);
  });
});
