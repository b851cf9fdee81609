/**
 * Progress of one worker job: label, bar (indeterminate when the total is unknown), amount done,
 * ETA and a Cancel button. The slot keeps its height when idle so nothing below it jumps.
 */
import type { JobState } from '../store/jobs-slice';
import { formatBytes, formatCount, formatDuration } from '../format/format';

export interface ProgressBarProps {
  job: JobState | null;
  onCancel?: () => void;
  /** Accessible name of the bar, e.g. "Download progress". */
  name: string;
}

function amountText(done: number, total: number | null, unit: string): string {
  if (unit === 'bytes') {
    return total === null ? formatBytes(done) : `${formatBytes(done)} of ${formatBytes(total)}`;
  }
  const d = formatCount(done);
  return total === null ? `${d} ${unit}` : `${d} / ${formatCount(total)} ${unit}`;
}

export function ProgressBar({ job, onCancel, name }: ProgressBarProps) {
  if (!job) return <div className="progress-slot" aria-hidden="true" />;
  const p = job.progress;
  const total = p?.total ?? null;
  const fraction = p && total ? Math.min(1, p.done / total) : null;
  const eta = p?.etaSeconds ?? null;
  return (
    <div className="progress-slot active" data-testid={`progress-${job.kind}`}>
      <div className="progress-head">
        <span className="progress-label">
          {job.label}
          {p?.phase ? ` — ${p.phase}` : ''}
        </span>
        {onCancel && (
          <button type="button" className="small" onClick={onCancel} disabled={job.cancelling}>
            {job.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      <progress aria-label={name} max={1} {...(fraction === null ? {} : { value: fraction })} />
      <div className="progress-meta">
        <span>{p ? amountText(p.done, total, p.unit) : 'starting…'}</span>
        <span>
          {fraction === null ? '' : `${(fraction * 100).toFixed(0)} % · `}ETA {formatDuration(eta)}
        </span>
      </div>
    </div>
  );
}
