/**
 * Per-layer sensitivity (recharts lines over the layers in network order): how much top-1
 * (percentage points) or loss each layer alone loses at each candidate width or sparsity, and —
 * for widths and loss — the second-order (Hessian-trace) estimate as dashed lines.
 */
import { useMemo, useState } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { SensitivityReport } from '../protocol/sensitivity';
import {
  sensitivityChartData,
  type SensitivityKind,
  type SensitivityMetric,
} from './sensitivity-data';
import { ChoiceSelect, type ChoiceOptions } from './ChoiceSelect';

const HEIGHT = 300;
const COLOURS = ['#b3261e', '#e07a1f', '#c9a400', '#3b8c3b', '#1f4e8c', '#6b3fa0', '#555'];

const KINDS: ChoiceOptions<SensitivityKind> = [
  ['bits', 'weight widths'],
  ['sparsity', 'extra sparsities'],
];
const METRICS: ChoiceOptions<SensitivityMetric> = [
  ['top1', 'top-1 lost (points)'],
  ['loss', 'loss increase'],
];

const num = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : String(v));

export function SensitivityChart({ report }: { report: SensitivityReport }) {
  const [kind, setKind] = useState<SensitivityKind>('bits');
  const [metric, setMetric] = useState<SensitivityMetric>('top1');
  const { rows, series } = useMemo(
    () => sensitivityChartData(report, kind, metric),
    [report, kind, metric],
  );
  const what = metric === 'top1' ? 'top-1 lost' : 'loss increase';
  const label = `Sensitivity per layer: ${what} at each candidate ${kind === 'bits' ? 'weight width' : 'extra sparsity'}`;
  return (
    <div className="sensitivity-chart">
      <div className="sensitivity-chart-controls">
        <ChoiceSelect label="Candidates" value={kind} options={KINDS} onChange={setKind} />
        <ChoiceSelect label="Show" value={metric} options={METRICS} onChange={setMetric} />
      </div>
      <figure
        className="chart"
        data-testid="sensitivity-chart"
        data-layers={rows.length}
        data-series={series.length}
        aria-label={label}
      >
        <ResponsiveContainer width="100%" height={HEIGHT}>
          <LineChart
            aria-label={label}
            data={rows}
            margin={{ top: 8, right: 12, bottom: 48, left: 4 }}
          >
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
            <XAxis dataKey="layer" tick={{ fontSize: 10 }} angle={-40} textAnchor="end" />
            <YAxis tick={{ fontSize: 11 }} width={60} tickFormatter={num} />
            <Tooltip formatter={num} />
            <Legend verticalAlign="top" height={40} />
            {series.map((s) => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stroke={COLOURS[s.index % COLOURS.length]}
                strokeDasharray={s.estimate ? '5 4' : undefined}
                dot={rows.length <= 40}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
