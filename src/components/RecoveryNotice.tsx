/**
 * Recovery notice (store/recovery-slice.ts): what happened to the worker (crash, WebGPU device
 * loss, hang) or the page (reload) and what came back; a failed session write (e.g. storage
 * full); and, while training, which epoch checkpoint a crash would resume from.
 */
import { useLabStore } from '../store/lab-store';
import { DismissibleError } from './StatusSlot';

function CheckpointLine() {
  const training = useLabStore((s) => s.jobs.train !== null);
  const ck = useLabStore((s) => s.lastCheckpoint);
  if (!training || !ck) return null;
  const text = ck.saved
    ? `Checkpoint saved after epoch ${ck.epochsCompleted} of ${ck.epochs}: a crash or a reload resumes from there.`
    : `Epoch ${ck.epochsCompleted} of ${ck.epochs} ended, but its checkpoint was not saved.`;
  return (
    <p
      className="recovery-checkpoint"
      data-testid="checkpoint-status"
      data-epoch={ck.epochsCompleted}
    >
      {text}
    </p>
  );
}

export function RecoveryNotice() {
  const notice = useLabStore((s) => s.recoveryNotice);
  const phase = useLabStore((s) => s.recoveryPhase);
  const sessionError = useLabStore((s) => s.sessionError);
  const dismissNotice = useLabStore((s) => s.dismissRecoveryNotice);
  const dismissError = useLabStore((s) => s.dismissSessionError);
  return (
    <div className="recovery-slot">
      {notice && (
        <div
          className={`recovery recovery-${notice.kind}`}
          role="status"
          data-testid="recovery-notice"
          data-kind={notice.kind}
          data-phase={phase}
        >
          <span>{notice.text}</span>
          {phase !== 'recovering' && (
            <button type="button" className="small" onClick={dismissNotice}>
              Dismiss
            </button>
          )}
        </div>
      )}
      {sessionError && (
        <DismissibleError testId="session-error" onDismiss={dismissError}>
          {sessionError}
        </DismissibleError>
      )}
      <CheckpointLine />
    </div>
  );
}
