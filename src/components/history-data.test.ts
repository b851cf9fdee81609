// History panel data: the Pareto front of (score ↓, accuracy ↑) on hand-made points (dominated
// points dropped, ties, duplicates, a single point), the scatter's points / front / extent,
// and the compare rows with their differences.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../persist/history-db';
import { compareRows, paretoFront, scatterData } from './history-data';

const p = (id: string, score: number, accuracy: number) => ({ id, score, accuracy });
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

describe('paretoFront', () => {
  it('keeps the points no other beats on both score and accuracy', () => {
    const pts = [
      p('a', 0.01, 0.7),
      p('b', 0.02, 0.8),
      p('c', 0.03, 0.75), // dominated by b (lower score, higher accuracy)
      p('d', 0.005, 0.6),
      p('e', 0.04, 0.85),
      p('f', 0.02, 0.5), // dominated by a
    ];
    expect(ids(paretoFront(pts))).toEqual(['d', 'a', 'b', 'e']);
  });

  it('breaks ties: equal score keeps the more accurate, equal accuracy the cheaper', () => {
    expect(ids(paretoFront([p('lo', 0.01, 0.6), p('hi', 0.01, 0.7)]))).toEqual(['hi']);
    expect(ids(paretoFront([p('dear', 0.02, 0.7), p('cheap', 0.01, 0.7)]))).toEqual(['cheap']);
  });

  it('keeps exact duplicates (neither dominates the other)', () => {
    expect(ids(paretoFront([p('x', 0.01, 0.7), p('y', 0.01, 0.7), p('z', 0.02, 0.6)]))).toEqual([
      'x',
      'y',
    ]);
  });

  it('handles a single point and none', () => {
    expect(ids(paretoFront([p('only', 0.3, 0.1)]))).toEqual(['only']);
    expect(paretoFront([])).toEqual([]);
  });
});

function run(id: string, over: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    kind: 'edit',
    label: id,
    time: 1,
    seconds: null,
    model: 'tiny',
    params: 30196,
    recipe: {},
    score: { score: 0.01, paramsTerm: 0.004, opsTerm: 0.006 },
    accuracy: { top1: 0.5, n: 100 },
    details: {},
    checkpointId: 'c1',
    checkpointNote: null,
    ...over,
  };
}

describe('scatterData', () => {
  it('plots measured runs only, marks the front and the selection, spans the references', () => {
    const runs = [
      run('a', { score: { score: 0.002, paramsTerm: 0.001, opsTerm: 0.001 } }),
      run('b', { accuracy: { top1: 0.9, n: 500 } }),
      run('c', { accuracy: { top1: 0.4, n: 500 } }), // same score as b, less accurate
      run('no-acc', { accuracy: null }),
      run('no-score', { score: null }),
    ];
    const d = scatterData(runs, new Set(['c']));
    expect(ids(d.points)).toEqual(['a', 'b', 'c']);
    expect(d.points.map((x) => x.y)).toEqual([50, 90, 40]);
    expect(ids(d.front)).toEqual(['a', 'b']);
    expect(d.points.find((x) => x.id === 'c')).toMatchObject({ onFront: false, selected: true });
    expect(d.extent).toEqual([0.002, 0.01]);
    expect(scatterData([], new Set()).extent).toBeNull();
  });
});

describe('compareRows', () => {
  it('flags the differing fields and fills recipe fields one run leaves out', () => {
    const a = run('a', { recipe: { sparsity: 0.5, layerBits: { fc: { weight: 4 } } } });
    const b = run('b', {
      recipe: { sparsity: 0.5, weightBits: 8 },
      accuracy: { top1: 0.625, n: 100 },
      checkpointId: null,
      checkpointNote: 'over the 64 MB cap',
    });
    const rows = compareRows(a, b);
    const byField = Object.fromEntries(rows.map((r) => [r.field, r]));
    expect(byField['top-1']).toEqual({ field: 'top-1', a: '50.00 %', b: '62.50 %', differs: true });
    expect(byField['score']!.differs).toBe(false);
    expect(byField['parameters']).toMatchObject({ a: '30,196', differs: false });
    expect(byField['checkpoint']).toMatchObject({ a: 'saved', b: 'over the 64 MB cap' });
    expect(byField['recipe.sparsity']).toMatchObject({ a: '0.5', b: '0.5', differs: false });
    expect(byField['recipe.weightBits']).toMatchObject({ a: 'default', b: '8', differs: true });
    expect(byField['recipe.layerBits.fc.weight']).toMatchObject({ a: '4', b: 'default' });
    expect(rows.filter((r) => r.differs).map((r) => r.field)).toEqual([
      'label',
      'top-1',
      'checkpoint',
      'recipe.layerBits.fc.weight',
      'recipe.weightBits',
    ]);
  });

  it('shows one recipe row for two empty recipes', () => {
    const rows = compareRows(run('a'), run('a'));
    expect(rows.some((r) => r.differs)).toBe(false);
    expect(rows[rows.length - 1]).toEqual({ field: 'recipe', a: '{}', b: '{}', differs: false });
  });
});
