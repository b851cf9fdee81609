/**
 * Under the backend badge: that the worker was lost and replaced in this page, how often, and
 * why the last time (store/interrupted-slice.ts) — so a badge that looks healthy again after a
 * crash, a hang or a wasm abort does not hide that the lab runs in a new worker.
 */
import { useLabStore } from '../store/lab-store';

export function WorkerLossNote() {
  const loss = useLabStore((s) => s.workerLoss);
  const phase = useLabStore((s) => s.recoveryPhase);
  if (!loss) return null;
  const state = phase === 'recovering' ? 'restarting' : 'restarted';
  const text =
    loss.count === 1
      ? `Worker ${state}: it stopped (${loss.reason}).`
      : `Worker ${state} (${loss.count} times): the last one stopped (${loss.reason}).`;
  return (
    <span
      className="backend-reason warn"
      data-testid="worker-restarts"
      data-count={loss.count}
      data-state={state}
    >
      {text}
    </span>
  );
}
