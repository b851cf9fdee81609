/**
 * A pruning schedule's curve per finished step: parameters (left axis) and validation top-1
 * (right axis, %), one point per prune step and per grow-back step ("1 prune", "1 grow", …).
 */
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame } from './ChartFrame';
import type { ScheduleIteration } from '../worker/lab-types';
import { formatCount } from '../format/format';

const HEIGHT = 220;

export function PruneScheduleChart({ history }: { history: readonly ScheduleIteration[] }) {
  const rows = useMemo(
    () =>
      history.map((h, i) => ({
        ...h,
        stepNo: i + 1,
        accuracy: h.top1 * 100,
        label: `${h.iteration} ${h.step}`,
      })),
    [history],
  );
  return (
    <ChartFrame
      className="chart schedule-chart"
      testId="prune-schedule-chart"
      label="Parameters and accuracy per schedule step"
      count={rows.length}
      empty="Parameters and accuracy per step appear here."
      height={HEIGHT}
    >
      <LineChart
        aria-label="Parameters and accuracy per schedule step"
        data={rows}
        margin={{ top: 8, right: 8, bottom: 4, left: 4 }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
        <XAxis
          dataKey="stepNo"
          type="number"
          domain={['dataMin', 'dataMax']}
          allowDecimals={false}
          ticks={rows.map((r) => r.stepNo)}
          tickFormatter={(v: number) => rows[v - 1]?.label ?? ''}
          tick={{ fontSize: 11 }}
        />
        <YAxis
          yAxisId="params"
          tickFormatter={(v: number) => formatCount(v)}
          tick={{ fontSize: 11 }}
          width={70}
          domain={['auto', 'auto']}
        />
        <YAxis
          yAxisId="acc"
          orientation="right"
          domain={[0, 100]}
          unit="%"
          tick={{ fontSize: 11 }}
          width={44}
        />
        <Tooltip
          labelFormatter={(l) => `step ${rows[Number(l) - 1]?.label ?? String(l)}`}
          formatter={(v, name) =>
            typeof v === 'number'
              ? name === 'parameters'
                ? formatCount(v)
                : `${v.toFixed(2)} %`
              : String(v)
          }
        />
        <Legend />
        <Line
          yAxisId="params"
          dataKey="params"
          name="parameters"
          stroke="#1f4e8c"
          isAnimationActive={false}
        />
        <Line
          yAxisId="acc"
          dataKey="accuracy"
          name="top-1"
          stroke="#15803d"
          isAnimationActive={false}
        />
      </LineChart>
    </ChartFrame>
  );
}
