/**
 * An accuracy with the challenge's 80 % line: the figure, a bar filled to it with a mark at
 * 80 %, and whether it clears the line.
 */
import { ACCURACY_TARGET } from '../store/score-compute';
import { formatPercent } from '../format/format';

export interface AccuracyBadgeProps {
  /** Top-1 in [0, 1]; null while unknown. */
  top1: number | null;
  label: string;
  /** e.g. "500 test images"; shown under the figure. */
  detail?: string;
  /** Greyed out: measured for another recipe. */
  stale?: boolean;
  testId?: string;
}

export function AccuracyBadge({ top1, label, detail, stale, testId }: AccuracyBadgeProps) {
  const pass = top1 !== null && top1 >= ACCURACY_TARGET;
  const line = `${ACCURACY_TARGET * 100} % line`;
  return (
    <div className={`accuracy${stale ? ' stale' : ''}`}>
      <div className="accuracy-head">
        <span className="accuracy-label">{label}</span>
        <strong className="accuracy-value" data-testid={testId}>
          {top1 === null ? '—' : formatPercent(top1)}
        </strong>
      </div>
      <div
        className="accuracy-bar"
        role="meter"
        aria-label={`${label} against the ${line}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={top1 === null ? undefined : Math.round(top1 * 1000) / 10}
      >
        <div
          className={`accuracy-fill ${pass ? 'pass' : 'fail'}`}
          style={{ width: `${(top1 ?? 0) * 100}%` }}
        />
        <div className="accuracy-line" style={{ left: `${ACCURACY_TARGET * 100}%` }} title={line} />
      </div>
      <div className="accuracy-meta">
        <span>{detail ?? '\u00a0'}</span>
        <span>{top1 === null ? line : pass ? `above the ${line}` : `below the ${line}`}</span>
      </div>
    </div>
  );
}
