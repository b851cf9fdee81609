/**
 * One line under the score saying whether it is a MicroNet Challenge result: "qualifies" only
 * with ≥ 80.00 % on the full 10,000-image test set for this network and recipe; a slice gives an
 * estimate with its 95 % interval; otherwise "does not qualify" or "not measured". It reads the
 * (network, recipe) record (store/measure-records.ts), so an evaluation made in the Evaluate
 * panel or a recipe run counts here too.
 */
import { eligibility, eligibilityOf, type Eligibility } from '../store/eligibility';
import { useLabStore } from '../store/lab-store';
import { findRecord, type MeasureRecord } from '../store/measure-records';
import { recipeJson } from '../core/recipe/index';
import { eligibilityText } from './eligibility-text';

export { eligibilityText };

/** The record of the Score panel's (current network, recipe) pair, or null. */
export function useCurrentRecord(): MeasureRecord | null {
  const key = useLabStore((s) => recipeJson(s.recipe));
  const networkKey = useLabStore((s) => s.scoreInputs?.networkKey ?? null);
  return useLabStore((s) => findRecord(s.records, networkKey, key));
}

/** The eligibility of the current score (store-derived). */
export function useEligibility(): Eligibility {
  const key = useLabStore((s) => recipeJson(s.recipe));
  const networkId = useLabStore((s) => s.scoreInputs?.networkId ?? null);
  const quick = useLabStore((s) => s.measurement);
  const full = useLabStore((s) => s.fullMeasurement);
  const record = useCurrentRecord();
  return record ? eligibilityOf(record) : eligibility([full, quick], key, networkId);
}

export function ScoreEligibility() {
  const e = useEligibility();
  return (
    <p
      className={`eligibility eligibility-${e.status}`}
      data-testid="score-eligibility"
      data-status={e.status}
    >
      {eligibilityText(e)}
    </p>
  );
}
