/**
 * The largest eigenvalues of the full network's Hessian (Lanczos on exact Hessian-vector
 * products), as bars on a log axis when all are positive (linear otherwise).
 */
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame } from './ChartFrame';
import { sci3 } from '../format/format';
import { topPoints } from './spectra-data';

const HEIGHT = 200;

export function HessianTopChart({ top }: { top: readonly number[] }) {
  const { points, log, floor } = useMemo(() => topPoints(top), [top]);
  return (
    <ChartFrame
      className="chart spectra-chart-small"
      testId="hessian-top-chart"
      label="Top Hessian eigenvalues"
      count={points.length}
      empty="The top Hessian eigenvalues appear here."
      height={HEIGHT}
    >
      <BarChart
        aria-label="Top Hessian eigenvalues"
        data={points}
        margin={{ top: 8, right: 12, bottom: 4, left: 4 }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
        <XAxis dataKey="k" tick={{ fontSize: 11 }} tickFormatter={(k) => `λ${String(k)}`} />
        <YAxis
          {...(log ? { scale: 'log' as const, domain: [floor, 'auto'] } : {})}
          allowDataOverflow
          tickFormatter={sci3}
          tick={{ fontSize: 11 }}
          width={70}
        />
        <Tooltip formatter={sci3} labelFormatter={(k) => `λ${String(k)}`} />
        <Bar dataKey="value" name="eigenvalue" fill="#1f4e8c" isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}
