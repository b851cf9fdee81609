// Chart data of the sensitivity view: one row per layer, a series per candidate, top-1 lost in
// percentage points or the loss increase against the base, second-order estimates (loss, widths
// only) as extra series for the measured widths; the most sensitive layers at the narrowest width.
import { describe, expect, it } from 'vitest';
import type { SensitivityReport } from '../protocol/sensitivity';
import { candidateValues, mostSensitive, sensitivityChartData } from './sensitivity-data';

const report: SensitivityReport = {
  n: 100,
  base: { loss: 2, top1: 0.5 },
  layers: [
    {
      layer: 'conv1',
      op: 'conv2d',
      params: 432,
      bits: [
        { value: 2, loss: 3, top1: 0.2 },
        { value: 8, loss: 2.01, top1: 0.5 },
      ],
      sparsity: [{ value: 0.5, loss: 2.5, top1: 0.4 }],
      hessianTrace: 10,
      secondOrder: [
        { bits: 2, deltaLoss: 0.9 },
        { bits: 4, deltaLoss: 0.2 },
        { bits: 8, deltaLoss: 0.004 },
      ],
    },
    {
      layer: 'fc',
      op: 'dense',
      params: 6400,
      bits: [
        { value: 2, loss: 2.2, top1: 0.45 },
        { value: 4, loss: 2.05, top1: 0.49 },
      ],
      sparsity: [{ value: 0.5, loss: 2.1, top1: 0.5 }],
    },
  ],
  recipe: {},
  seconds: 3,
};

describe('sensitivity chart data', () => {
  it('top-1 lost per layer and width, in points', () => {
    expect(candidateValues(report, 'bits')).toEqual([2, 4, 8]);
    const { rows, series } = sensitivityChartData(report, 'bits', 'top1');
    expect(series.map((s) => [s.key, s.label, s.estimate])).toEqual([
      ['bits-2', '2 bits', false],
      ['bits-4', '4 bits', false],
      ['bits-8', '8 bits', false],
    ]);
    expect(rows[0]!.layer).toBe('conv1');
    expect(rows[0]!['bits-2']).toBeCloseTo(30, 10);
    expect(rows[0]!['bits-8']).toBeCloseTo(0, 10);
    expect(rows[0]!['bits-4']).toBeUndefined(); // not measured for conv1
    expect(rows[1]!['bits-4']).toBeCloseTo(1, 10);
  });

  it('loss increase with the second-order estimate at the measured widths', () => {
    const { rows, series } = sensitivityChartData(report, 'bits', 'loss');
    expect(series.filter((s) => s.estimate).map((s) => s.key)).toEqual(['est-2', 'est-4', 'est-8']);
    expect(rows[0]).toMatchObject({ 'est-2': 0.9, 'est-4': 0.2, 'est-8': 0.004 });
    expect(rows[0]!['bits-2']).toBeCloseTo(1, 10);
    expect(rows[1]!['est-2']).toBeUndefined(); // fc has no estimate
    // Sparsity: no estimate series.
    const sp = sensitivityChartData(report, 'sparsity', 'loss');
    expect(sp.series.map((s) => s.label)).toEqual(['50 % sparsity']);
    expect(sp.rows[1]!['sparsity-0.5']).toBeCloseTo(0.1, 10);
  });

  it('ranks layers by the top-1 lost at the narrowest width', () => {
    const top = mostSensitive(report, 1);
    expect(top.map((t) => t.layer)).toEqual(['conv1']);
    expect(top[0]!.drop).toBeCloseTo(0.3, 10);
  });
});
