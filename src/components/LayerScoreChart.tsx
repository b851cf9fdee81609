/**
 * Share of the score per layer (recharts bars), the largest MAX_BARS rows and the rest summed
 * as "other", so an 800-layer net stays one small chart.
 */
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame } from './ChartFrame';
import type { LayerScore } from '../core/score/index';

const MAX_BARS = 12;
const BAR_PX = 20;

export interface ShareBar {
  name: string;
  /** Percent of the score. */
  share: number;
}

/** The `max` largest shares (percent), the rest summed into "other (n layers)". */
export function topShares(layers: readonly LayerScore[], max: number): ShareBar[] {
  const sorted = [...layers].sort((a, b) => b.share - a.share);
  const top = sorted.slice(0, max).map((l) => ({ name: l.name, share: l.share * 100 }));
  const rest = sorted.slice(max);
  if (rest.length > 0) {
    const share = rest.reduce((a, l) => a + l.share, 0) * 100;
    top.push({ name: `other (${rest.length} rows)`, share });
  }
  return top;
}

export function LayerScoreChart({ layers }: { layers: readonly LayerScore[] }) {
  const bars = useMemo(() => topShares(layers, MAX_BARS), [layers]);
  const height = Math.max(120, bars.length * BAR_PX + 40);
  return (
    <ChartFrame
      className="layer-chart"
      testId="layer-chart"
      label="Share of the score per layer"
      count={bars.length}
      countAttr="data-bars"
      empty="The share of each layer appears here."
      height={height}
    >
      <BarChart
        aria-label="Share of the score per layer"
        data={bars}
        layout="vertical"
        margin={{ top: 4, right: 16, bottom: 4, left: 4 }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" horizontal={false} />
        <XAxis type="number" unit="%" tick={{ fontSize: 11 }} domain={[0, 'auto']} />
        <YAxis type="category" dataKey="name" width={150} tick={{ fontSize: 11 }} interval={0} />
        <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(2)} %` : String(v))} />
        <Bar dataKey="share" name="share of the score" fill="#1f4e8c" isAnimationActive={false} />
      </BarChart>
    </ChartFrame>
  );
}
