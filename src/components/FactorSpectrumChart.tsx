/**
 * Eigenvalue spectra of one layer's two Kronecker factors (K-FAC, Martens & Grosse 2015): A, the
 * covariance of the layer's inputs, and G, that of its output gradients, by rank on a log axis.
 * A steep fall means few directions matter — the room eigenbasis pruning (EigenDamage) uses.
 */
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame } from './ChartFrame';
import type { LayerSpectrum } from '../worker/lab-types';
import { sci } from '../format/format';
import { logDomain, spectrumPoints } from './spectra-data';

const HEIGHT = 240;

export function FactorSpectrumChart({ layer }: { layer: LayerSpectrum | null }) {
  const domain = useMemo(
    () => (layer ? logDomain([...layer.eigA, ...layer.eigG]) : ([0.1, 1] as [number, number])),
    [layer],
  );
  const points = useMemo(() => (layer ? spectrumPoints(layer.eigA, layer.eigG) : []), [layer]);
  const label = `Kronecker factor spectra${layer ? ` of ${layer.name}` : ''}`;
  return (
    <ChartFrame
      className="chart spectra-chart"
      testId="factor-spectrum-chart"
      label={label}
      count={points.length}
      empty="The eigenvalues of A and G appear here after an analysis."
      height={HEIGHT}
    >
      <LineChart
        aria-label={label}
        data={points}
        margin={{ top: 8, right: 12, bottom: 4, left: 4 }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
        <XAxis
          dataKey="rank"
          type="number"
          domain={[1, 'dataMax']}
          allowDecimals={false}
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
        <Tooltip formatter={sci} labelFormatter={(l) => `rank ${String(l)}`} />
        <Legend />
        <Line
          dataKey="a"
          name="A (inputs)"
          stroke="#1f4e8c"
          dot={points.length < 40}
          connectNulls={false}
          isAnimationActive={false}
        />
        <Line
          dataKey="g"
          name="G (output gradients)"
          stroke="#c2410c"
          dot={points.length < 40}
          connectNulls={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}
