/**
 * Words for an Eligibility (store/eligibility.ts), the same everywhere a score appears: a long
 * sentence under the Score panel's headline and short tags for rows, charts and dialogs —
 * "qualifies" only with ≥ 80.00 % on all 10,000 test images for this network and recipe,
 * "estimated" from a slice with its Wilson 95 % interval, "does not qualify (x % on n images)"
 * (for a slice: an estimate whose whole interval is below 80 %, interval shown), "not measured".
 */
import type { Eligibility } from '../store/eligibility';
import { formatCount, formatPercent } from '../format/format';

const range = (e: Eligibility) =>
  e.interval ? `${formatPercent(e.interval[0])}–${formatPercent(e.interval[1])}` : '';

/** The Score panel's sentence. */
export function eligibilityText(e: Eligibility): string {
  const on = `on ${formatCount(e.n)} test images`;
  const top1 = formatPercent(e.top1 ?? 0);
  switch (e.status) {
    case 'qualifies':
      return `Qualifies: ${top1} ≥ 80.00 % on all 10,000 test images.`;
    case 'fails':
      return e.interval
        ? `Does not qualify: estimated ${top1} ${on} (95 % interval ${range(e)}), below 80.00 % even at its upper end.`
        : `Does not qualify (${top1} ${on}): a score counts only at ≥ 80.00 % on the full test set.`;
    case 'estimated':
      return `Estimated ${top1} ${on} (95 % interval ${range(e)}): qualifies only once the full test set is measured at ≥ 80.00 %.`;
    default:
      return 'Accuracy not measured: the score qualifies only with ≥ 80.00 % on the full test set.';
  }
}

/** A short tag: "qualifies (80.04 %)", "estimated 79.80 % (76.09–83.09 %, 500 images)", … */
export function eligibilityShort(e: Eligibility): string {
  const top1 = formatPercent(e.top1 ?? 0);
  switch (e.status) {
    case 'qualifies':
      return `qualifies (${top1} on 10,000 images)`;
    case 'fails':
      return e.interval
        ? `does not qualify (${top1} on ${formatCount(e.n)} images; estimate, 95 % interval ${range(e)})`
        : `does not qualify (${top1} on ${formatCount(e.n)} images)`;
    case 'estimated':
      return `estimated ${top1} (95 % interval ${range(e)}, ${formatCount(e.n)} images)`;
    default:
      return 'not measured';
  }
}
