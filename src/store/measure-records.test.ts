// One record per (network, recipe), and the eligibility of every place a score appears: the
// record store merges full and slice figures; History rows show their pair's record (an
// evaluation made later reaches an import's row); the Pareto chart has one point per pair, its
// front runs through full-test points only (slice estimates are flagged); a result of an earlier
// network is stale.
import { describe, expect, it } from 'vitest';
import { scatterData } from '../components/history-data';
import { eligibilityShort } from '../components/eligibility-text';
import type { RunRecord } from '../persist/history-db';
import { eligibilityOf } from './eligibility';
import { findPairRun, runFigures } from './history-pairs';
import {
  bestFigure,
  findRecord,
  mergeMeasurement,
  recordKey,
  type MeasureInput,
  type RecordMap,
} from './measure-records';
import { qualification } from './recipe-run-logic';
import { isStale } from './stack-slice';

const m = (o: Partial<MeasureInput> = {}): MeasureInput => ({
  networkKey: 'osi#1',
  recipeKey: '{}',
  model: 'osi-micronet',
  top1: 0.8026,
  top1EarlyExit: 0.8004,
  n: 10_000,
  exitRate: 0.29,
  source: 'evaluate',
  time: 1,
  ...o,
});

function run(id: string, o: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    kind: 'edit',
    label: id,
    time: 1,
    seconds: null,
    model: 'tiny',
    params: 1,
    recipe: {},
    score: { score: 0.01, paramsTerm: 0.005, opsTerm: 0.005 },
    accuracy: null,
    details: {},
    checkpointId: null,
    checkpointNote: null,
    ...o,
  };
}

describe('measure records', () => {
  it('keeps the full-test figure and the largest slice of a pair', () => {
    let r = mergeMeasurement(undefined, m({ n: 500, top1: 0.02, top1EarlyExit: null, time: 1 }));
    expect(r).toMatchObject({ key: 'osi#1|{}', full: null, slice: { top1: 0.02, n: 500 } });
    r = mergeMeasurement(r, m({ n: 100, top1: 0.5, top1EarlyExit: null, time: 2 }));
    expect(r.slice).toMatchObject({ n: 500, top1: 0.02 }); // a smaller slice does not replace it
    r = mergeMeasurement(r, m({ time: 3 }));
    expect(r.full).toMatchObject({ top1: 0.8004, top1Main: 0.8026, n: 10_000, source: 'evaluate' });
    expect(bestFigure(r)).toBe(r.full);
    expect(eligibilityOf(r)).toMatchObject({ status: 'qualifies', top1: 0.8004 });
  });

  it('finds a record by network and recipe only', () => {
    const r = mergeMeasurement(undefined, m());
    const records: RecordMap = { [r.key]: r };
    expect(findRecord(records, 'osi#1', '{}')).toBe(r);
    expect(findRecord(records, 'osi#2', '{}')).toBeNull();
    expect(findRecord(records, 'osi#1', '{"weightBits":8}')).toBeNull();
    expect(findRecord(records, null, '{}')).toBeNull();
    expect(recordKey('a', 'b')).toBe('a|b');
  });
});

describe('eligibility in every place', () => {
  it('words: qualifies, estimated with its interval, does not qualify, not measured', () => {
    const q = eligibilityOf({ full: { top1: 0.8004 }, slice: null });
    expect(eligibilityShort(q)).toBe('qualifies (80.04 % on 10,000 images)');
    const est = eligibilityOf({ full: null, slice: { top1: 0.8, n: 500 } });
    expect(eligibilityShort(est)).toBe(
      'estimated 80.00 % (95 % interval 76.27 %–83.27 %, 500 images)',
    );
    const low = eligibilityOf({ full: null, slice: { top1: 0.018, n: 500 } });
    expect(eligibilityShort(low)).toBe(
      'does not qualify (1.80 % on 500 images; estimate, 95 % interval 0.95 %–3.39 %)',
    );
    const fullLow = eligibilityOf({ full: { top1: 0.7999 }, slice: null });
    expect(eligibilityShort(fullLow)).toBe('does not qualify (79.99 % on 10,000 images)');
    expect(eligibilityShort(eligibilityOf(null))).toBe('not measured');
  });

  it('History rows: the pair record wins over the saved accuracy; old rows keep theirs', () => {
    const r = mergeMeasurement(undefined, m());
    const records: RecordMap = { [r.key]: r };
    const imported = run('imp', { kind: 'import', networkKey: 'osi#1', accuracy: null });
    expect(eligibilityOf(runFigures(imported, records)).status).toBe('qualifies');
    const old = run('old', { accuracy: { top1: 0.3, n: 50 } });
    expect(eligibilityOf(runFigures(old, records))).toMatchObject({ status: 'fails', n: 50 });
    expect(runFigures(run('none'), records)).toBeNull();
  });

  it('one edit row per pair', () => {
    const rows = [
      run('a', { networkKey: 'k', recipe: { weightBits: 8 } }),
      run('b', { networkKey: 'k' }),
    ];
    expect(findPairRun(rows, 'k', '{"weightBits":8}')?.id).toBe('a');
    expect(findPairRun(rows, 'k', '{}')?.id).toBe('b');
    expect(findPairRun(rows, 'other', '{}')).toBeUndefined();
  });

  it('a recipe run: all 10,000 images qualify at ≥ 80 %, a slice is an estimate', () => {
    expect(qualification({ top1EarlyExit: 0.8004, n: 10_000 }).status).toBe('qualifies');
    expect(qualification({ top1EarlyExit: 0.81, n: 500 }).status).toBe('estimated');
    expect(qualification({ top1EarlyExit: 0.02, n: 32 }).status).toBe('fails');
  });

  it('Pareto: one point per pair, a front of full-test points, estimates flagged', () => {
    const full = mergeMeasurement(undefined, m({ networkKey: 'a' }));
    const slice = mergeMeasurement(undefined, m({ networkKey: 'b', n: 500, top1EarlyExit: 0.9 }));
    const records: RecordMap = { [full.key]: full, [slice.key]: slice };
    const cheap = { score: 0.001, paramsTerm: 0, opsTerm: 0.001 };
    const runs = [
      run('edit-a', { networkKey: 'a' }),
      run('import-a', { kind: 'import', networkKey: 'a' }), // same pair: one point, a network run
      run('edit-b', { networkKey: 'b', score: cheap }), // cheaper and "better" — but an estimate
    ];
    const d = scatterData(runs, new Set(), records);
    expect(d.points.map((p) => [p.id, p.kind, p.status, p.estimated])).toEqual([
      ['edit-a', 'import', 'qualifies', false],
      ['edit-b', 'edit', 'estimated', true],
    ]);
    expect(d.front.map((p) => p.id)).toEqual(['edit-a']);
    expect(d.frontEstimated).toBe(false);
    const only = scatterData([runs[2]!], new Set(), records);
    expect(only.frontEstimated).toBe(true);
    expect(only.points[0]!.interval![0]).toBeLessThan(90);
  });

  it('stale: a result of another network than the current one', () => {
    expect(isStale('a', 'b')).toBe(true);
    expect(isStale('a', 'a')).toBe(false);
    expect(isStale('a', null)).toBe(false);
    expect(isStale(undefined, 'b')).toBe(false);
  });
});
