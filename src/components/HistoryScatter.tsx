/**
 * The History panel's scatter (recharts): top-1 (%) against the MicroNet score on a log axis, the
 * challenge's 80 % line, the reference scores (seed, OSI-AI, 2019 winner — the Score panel's
 * constants), the Pareto front of (score ↓, accuracy ↑) as a line (dashed when it is made of slice
 * estimates), a tooltip per point; a click selects the run. Only qualifying points are solid; a
 * slice estimate is hollow with a dashed ring, a full-test point below 80 % hollow.
 */
import { useMemo } from 'react';
import {
  CartesianGrid,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { RunRecord } from '../persist/history-db';
import type { RecordMap } from '../store/measure-records';
import { ACCURACY_TARGET } from '../store/score-compute';
import { referenceScoreLines } from './reference-score-lines';
import { formatCount } from '../format/format';
import { scatterData, type ScatterPoint } from './history-data';
import { decadeTicks, referenceDomain } from './ScoreReferenceChart';
import { formatScore } from '../format/score-format';

const HEIGHT = 280;
const EDIT_COLOR = '#1f4e8c';
const RUN_COLOR = '#b45309';
const FRONT_COLOR = '#15803d';

/** Log-axis domain over the plotted scores and every reference score (powers of ten). */
export function historyDomain(extent: [number, number] | null): [number, number] {
  return [referenceDomain(extent?.[0] ?? null)[0], referenceDomain(extent?.[1] ?? null)[1]];
}

interface ShapeProps {
  cx?: number;
  cy?: number;
  payload?: ScatterPoint;
}

function PointShape(props: unknown) {
  const { cx, cy, payload: p } = props as ShapeProps;
  if (cx === undefined || cy === undefined || !p) return <g />;
  const color = p.kind === 'edit' ? EDIT_COLOR : RUN_COLOR;
  const solid = p.status === 'qualifies';
  return (
    <circle
      cx={cx}
      cy={cy}
      r={p.selected ? 7 : 5}
      fill={solid ? color : '#ffffff'}
      stroke={p.selected ? '#111827' : solid ? '#ffffff' : color}
      strokeWidth={p.selected || !solid ? 2 : 1}
      strokeDasharray={p.estimated ? '2 2' : undefined}
      style={{ cursor: 'pointer' }}
      data-testid="history-point"
      data-run-id={p.id}
      data-kind={p.kind}
      data-status={p.status}
      data-estimated={p.estimated}
      data-front={p.onFront}
    >
      <title>{`${p.label}: ${tipStatus(p)}`}</title>
    </circle>
  );
}

/** The front's markers: a ring around each point on it (the series' line joins them). */
function FrontShape(props: unknown) {
  const { cx, cy } = props as ShapeProps;
  if (cx === undefined || cy === undefined) return <g />;
  return <circle cx={cx} cy={cy} r={10} fill="none" stroke={FRONT_COLOR} strokeWidth={2} />;
}

function tipStatus(p: ScatterPoint): string {
  const on = `on ${formatCount(p.imagesMeasured)} images`;
  if (p.status === 'qualifies') return `qualifies (${p.y.toFixed(2)} % ${on})`;
  if (p.estimated && p.interval) {
    const [lo, hi] = p.interval;
    const what = p.status === 'fails' ? 'does not qualify; estimate' : 'estimate';
    return `${what} ${p.y.toFixed(2)} % (95 % interval ${lo.toFixed(2)}–${hi.toFixed(2)} %) ${on}`;
  }
  return `does not qualify (${p.y.toFixed(2)} % ${on})`;
}

function PointTip({ active, payload }: { active?: boolean; payload?: readonly unknown[] }) {
  const p = (payload?.[0] as { payload?: ScatterPoint } | undefined)?.payload;
  if (!active || !p) return null;
  return (
    <div className="chart-tip" style={TIP_STYLE}>
      <strong>{p.label}</strong>
      <div>
        {p.kind} · score {formatScore(p.x)} · {tipStatus(p)}
      </div>
      {p.onFront && <div style={{ color: FRONT_COLOR }}>on the Pareto front</div>}
    </div>
  );
}

const TIP_STYLE = {
  background: '#ffffff',
  border: '1px solid #d0d7e2',
  borderRadius: 6,
  padding: '0.35rem 0.6rem',
  fontSize: '0.8rem',
} as const;

export function HistoryScatter({
  runs,
  records,
  selected,
  onSelect,
}: {
  runs: readonly RunRecord[];
  records: RecordMap;
  selected: ReadonlySet<string>;
  onSelect: (id: string) => void;
}) {
  const data = useMemo(() => scatterData(runs, selected, records), [runs, selected, records]);
  const domain = historyDomain(data.extent);
  return (
    <figure
      className="chart history-scatter"
      style={{ height: 'auto', marginBottom: '0.75rem' }}
      data-testid="history-scatter"
      data-points={data.points.length}
      data-front={data.front.length}
      data-front-estimated={data.frontEstimated}
      aria-label="Top-1 accuracy against the MicroNet score (log scale) with the 80 % line, the reference scores and the Pareto front"
    >
      {data.points.length === 0 && (
        <p className="hint">Runs with both a score and a measured accuracy appear here.</p>
      )}
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <ScatterChart
          aria-label="Top-1 accuracy against the MicroNet score (log scale) with the 80 % line, the reference scores and the Pareto front"
          margin={{ top: 28, right: 24, bottom: 8, left: 4 }}
        >
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
          <XAxis
            type="number"
            dataKey="x"
            name="score"
            scale="log"
            domain={domain}
            allowDataOverflow
            ticks={decadeTicks(domain)}
            tick={{ fontSize: 11 }}
            tickFormatter={(v: number) => String(v)}
          />
          <YAxis
            type="number"
            dataKey="y"
            name="top-1"
            domain={[0, 100]}
            unit="%"
            tick={{ fontSize: 11 }}
            width={48}
          />
          <ReferenceLine
            y={ACCURACY_TARGET * 100}
            stroke="#b91c1c"
            strokeDasharray="6 3"
            label={{ value: '80 % target', position: 'insideBottomRight', fontSize: 11 }}
          />
          {referenceScoreLines()}
          <Tooltip content={PointTip} cursor={{ strokeDasharray: '3 3' }} />
          <Scatter
            name="Pareto front"
            data={data.front}
            line={{
              stroke: FRONT_COLOR,
              strokeWidth: 2,
              strokeDasharray: data.frontEstimated ? '6 4' : undefined,
            }}
            lineType="joint"
            shape={FrontShape}
            isAnimationActive={false}
          />
          <Scatter
            name="runs"
            data={data.points}
            shape={PointShape}
            isAnimationActive={false}
            onClick={(item) => {
              const id = (item.payload as ScatterPoint | undefined)?.id;
              if (id) onSelect(id);
            }}
          />
        </ScatterChart>
      </ResponsiveContainer>
      <figcaption className="hint">
        <span style={{ color: EDIT_COLOR }}>●</span> measured recipe{' '}
        <span style={{ color: RUN_COLOR }}>●</span> network run (train, import, prune, recipe run) ·
        solid: qualifies, hollow: below 80 % on all 10,000 images, dashed ring: slice estimate ·{' '}
        <span style={{ color: FRONT_COLOR }}>—</span> Pareto front (lower score, higher accuracy)
        {data.frontEstimated
          ? ', dashed: of slice estimates (no full-test point yet)'
          : ', full-test points only'}
      </figcaption>
    </figure>
  );
}
