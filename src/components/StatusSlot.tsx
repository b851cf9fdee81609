/**
 * The status slot under a panel's main controls (Data, Model import): the running job's progress
 * bar with Cancel, else the last error with Dismiss, else a notice, else an idle hint. The slot
 * keeps its height, so nothing below it jumps. `DismissibleError` is the error box on its own.
 */
import type { ReactNode } from 'react';
import type { JobState } from '../store/jobs-slice';
import { ProgressBar } from './ProgressBar';

export function DismissibleError(p: {
  testId: string;
  onDismiss: () => void;
  children: ReactNode;
}) {
  return (
    <div className="error" role="alert" data-testid={p.testId}>
      <span>{p.children}</span>
      <button type="button" className="small" onClick={p.onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

export interface StatusSlotProps {
  job: JobState | null;
  /** Accessible name of the progress bar, e.g. "Import progress". */
  progressName: string;
  onCancel: () => void;
  error: string | null;
  onDismiss: () => void;
  /** Test ids: `${testIds}-error`, `${testIds}-notice`. */
  testIds: string;
  notice: string | null;
  idle: ReactNode;
}

export function StatusSlot(p: StatusSlotProps) {
  return (
    <div className="status-slot">
      {p.job ? (
        <ProgressBar job={p.job} name={p.progressName} onCancel={p.onCancel} />
      ) : p.error ? (
        <DismissibleError testId={`${p.testIds}-error`} onDismiss={p.onDismiss}>
          {p.error}
        </DismissibleError>
      ) : p.notice ? (
        <p className="notice" role="status" data-testid={`${p.testIds}-notice`}>
          {p.notice}
        </p>
      ) : (
        p.idle
      )}
    </div>
  );
}
