/**
 * Spectral density of the Hessian by stochastic Lanczos quadrature (Ghorbani et al. 2019): the
 * Gaussian-broadened Ritz values of a few random probes, weighted by their squared first
 * components, on a log density axis (most mass sits near 0, the outliers carry the curvature).
 */
import { useMemo } from 'react';
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame } from './ChartFrame';
import { sci } from '../format/format';
import { densityPoints, logDomain } from './spectra-data';

const HEIGHT = 200;

export function HessianDensityChart({
  grid,
  values,
}: {
  grid: readonly number[];
  values: readonly number[];
}) {
  const points = useMemo(() => densityPoints(grid, values), [grid, values]);
  const domain = useMemo(() => logDomain(points.map((p) => p.density)), [points]);
  return (
    <ChartFrame
      className="chart spectra-chart-small"
      testId="hessian-density-chart"
      label="Hessian spectral density"
      count={points.length}
      empty="The Hessian's spectral density appears here."
      height={HEIGHT}
    >
      <AreaChart
        aria-label="Hessian spectral density"
        data={points}
        margin={{ top: 8, right: 12, bottom: 4, left: 4 }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
        <XAxis
          dataKey="lambda"
          type="number"
          domain={['dataMin', 'dataMax']}
          tickFormatter={sci}
          tick={{ fontSize: 11 }}
        />
        <YAxis
          scale="log"
          domain={domain}
          allowDataOverflow
          tickFormatter={sci}
          tick={{ fontSize: 11 }}
          width={64}
        />
        <Tooltip formatter={sci} labelFormatter={(l) => `λ = ${sci(l)}`} />
        <Area
          dataKey="density"
          name="density"
          stroke="#1f4e8c"
          fill="#c7d6ec"
          isAnimationActive={false}
        />
      </AreaChart>
    </ChartFrame>
  );
}
