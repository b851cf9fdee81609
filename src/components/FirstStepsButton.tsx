/**
 * "Show first steps" (header): brings the dismissed first-run hint back — the three steps to a
 * scored network — and moves the focus to it. Shown only while the hint is dismissed.
 */
import { useLabStore } from '../store/lab-store';

/** The hint's heading (FirstRunHint) once it is rendered again. */
function focusHint(): void {
  requestAnimationFrame(() => document.getElementById('first-run-heading')?.focus());
}

export function FirstStepsButton() {
  const dismissed = useLabStore((s) => s.hintDismissed);
  if (!dismissed) return null;
  return (
    <button
      type="button"
      className="small"
      data-testid="show-first-steps"
      title="Show the first-run hint again: three steps to a scored network"
      onClick={() => {
        useLabStore.getState().showHint();
        focusHint();
      }}
    >
      Show first steps
    </button>
  );
}
