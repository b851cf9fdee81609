/**
 * Distribution of the EKFAC saliencies of all eigen-directions (rows of G and columns of A, every
 * analysed layer) on a log axis, with the selected layer's share of each bin: the global
 * threshold of eigenbasis pruning cuts this histogram from the left.
 */
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame } from './ChartFrame';
import type { LayerSpectrum } from '../worker/lab-types';
import { logHistogram } from './spectra-data';

const BINS = 24;
const HEIGHT = 220;

function saliencies(layers: readonly LayerSpectrum[]): number[] {
  return layers.flatMap((l) => [...l.rowSaliency, ...l.colSaliency]);
}

export function SaliencyHistogram({
  layers,
  selected,
}: {
  layers: readonly LayerSpectrum[];
  selected: LayerSpectrum | null;
}) {
  const { bins, zeros } = useMemo(
    () => logHistogram(saliencies(layers), BINS, selected ? saliencies([selected]) : []),
    [layers, selected],
  );
  return (
    <ChartFrame
      className="chart spectra-chart"
      testId="saliency-histogram"
      label="Distribution of saliencies of all eigen-directions"
      count={bins.length}
      empty="The saliency distribution appears here after an analysis."
      height={HEIGHT}
      after={
        zeros > 0 && <figcaption className="hint">{zeros} directions with zero saliency</figcaption>
      }
    >
      <BarChart
        aria-label="Distribution of saliencies of all eigen-directions"
        data={bins}
        margin={{ top: 8, right: 12, bottom: 4, left: 4 }}
        barGap={-12}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
        <XAxis dataKey="label" tick={{ fontSize: 10 }} interval="preserveStartEnd" />
        <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
        <Tooltip labelFormatter={(l) => `saliency ≈ ${String(l)}`} />
        <Legend />
        <Bar dataKey="count" name="all layers" fill="#9db4d6" isAnimationActive={false} />
        {selected && (
          <Bar dataKey="selected" name={selected.name} fill="#1f4e8c" isAnimationActive={false} />
        )}
      </BarChart>
    </ChartFrame>
  );
}
