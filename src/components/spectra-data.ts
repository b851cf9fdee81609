/**
 * Chart data for the Spectra panel (pure; unit-tested): Kronecker-factor spectra by rank for a
 * log axis (non-positive values dropped — a log axis cannot draw them), saliencies binned by
 * decade fractions, the Hessian density with a floor for its log axis, and the top eigenvalues.
 */

export interface SpectrumPoint {
  /** 1-based rank (eigenvalues are descending). */
  rank: number;
  a?: number;
  g?: number;
}

/** eigA / eigG by rank; entries ≤ 0 or not finite are left out of their series. */
export function spectrumPoints(eigA: ArrayLike<number>, eigG: ArrayLike<number>): SpectrumPoint[] {
  const n = Math.max(eigA.length, eigG.length);
  const ok = (v: number | undefined) => v !== undefined && Number.isFinite(v) && v > 0;
  const out: SpectrumPoint[] = [];
  for (let i = 0; i < n; i++) {
    const a = eigA[i];
    const g = eigG[i];
    out.push({ rank: i + 1, ...(ok(a) ? { a } : {}), ...(ok(g) ? { g } : {}) });
  }
  return out;
}

export interface HistogramBin {
  /** log10 of the bin's lower edge. */
  lo: number;
  hi: number;
  /** Label: the bin's centre as a power of ten. */
  label: string;
  count: number;
  /** Count of the highlighted subset (e.g. the selected layer). */
  selected: number;
}

function superscript(x: number): string {
  return `1e${x.toFixed(1)}`;
}

/**
 * Histogram of positive values on a log10 axis, `bins` equal-width bins from the smallest to the
 * largest value; `selected` (a subset) is counted per bin too. Zeros are reported apart.
 */
export function logHistogram(
  values: ArrayLike<number>,
  bins: number,
  selected: ArrayLike<number> = [],
): { bins: HistogramBin[]; zeros: number } {
  if (!(Number.isInteger(bins) && bins >= 1))
    throw new Error(`logHistogram: bins must be a whole number ≥ 1, got ${bins}`);
  let lo = Infinity;
  let hi = -Infinity;
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v > 0) || !Number.isFinite(v)) {
      zeros++;
      continue;
    }
    const l = Math.log10(v);
    lo = Math.min(lo, l);
    hi = Math.max(hi, l);
  }
  if (lo === Infinity) return { bins: [], zeros };
  const width = hi > lo ? (hi - lo) / bins : 1;
  const out: HistogramBin[] = Array.from({ length: bins }, (_, b) => ({
    lo: lo + b * width,
    hi: lo + (b + 1) * width,
    label: superscript(lo + (b + 0.5) * width),
    count: 0,
    selected: 0,
  }));
  const binOf = (v: number) => Math.min(bins - 1, Math.floor((Math.log10(v) - lo) / width));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 0 && Number.isFinite(v)) out[binOf(v)]!.count++;
  }
  for (let i = 0; i < selected.length; i++) {
    const v = selected[i]!;
    if (v > 0 && Number.isFinite(v) && Math.log10(v) >= lo && Math.log10(v) <= hi)
      out[binOf(v)]!.selected++;
  }
  return { bins: out, zeros };
}

export interface DensityPoint {
  lambda: number;
  density: number;
}

/** The density on its grid, values floored at max·1e-6 so a log axis shows the tails. */
export function densityPoints(grid: readonly number[], values: readonly number[]): DensityPoint[] {
  if (grid.length !== values.length)
    throw new Error(`densityPoints: ${grid.length} grid points but ${values.length} values`);
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  const floor = max > 0 ? max * 1e-6 : 1e-12;
  return grid.map((lambda, i) => ({ lambda, density: Math.max(floor, values[i]!) }));
}

export interface TopPoint {
  k: number;
  value: number;
}

/** The largest power of ten strictly below the smallest positive value (a log bar's base). */
export function logFloor(values: readonly number[]): number {
  const min = Math.min(...values.filter((v) => v > 0 && Number.isFinite(v)));
  if (!Number.isFinite(min)) return 1;
  const p = 10 ** Math.floor(Math.log10(min));
  return p < min ? p : p / 10;
}

/** [10^⌊log10 min⌋, 10^⌈log10 max⌉] over the positive finite values: a log axis holding them all. */
export function logDomain(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo === Infinity) return [0.1, 1];
  const a = 10 ** Math.floor(Math.log10(lo));
  const b = 10 ** Math.ceil(Math.log10(hi));
  return [a, b > a ? b : a * 10];
}

/**
 * The top eigenvalues by index; `log` is true when all are positive (log axis possible), and
 * `floor` is the log axis's lower end, below the smallest bar so that one stays visible.
 */
export function topPoints(top: readonly number[]): {
  points: TopPoint[];
  log: boolean;
  floor: number;
} {
  return {
    points: top.map((value, i) => ({ k: i + 1, value })),
    log: top.length > 0 && top.every((v) => v > 0),
    floor: logFloor(top),
  };
}

/** How one kind of pass ran (worker's PassSplit, kept structural so this file stays pure). */
export interface PassSplitView {
  batchSize: number;
  microBatch: number;
  wholeBatchBytes: number;
}

/**
 * The sentence that says a pass was split to fit memory, e.g. "Hessian-vector products: batches
 * of 32 ran as micro-batches of 4 (a whole batch ≈ 6.9 GB)"; null when it ran whole.
 */
export function passSplitText(
  what: string,
  p: PassSplitView | null,
  bytes: (n: number) => string,
): string | null {
  if (!p || p.microBatch >= p.batchSize) return null;
  return `${what}: batches of ${p.batchSize} ran as micro-batches of ${p.microBatch} (a whole batch ≈ ${bytes(p.wholeBatchBytes)})`;
}
