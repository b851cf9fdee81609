/**
 * What happened to a job whose worker was lost (store/interrupted-slice.ts): "The worker stopped
 * (reason) — restarted; the analysis was interrupted." with "Restart job" (the same job, same
 * settings) and Dismiss; while the new worker is set up, "restarting it…"; for a run the recovery
 * resumed from its checkpoint, that it resumes. Nothing when the job was not interrupted.
 */
import type { JobKind } from '../store/jobs-slice';
import { interruptedText, type JobSpec } from '../store/job-spec';
import { useLabStore } from '../store/lab-store';

export interface JobInterruptedProps {
  slot: JobKind;
  /** Only these jobs of the slot (the 'model' slot runs imports and compressed exports). */
  kinds?: JobSpec['kind'][];
}

export function JobInterrupted({ slot, kinds }: JobInterruptedProps) {
  const record = useLabStore((s) => s.interruptedJobs[slot]);
  const canRestart = useLabStore(
    (s) =>
      s.backendStatus === 'ready' &&
      s.recoveryPhase === 'idle' &&
      (slot === 'measure' ? s.measureJob === null : s.jobs[slot] === null),
  );
  if (!record || (kinds && !kinds.includes(record.spec.kind))) return null;
  const { restartJob, dismissInterruptedJob } = useLabStore.getState();
  return (
    <div
      className="job-interrupted"
      role="alert"
      data-testid={`job-interrupted-${slot}`}
      data-state={record.state}
    >
      <span>{interruptedText(record)}</span>
      {record.state === 'ready' && (
        <button
          type="button"
          className="small"
          disabled={!canRestart}
          onClick={() => void restartJob(slot)}
        >
          Restart job
        </button>
      )}
      {record.state !== 'recovering' && (
        <button type="button" className="small" onClick={() => dismissInterruptedJob(slot)}>
          Dismiss
        </button>
      )}
    </div>
  );
}
