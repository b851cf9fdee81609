/** A short eligibility tag (eligibility-text.ts) for a row, a chart or a dialog. */
import type { Eligibility } from '../store/eligibility';
import { eligibilityShort } from './eligibility-text';

export function EligibilityTag({ e, testId }: { e: Eligibility; testId?: string }) {
  return (
    <span
      className={`eligibility-tag eligibility-${e.status}`}
      data-testid={testId ?? 'eligibility-tag'}
      data-status={e.status}
      data-estimated={e.interval !== null}
    >
      {eligibilityShort(e)}
    </span>
  );
}
