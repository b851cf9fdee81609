/**
 * Chart data of the sensitivity view (pure; unit-tested): one row per layer in network order,
 * one series per candidate width (or sparsity) — how much the layer alone loses there: top-1 in
 * percentage points, or loss — and, for widths and loss, the second-order (Hessian-trace)
 * estimate of the same loss increase as dashed series.
 */
import type { SensitivityReport } from '../protocol/sensitivity';

export type SensitivityKind = 'bits' | 'sparsity';
export type SensitivityMetric = 'top1' | 'loss';

export interface SensitivitySeries {
  /** Row key of the series. */
  key: string;
  label: string;
  /** The second-order estimate (drawn dashed). */
  estimate: boolean;
  /** Index of the candidate (the colour). */
  index: number;
}

export type SensitivityRow = { layer: string } & Record<string, number | string>;

export interface SensitivityChartData {
  rows: SensitivityRow[];
  series: SensitivitySeries[];
}

/** Distinct candidate values of `kind` over all layers, ascending. */
export function candidateValues(r: SensitivityReport, kind: SensitivityKind): number[] {
  const set = new Set<number>();
  for (const l of r.layers) for (const p of l[kind]) set.add(p.value);
  return [...set].sort((a, b) => a - b);
}

function valueLabel(kind: SensitivityKind, v: number): string {
  return kind === 'bits' ? `${v} bits` : `${Math.round(v * 1000) / 10} % sparsity`;
}

export function sensitivityChartData(
  r: SensitivityReport,
  kind: SensitivityKind,
  metric: SensitivityMetric,
): SensitivityChartData {
  const values = candidateValues(r, kind);
  const key = (v: number) => `${kind}-${v}`;
  const estKey = (v: number) => `est-${v}`;
  const withEstimate =
    kind === 'bits' && metric === 'loss' && r.layers.some((l) => l.secondOrder !== undefined);
  const series: SensitivitySeries[] = values.map((v, index) => ({
    key: key(v),
    label: valueLabel(kind, v),
    estimate: false,
    index,
  }));
  if (withEstimate)
    values.forEach((v, index) =>
      series.push({
        key: estKey(v),
        label: `${v} bits, 2nd-order estimate`,
        estimate: true,
        index,
      }),
    );
  const rows = r.layers.map((l) => {
    const row: SensitivityRow = { layer: l.layer };
    for (const p of l[kind])
      row[key(p.value)] = metric === 'top1' ? (r.base.top1 - p.top1) * 100 : p.loss - r.base.loss;
    if (withEstimate)
      for (const e of l.secondOrder ?? [])
        if (values.includes(e.bits)) row[estKey(e.bits)] = e.deltaLoss;
    return row;
  });
  return { rows, series };
}

/** The `k` layers that lose the most top-1 at the narrowest candidate width, worst first. */
export function mostSensitive(r: SensitivityReport, k: number): { layer: string; drop: number }[] {
  const narrowest = candidateValues(r, 'bits')[0];
  if (narrowest === undefined) return [];
  return r.layers
    .map((l) => {
      const p = l.bits.find((b) => b.value === narrowest);
      return { layer: l.layer, drop: p ? r.base.top1 - p.top1 : 0 };
    })
    .sort((a, b) => b.drop - a.drop)
    .slice(0, k);
}
