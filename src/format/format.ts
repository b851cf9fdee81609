/**
 * Small display formatters shared by the panels and the store (bytes, durations, percentages,
 * counts, scientific notation, time left); pure, unit-tested. No React: the store uses them too.
 */

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** "45 s", "3 min 05 s", "1 h 02 min"; '—' when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** 0.4213 → "42.13 %" */
export function formatPercent(fraction: number, digits = 2): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)} %`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** 0.000123 → "1.23e-4" (`digits` decimals); anything but a number as text. */
export function formatSci(v: unknown, digits = 2): string {
  return typeof v === 'number' ? v.toExponential(digits) : String(v);
}

/** formatSci with 2 / 3 decimals as one-argument formatters (chart ticks and tooltips). */
export const sci = (v: unknown): string => formatSci(v, 2);
export const sci3 = (v: unknown): string => formatSci(v, 3);

/**
 * Seconds left for a job that has done `done` of `total` since `startedAt` (ms), by linear
 * extrapolation; null when it cannot be estimated yet.
 */
export function estimateEta(
  done: number,
  total: number | null,
  startedAt: number,
  now: number,
): number | null {
  if (total === null || total <= 0 || done <= 0 || done > total) return null;
  const elapsed = (now - startedAt) / 1000;
  if (elapsed <= 0) return null;
  return (elapsed * (total - done)) / done;
}
