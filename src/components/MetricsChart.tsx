/**
 * Training curves: loss (left axis) and batch top-1 accuracy in % (right axis) against the step,
 * drawn with recharts. Fixed height, so the panel does not jump when the first point arrives;
 * long runs are thinned to at most MAX_POINTS points (keeping the last one).
 */
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame } from './ChartFrame';
import type { MetricPoint } from '../worker/lab-types';

const MAX_POINTS = 500;
const HEIGHT = 260;

interface Row {
  step: number;
  loss: number;
  accuracy: number;
}

/** Every k-th point so that at most `max` remain, always including the last. */
export function thin<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return points.slice();
  const k = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % k === 0);
  const last = points[points.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) out.push(last);
  return out;
}

export function MetricsChart({ points }: { points: MetricPoint[] }) {
  const rows = useMemo<Row[]>(
    () =>
      thin(points, MAX_POINTS).map((p) => ({
        step: p.step,
        loss: p.loss,
        accuracy: p.accuracy * 100,
      })),
    [points],
  );
  const dots = rows.length < 40;
  return (
    <ChartFrame
      className="chart"
      testId="metrics-chart"
      label="Training loss and accuracy by step"
      count={points.length}
      empty="Loss and accuracy curves appear here."
      height={HEIGHT}
    >
      <LineChart
        aria-label="Training loss and accuracy by step"
        data={rows}
        margin={{ top: 8, right: 8, bottom: 4, left: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
        <XAxis
          dataKey="step"
          type="number"
          domain={['dataMin', 'dataMax']}
          allowDecimals={false}
          tick={{ fontSize: 12 }}
        />
        <YAxis yAxisId="loss" tick={{ fontSize: 12 }} width={44} domain={[0, 'auto']} />
        <YAxis
          yAxisId="acc"
          orientation="right"
          domain={[0, 100]}
          unit="%"
          tick={{ fontSize: 12 }}
          width={48}
        />
        <Tooltip
          formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))}
          labelFormatter={(l) => `step ${String(l)}`}
        />
        <Legend verticalAlign="top" height={24} />
        <Line
          yAxisId="loss"
          dataKey="loss"
          name="loss"
          stroke="#c2410c"
          dot={dots}
          strokeWidth={2}
          isAnimationActive={false}
        />
        <Line
          yAxisId="acc"
          dataKey="accuracy"
          name="batch accuracy (%)"
          stroke="#1f4e8c"
          dot={dots}
          strokeWidth={2}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}
