// Global-threshold selection of kept eigen-directions with a per-layer cap, on hand-made scores.
import { describe, expect, it } from 'vitest';
import { globalThreshold, selectKept, type LayerScores } from './select';

// pooled, sorted: 0.1 0.2 0.3 0.5 1 2 3 4 5 8 9 10 (12 scores)
const LAYERS: LayerScores[] = [
  { name: 'a', rowSaliency: [5, 1, 3, 0.5], colSaliency: [2, 4] },
  { name: 'b', rowSaliency: [10, 9], colSaliency: [0.1, 0.2, 0.3, 8] },
];

describe('selectKept', () => {
  it('pruneRatio 0.25: threshold 0.3; layer b loses 3 of 4 columns > cap 2 → its own 2 lowest', () => {
    expect(globalThreshold(LAYERS, 0.25)).toBe(0.3);
    expect(selectKept(LAYERS, { pruneRatio: 0.25 })).toEqual({
      a: { keepRows: [0, 1, 2, 3], keepCols: [0, 1], rowsCapped: false, colsCapped: false },
      b: { keepRows: [0, 1], keepCols: [2, 3], rowsCapped: false, colsCapped: true },
    });
  });

  it('pruneRatio 0.5: threshold 2; layer a loses exactly its cap', () => {
    expect(globalThreshold(LAYERS, 0.5)).toBe(2);
    const kept = selectKept(LAYERS, { pruneRatio: 0.5 });
    expect(kept.a).toEqual({
      keepRows: [0, 2],
      keepCols: [1],
      rowsCapped: false,
      colsCapped: false,
    });
    expect(kept.b).toEqual({
      keepRows: [0, 1],
      keepCols: [2, 3],
      rowsCapped: false,
      colsCapped: true,
    });
  });

  it('a looser limit lets more go; at least one direction always stays', () => {
    const kept = selectKept(LAYERS, { pruneRatio: 0.5, limit: 1 });
    expect(kept.b!.keepCols).toEqual([3]);
    const flat = selectKept([{ name: 'f', rowSaliency: [1, 1, 1], colSaliency: [1, 1] }], {
      pruneRatio: 0.9,
      limit: 1,
    });
    expect(flat.f).toEqual({ keepRows: [2], keepCols: [1], rowsCapped: true, colsCapped: true });
  });

  it('pruneRatio 0 keeps everything', () => {
    expect(globalThreshold(LAYERS, 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(selectKept(LAYERS, { pruneRatio: 0 }).b!.keepCols).toEqual([0, 1, 2, 3]);
  });

  it('fails on bad ratios, non-finite scores and duplicate names', () => {
    expect(() => selectKept(LAYERS, { pruneRatio: 1 })).toThrow(
      /pruneRatio must be in \[0, 1\), got 1/,
    );
    expect(() => selectKept(LAYERS, { pruneRatio: 0.2, limit: 2 })).toThrow(/limit .* got 2/);
    const bad = [{ name: 'x', rowSaliency: [1, NaN], colSaliency: [1] }];
    expect(() => selectKept(bad, { pruneRatio: 0.2 })).toThrow(/layer 'x': score 1 is NaN/);
    expect(() => selectKept([LAYERS[0]!, LAYERS[0]!], { pruneRatio: 0.2 })).toThrow(
      /'a' appears twice/,
    );
  });
});
