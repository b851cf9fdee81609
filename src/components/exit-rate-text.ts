/**
 * The early-exit rate a score was computed with, and where it came from, as one phrase (the
 * Score panel's context line and the OSI-AI note).
 */
import { formatPercent } from '../format/format';
import type { ExitRateChoice } from '../store/score-compute';

export function exitRateText(e: ExitRateChoice | null): string {
  if (!e || e.rate === undefined) return '';
  const r = formatPercent(e.rate, 2);
  switch (e.source) {
    case 'override':
      return `early exit at ${r} (set here)`;
    case 'measured':
      return `early exit at ${r}, measured by the last evaluation`;
    case 'published':
      return `early exit at ${r}, OSI-AI's reported rate (evaluate the network to measure it)`;
    default:
      return 'early exit at 0 % (not measured yet: evaluate the network)';
  }
}
