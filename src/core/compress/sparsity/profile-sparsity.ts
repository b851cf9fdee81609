/**
 * Fast per-layer sparsity estimate from a MagnitudeProfile (for every slider move).
 *
 * Each layer's count of non-zero |w| ≤ τ is estimated from its order statistics: exact at the
 * stored points, linear in τ for the unstored ranks between two neighbouring points (a step of
 * 1 at each point). The global threshold is the smallest float32 τ whose pooled count reaches
 * k = round(s · poolSize), found by a safeguarded Newton / bisection search on a bracket of
 * float32 bit patterns (see threshold()); each layer's binary search runs only inside its own
 * bracket of stored points, and a layer whose bracket has closed is folded into one linear
 * term, so only the first few of the ~10–20 probes touch every layer.
 * Ties at τ are shared out in layer order, as magnitudeMasks breaks them, so the result is
 * exact when every layer's non-zeros are all stored (nonZero ≤ maxPoints). Per-layer targets
 * need no magnitudes: max(zeros, round(t·n)).
 */
import type { Recipe } from '../../recipe';
import { profileRank, type LayerMagnitudes, type MagnitudeProfile } from './magnitude-profile';
import { allocateSparsity, globalSparsity, layerTargets, targetZeros } from './prunable-layers';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function floatOf(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

function bitsOfFloat(x: number): number {
  f32[0] = x;
  return u32[0]!;
}

/** First index in [lo, hi) whose point is > τ (strict: ≥ τ), else hi. */
function search(q: Float32Array, tau: number, lo: number, hi: number, strict: boolean): number {
  if (lo === hi) return lo;
  if (strict ? q[lo]! >= tau : q[lo]! > tau) return lo;
  if (strict ? q[hi - 1]! < tau : q[hi - 1]! <= tau) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = q[mid]!;
    if (strict ? v < tau : v <= tau) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Estimated non-zeros of a layer below τ when exactly its first `c` stored points are. */
function estimate(l: LayerMagnitudes, c: number, tau: number): number {
  const q = l.quantiles;
  const p = q.length;
  if (c === 0) return 0;
  if (c === p) return l.nonZero;
  const r0 = profileRank(c - 1, p, l.nonZero);
  const gap = profileRank(c, p, l.nonZero) - r0 - 1;
  if (gap === 0) return r0 + 1;
  const lo = q[c - 1]!;
  return r0 + 1 + ((tau - lo) / (q[c]! - lo)) * gap;
}

/** Ranks per unit |w| between stored points c − 1 and c (0 outside the stored range). */
function density(l: LayerMagnitudes, c: number): number {
  const q = l.quantiles;
  const p = q.length;
  if (c === 0 || c === p) return 0;
  const dr = profileRank(c, p, l.nonZero) - profileRank(c - 1, p, l.nonZero);
  return dr / (q[c]! - q[c - 1]!);
}

/**
 * Search state: each layer's bracket of stored points [loC, hiC] for τ in (τ_lo, τ_hi]; a
 * layer whose bracket closes is settled — linear in τ from then on, summed into a + b·τ.
 */
class Brackets {
  private readonly loC: Int32Array;
  private readonly hiC: Int32Array;
  private readonly cur: Int32Array;
  private readonly active: Int32Array;
  private nActive: number;
  private a = 0;
  private b = 0;
  /** Settled layers' point density (stored ranks per unit |w|) — Newton's derivative. */
  private settledDensity = 0;
  /** d count / dτ estimated at the last count()'s τ. */
  density = 0;

  constructor(private readonly pool: readonly LayerMagnitudes[]) {
    const n = pool.length;
    [this.loC, this.hiC, this.cur, this.active] = [0, 1, 2, 3].map(() => new Int32Array(n)) as [
      Int32Array,
      Int32Array,
      Int32Array,
      Int32Array,
    ];
    for (let i = 0; i < n; i++) {
      this.hiC[i] = pool[i]!.quantiles.length;
      this.active[i] = i;
    }
    this.nActive = n;
  }

  /** Estimated pooled count of |w| ≤ τ, for τ inside the current bracket. */
  count(tau: number): number {
    let n = this.a + this.b * tau;
    let d = this.settledDensity;
    for (let j = 0; j < this.nActive; j++) {
      const i = this.active[j]!;
      const l = this.pool[i]!;
      const c = search(l.quantiles, tau, this.loC[i]!, this.hiC[i]!, false);
      this.cur[i] = c;
      n += estimate(l, c, tau);
      d += density(l, c);
    }
    this.density = d;
    return n;
  }

  /** Folds a layer whose first `c` stored points are below every τ left into a + b·τ. */
  private settle(l: LayerMagnitudes, c: number): void {
    const q = l.quantiles;
    const p = q.length;
    if (c === 0) return;
    if (c === p) {
      this.a += l.nonZero;
      return;
    }
    const r0 = profileRank(c - 1, p, l.nonZero);
    const r1 = profileRank(c, p, l.nonZero);
    const lo = q[c - 1]!;
    const slope = (r1 - r0 - 1) / (q[c]! - lo); // unstored ranks between the two points
    this.a += r0 + 1 - lo * slope;
    this.b += slope;
    this.settledDensity += (r1 - r0) / (q[c]! - lo);
  }

  /** The last count()'s τ becomes the upper (`upper`) or the lower end of the bracket. */
  narrow(upper: boolean): void {
    let kept = 0;
    for (let j = 0; j < this.nActive; j++) {
      const i = this.active[j]!;
      (upper ? this.hiC : this.loC)[i] = this.cur[i]!;
      if (this.loC[i] !== this.hiC[i]) {
        this.active[kept++] = i;
        continue;
      }
      this.settle(this.pool[i]!, this.loC[i]!);
    }
    this.nActive = kept;
  }
}

/**
 * Smallest float32 τ whose estimated pooled count of |w| ≤ τ reaches k (1 ≤ k ≤ pool size).
 * Each probe narrows a bracket (lo, hi] of float32 bit patterns. The next probe is a Newton
 * step on count(τ) − k from the bracket end nearer the root (point density as derivative),
 * overshooting by 10 % so that probes straddle the root; the value midpoint instead when that
 * step leaves the bracket, after three probes on one side or three that did not halve the
 * bracket (so at most ~4 × 32 probes; typically 7–13, see README.md).
 */
function threshold(pool: readonly LayerMagnitudes[], k: number, size: number): number {
  const brackets = new Brackets(pool);
  let [max, tau] = [0, 0]; // first guess: the layers' (k / size)-quantiles, weighted by size
  for (const l of pool) {
    const q = l.quantiles;
    max = Math.max(max, q[q.length - 1] ?? 0);
    tau += (q[Math.round((k / size) * (q.length - 1))] ?? 0) * (l.nonZero / size);
  }
  let [lo, hi] = [0, bitsOfFloat(max)]; // count(0) = 0 < k ≤ count(max) = size
  let [fLo, dLo, fHi, dHi] = [-k, 0, size - k, 0]; // count − k and density at the ends
  let [same, slow, lastUp] = [0, 0, false]; // probes on the same side / not halving the bracket
  while (hi - lo > 1) {
    const width = hi - lo;
    const mid = Math.min(hi - 1, Math.max(lo + 1, bitsOfFloat(tau)));
    const f = brackets.count(floatOf(mid)) - k;
    const up = f >= 0;
    brackets.narrow(up);
    if (up) [hi, fHi, dHi] = [mid, f, brackets.density];
    else [lo, fLo, dLo] = [mid, f, brackets.density];
    same = up === lastUp ? same + 1 : 0;
    slow = hi - lo > width / 2 ? slow + 1 : 0;
    lastUp = up;
    const [tLo, tHi] = [floatOf(lo), floatOf(hi)];
    tau = -fLo < fHi ? tLo - (1.1 * fLo) / dLo : tHi - (1.1 * fHi) / dHi; // NaN if density 0
    if (same >= 2 || slow >= 3 || !(tau > tLo && tau < tHi)) {
      [tau, same, slow] = [(tLo + tHi) / 2, 0, 0];
    }
  }
  return floatOf(hi);
}

/** Estimated weights removed from each pool layer for a global removal of k. */
function poolRemovals(pool: readonly LayerMagnitudes[], k: number, size: number): Float64Array {
  const removed = new Float64Array(pool.length);
  if (k === 0) return removed;
  const tau = threshold(pool, k, size);
  let ties = k;
  for (let i = 0; i < pool.length; i++) {
    const l = pool[i]!;
    removed[i] = estimate(l, search(l.quantiles, tau, 0, l.quantiles.length, true), tau);
    ties -= removed[i]!;
  }
  for (let i = 0; i < pool.length && ties > 0; i++) {
    const l = pool[i]!;
    const atOrBelow = estimate(l, search(l.quantiles, tau, 0, l.quantiles.length, false), tau);
    const share = Math.min(ties, atOrBelow - removed[i]!);
    removed[i]! += share;
    ties -= share;
  }
  return removed;
}

/** Estimated effective sparsity of every profiled layer under the recipe's sparsity fields. */
export function layerSparsityFromProfile(
  profile: MagnitudeProfile,
  recipeIn: Recipe,
): Record<string, number> {
  const recipe = allocateSparsity(recipeIn, profile.layers);
  const s = globalSparsity(recipe);
  const hasTargets = Object.keys(recipe.layerSparsity ?? {}).length > 0;
  const targets = hasTargets
    ? layerTargets(
        profile.layers.map((l) => l.name),
        recipe,
      )
    : new Map<string, number>();
  const pool = hasTargets ? profile.layers.filter((l) => !targets.has(l.name)) : profile.layers;
  let size = 0;
  for (const l of pool) size += l.nonZero;
  const k = Math.round(s * size);
  const removed = poolRemovals(pool, k, size);
  const out: Record<string, number> = {};
  let j = 0;
  for (const l of profile.layers) {
    const t = targets.get(l.name);
    out[l.name] =
      t === undefined
        ? (l.zeros + removed[j++]!) / l.size
        : targetZeros(l.zeros, l.size, t) / l.size;
  }
  return out;
}
