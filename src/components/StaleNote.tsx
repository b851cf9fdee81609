/**
 * The label of a result that belongs to an earlier network or recipe (store/stale.ts): "For an
 * earlier network (…): <what to do>." Nothing while the result is current.
 */
import { staleText, type StaleReason } from '../store/stale';

export interface StaleNoteProps {
  reason: StaleReason;
  /** What brings it up to date, e.g. "measure again". */
  action: string;
  testId: string;
}

export function StaleNote({ reason, action, testId }: StaleNoteProps) {
  if (reason === null) return null;
  return (
    <p className="stale-note" data-testid={testId} data-reason={reason}>
      {staleText(reason)}: {action}.
    </p>
  );
}
