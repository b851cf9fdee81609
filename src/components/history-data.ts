/**
 * Pure data of the History panel: the Pareto front of (score ↓, accuracy ↑) — the runs no other
 * run beats on both at once, found by one sweep in score order (Kung et al. 1975, the 2-D
 * maxima), over full-test points (slice estimates only while there is none, flagged so) — the
 * scatter's points (one per (network, recipe) pair, with its eligibility), the compare rows (recipe
 * fields flattened, score terms, accuracy, parameters; differences flagged) and short labels.
 */
import { recipeJson } from '../core/recipe/index';
import type { RunRecord } from '../persist/history-db';
import { eligibilityOf, type EligibilityStatus } from '../store/eligibility';
import { runFigures } from '../store/history-pairs';
import type { RecordMap } from '../store/measure-records';
import { formatCount, formatPercent } from '../format/format';
import { formatScore } from '../format/score-format';
import { flattenRecipe } from '../format/recipe-label';

export interface FrontPoint {
  score: number;
  accuracy: number;
}

/**
 * The non-dominated points, by score ascending (accuracy then ascends too). A point is dominated
 * when another has a score ≤ and an accuracy ≥ with one of them strict; exact duplicates do not
 * dominate each other, so both stay. O(n log n).
 */
export function paretoFront<T extends FrontPoint>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => a.score - b.score || b.accuracy - a.accuracy);
  const front: T[] = [];
  for (const p of sorted) {
    const last = front[front.length - 1];
    if (!last || p.accuracy > last.accuracy) front.push(p);
    else if (p.accuracy === last.accuracy && p.score === last.score) front.push(p);
  }
  return front;
}

/** Top-1 of a run as a fraction, or null when it was not measured. */
export const runTop1 = (r: RunRecord): number | null => r.accuracy?.top1 ?? null;

export interface ScatterPoint {
  id: string;
  /** MicroNet score (log x axis). */
  x: number;
  /** Top-1 in percent. */
  y: number;
  kind: RunRecord['kind'];
  label: string;
  imagesMeasured: number;
  /** Eligibility of the run's (network, recipe) pair: solid only when it qualifies. */
  status: EligibilityStatus;
  /** A slice estimate (not all 10,000 test images), with its 95 % interval in percent. */
  estimated: boolean;
  interval: [number, number] | null;
  onFront: boolean;
  selected: boolean;
}

export interface ScatterData {
  /** One point per (network, recipe) pair with a positive score and an accuracy, newest first. */
  points: ScatterPoint[];
  /** The Pareto front, by score ascending: of full-test points, else of the estimates. */
  front: ScatterPoint[];
  /** True when the front is made of slice estimates (no full-test point yet). */
  frontEstimated: boolean;
  /** Smallest and largest score plotted (null: no points). */
  extent: [number, number] | null;
}

const pairOf = (r: RunRecord) => (r.networkKey ? `${r.networkKey}|${recipeJson(r.recipe)}` : r.id);

/** One run per pair: the newest, drawn as a network run when any of the pair's rows is one. */
function onePerPair(runs: readonly RunRecord[]): RunRecord[] {
  const byPair = new Map<string, RunRecord>();
  for (const r of runs) {
    const prev = byPair.get(pairOf(r));
    if (!prev) byPair.set(pairOf(r), r);
    else if (prev.kind === 'edit' && r.kind !== 'edit')
      byPair.set(pairOf(r), { ...prev, kind: r.kind });
  }
  return [...byPair.values()];
}

function pointOf(
  r: RunRecord,
  records: RecordMap,
  selected: ReadonlySet<string>,
): ScatterPoint | null {
  const e = eligibilityOf(runFigures(r, records));
  if (e.top1 === null || !r.score || !(r.score.score > 0)) return null;
  const interval = e.interval
    ? ([e.interval[0] * 100, e.interval[1] * 100] as [number, number])
    : null;
  return {
    id: r.id,
    x: r.score.score,
    y: e.top1 * 100,
    kind: r.kind,
    label: r.label,
    imagesMeasured: e.n,
    status: e.status,
    estimated: e.interval !== null,
    interval,
    onFront: false,
    selected: selected.has(r.id),
  };
}

export function scatterData(
  runs: readonly RunRecord[],
  selected: ReadonlySet<string>,
  records: RecordMap = {},
): ScatterData {
  const points = onePerPair(runs)
    .map((r) => pointOf(r, records, selected))
    .filter((p): p is ScatterPoint => p !== null);
  const full = points.filter((p) => !p.estimated);
  const candidates = full.length > 0 ? full : points;
  const front = new Set(
    paretoFront(candidates.map((p) => ({ id: p.id, score: p.x, accuracy: p.y }))).map((p) => p.id),
  );
  for (const p of points) p.onFront = front.has(p.id);
  const frontPoints = points.filter((p) => p.onFront).sort((a, b) => a.x - b.x || a.y - b.y);
  const xs = points.map((p) => p.x);
  const extent: [number, number] | null = xs.length ? [Math.min(...xs), Math.max(...xs)] : null;
  return {
    points,
    front: frontPoints,
    frontEstimated: full.length === 0 && points.length > 0,
    extent,
  };
}

export interface CompareRow {
  field: string;
  a: string;
  b: string;
  differs: boolean;
}

const DASH = '—';

function fixedRows(r: RunRecord): Record<string, string> {
  const s = r.score;
  return {
    kind: r.kind,
    label: r.label,
    network: r.model,
    parameters: formatCount(r.params),
    score: s ? formatScore(s.score) : DASH,
    'parameter term': s ? formatScore(s.paramsTerm) : DASH,
    'operation term': s ? formatScore(s.opsTerm) : DASH,
    'top-1': r.accuracy ? formatPercent(r.accuracy.top1) : DASH,
    'test images': r.accuracy ? formatCount(r.accuracy.n) : DASH,
    checkpoint: r.checkpointId ? 'saved' : (r.checkpointNote ?? 'none'),
  };
}

/**
 * Side-by-side rows of two runs: the fixed fields, then every recipe field either run sets
 * ("default" where the other leaves it out). `differs` marks the rows to highlight.
 */
export function compareRows(a: RunRecord, b: RunRecord): CompareRow[] {
  const fa = fixedRows(a);
  const fb = fixedRows(b);
  const rows: CompareRow[] = Object.keys(fa).map((field) => {
    const x = fa[field] ?? DASH;
    const y = fb[field] ?? DASH;
    return { field, a: x, b: y, differs: x !== y };
  });
  const ra = flattenRecipe(a.recipe);
  const rb = flattenRecipe(b.recipe);
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
  if (keys.length === 0) rows.push({ field: 'recipe', a: '{}', b: '{}', differs: false });
  for (const k of keys) {
    const x = ra[k] ?? 'default';
    const y = rb[k] ?? 'default';
    rows.push({ field: `recipe.${k}`, a: x, b: y, differs: x !== y });
  }
  return rows;
}
