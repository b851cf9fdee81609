/**
 * One line under the score saying whether it is a MicroNet Challenge result: "qualifies" only
 * with ≥ 80.00 % on the full 10,000-image test set for this network and recipe; a slice gives an
 * estimate with its 95 % interval; otherwise "does not qualify" or "not measured".
 */
import { eligibility, type Eligibility } from '../store/eligibility.ts';
import { useLabStore } from '../store/lab-store.ts';
import { recipeJson } from '../store/recipe-url.ts';
import { formatCount, formatPercent } from './format.ts';

export function eligibilityText(e: Eligibility): string {
  const on = `on ${formatCount(e.n)} test images`;
  const top1 = formatPercent(e.top1 ?? 0);
  switch (e.status) {
    case 'qualifies':
      return `Qualifies: ${top1} ≥ 80.00 % on all 10,000 test images.`;
    case 'fails':
      return `Does not qualify (${top1} ${on}): a score counts only at ≥ 80.00 % on the full test set.`;
    case 'estimated':
      return `Estimated ${top1} ${on} (95 % interval ${formatPercent(e.interval![0])}–${formatPercent(e.interval![1])}): qualifies only once the full test set is measured at ≥ 80.00 %.`;
    default:
      return 'Accuracy not measured: the score qualifies only with ≥ 80.00 % on the full test set.';
  }
}

/** The eligibility of the current score (store-derived). */
export function useEligibility(): Eligibility {
  const key = useLabStore((s) => recipeJson(s.recipe));
  const networkId = useLabStore((s) => s.scoreInputs?.networkId ?? null);
  const quick = useLabStore((s) => s.measurement);
  const full = useLabStore((s) => s.fullMeasurement);
  return eligibility([full, quick], key, networkId);
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
