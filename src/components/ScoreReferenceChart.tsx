/**
 * Where the score sits among the references — the seed (0.0467), OSI-AI (0.0058) and the 2019
 * winner (0.0044) — on a log axis (recharts: one point, one reference line each).
 */
import { ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, XAxis, YAxis } from 'recharts';
import { REFERENCE_SCORES } from '../store/score-compute.ts';
import { formatScore } from './score-format.ts';

const HEIGHT = 110;

const formatLabel = (v: unknown) => (typeof v === 'number' ? formatScore(v) : '');

/** Log-axis domain covering the score and every reference, with some margin. */
export function referenceDomain(score: number | null): [number, number] {
  const values = [...REFERENCE_SCORES.map((r) => r.score), ...(score && score > 0 ? [score] : [])];
  const lo = Math.min(...values) / 2;
  const hi = Math.max(...values) * 2;
  const decade = (e: number) => Number((10 ** e).toPrecision(1));
  return [decade(Math.floor(Math.log10(lo))), decade(Math.ceil(Math.log10(hi)))];
}

/** Powers of ten from lo to hi (the log axis' ticks). */
export function decadeTicks([lo, hi]: [number, number]): number[] {
  const out: number[] = [];
  for (let e = Math.round(Math.log10(lo)); e <= Math.round(Math.log10(hi)); e++) {
    out.push(Number((10 ** e).toPrecision(1)));
  }
  return out;
}

export function ScoreReferenceChart({ score }: { score: number | null }) {
  const domain = referenceDomain(score);
  const data = score && score > 0 ? [{ x: score, y: 0 }] : [];
  return (
    <figure
      className="score-reference"
      data-testid="score-reference"
      aria-label="The score against the seed, OSI-AI and the 2019 winner (log scale)"
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <ScatterChart margin={{ top: 28, right: 16, bottom: 4, left: 16 }}>
          <XAxis
            type="number"
            dataKey="x"
            scale="log"
            domain={domain}
            allowDataOverflow
            ticks={decadeTicks(domain)}
            tick={{ fontSize: 11 }}
            tickFormatter={(v: number) => String(v)}
          />
          <YAxis type="number" dataKey="y" hide domain={[-1, 1]} />
          {REFERENCE_SCORES.map((r, i) => (
            <ReferenceLine
              key={r.key}
              x={r.score}
              stroke="#8a94a6"
              strokeDasharray="4 3"
              label={{
                value: `${r.label} ${r.score}`,
                position: i % 2 === 0 ? 'top' : 'insideTopRight',
                fontSize: 11,
                fill: '#5b6678',
              }}
            />
          ))}
          <Scatter
            data={data}
            fill="#1f4e8c"
            isAnimationActive={false}
            name="this recipe"
            label={{ dataKey: 'x', position: 'bottom', fontSize: 11, formatter: formatLabel }}
          />
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}
