/** Display formatters of MicroNet scores and counts (pure; unit-tested). */

/** A MicroNet score: 6 decimals below 1 (0.006267), 4 above. */
export function formatScore(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return x.toFixed(Math.abs(x) < 1 ? 6 : 4);
}

/** 1234 → "1.23 K", 36_500_000 → "36.5 M", 10.49e9 → "10.5 B" (3 significant digits). */
export function formatCompact(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const units: [number, string][] = [
    [1e9, ' B'],
    [1e6, ' M'],
    [1e3, ' K'],
  ];
  const abs = Math.abs(n);
  for (const [size, unit] of units) {
    if (abs >= size) return `${Number((n / size).toPrecision(3))}${unit}`;
  }
  return `${Number(n.toPrecision(3))}`;
}

/** A fraction as a percentage with `digits` decimals, without the space ("42.5%"), for tight cells. */
export function formatShare(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}
