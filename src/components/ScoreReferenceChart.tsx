/**
 * Where the score sits among the references — the seed (0.0467), OSI-AI (0.0058) and the 2019
 * winner (0.0044) — on a log axis (recharts: one point, one reference line each). Only a
 * qualifying score (eligibility.ts) is drawn solid; an estimate (a slice only) is drawn hollow
 * and labelled "estimate", any other hollow and grey, labelled so: it beats nothing.
 */
import type { EligibilityStatus } from '../store/eligibility';
import { ResponsiveContainer, Scatter, ScatterChart, XAxis, YAxis } from 'recharts';
import { REFERENCE_SCORES } from '../store/score-compute';
import { referenceScoreLines } from './reference-score-lines';
import { formatScore } from '../format/score-format';

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

const SUFFIX: Record<EligibilityStatus, string> = {
  qualifies: '',
  estimated: ' (estimate: measure the full test set)',
  fails: ' (does not qualify)',
  unmeasured: ' (not measured)',
};

export function ScoreReferenceChart({
  score,
  status = 'unmeasured',
}: {
  score: number | null;
  status?: EligibilityStatus;
}) {
  const qualifies = status === 'qualifies';
  const domain = referenceDomain(score);
  const data = score && score > 0 ? [{ x: score, y: 0 }] : [];
  const label = (v: unknown) => `${formatLabel(v)}${SUFFIX[status]}`;
  return (
    <figure
      className="score-reference"
      data-testid="score-reference"
      data-qualifies={qualifies}
      data-status={status}
      aria-label={`The score against the seed, OSI-AI and the 2019 winner (log scale)${qualifies ? '' : '; it does not qualify (yet), so it is compared with nothing'}`}
    >
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <ScatterChart
          aria-label={`The score against the seed, OSI-AI and the 2019 winner (log scale)${qualifies ? '' : '; it does not qualify (yet), so it is compared with nothing'}`}
          margin={{ top: 28, right: 16, bottom: 4, left: 16 }}
        >
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
          {referenceScoreLines()}
          <Scatter
            data={data}
            fill={qualifies ? '#1f4e8c' : '#ffffff'}
            stroke={qualifies || status === 'estimated' ? '#1f4e8c' : '#8a94a6'}
            strokeDasharray={status === 'estimated' ? '2 2' : undefined}
            isAnimationActive={false}
            name="this recipe"
            label={{ dataKey: 'x', position: 'bottom', fontSize: 11, formatter: label }}
          />
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}
