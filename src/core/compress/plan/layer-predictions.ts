/**
 * Predicted loss increase (and top-1 change) of one layer at a weight width b and an extra
 * sparsity s, from its sensitivity report entry: ΔL(b, s) = ΔL_bits(b) + ΔL_sparsity(s) (the two
 * perturbations assumed independent, as one-at-a-time measurements must).
 * - Measured widths: the measurement. Between two measured widths: log-linear when both are > 0
 *   (quantization noise power falls as 4^−b, so ΔL is near-exponential in b), else linear.
 * - Outside the measured range: the HAWQ-v2 second-order estimate, capped to keep the curve
 *   monotone (wider never costs more than the widest measured; narrower never less than the
 *   narrowest measured). Without it: wider decays as 4^−(b − b_max); narrower is not offered.
 * - Sparsity: linear between 0 (ΔL = 0) and the measured shares; beyond them not offered.
 * Noise (a measured ΔL < 0, or a narrower width measuring better) is smoothed by monotone
 * envelopes: ΔL never falls as b narrows or s grows, Δtop-1 never rises; and nothing is
 * predicted to help (ΔL ≥ 0, Δtop-1 ≤ 0).
 * With a second-order estimate, widths are predicted by its shape (∝ ‖Q_b(w) − w‖², exact for
 * every b) scaled to the widest measured width whose ΔL stands above the slice's noise (≈ 0.5 /
 * √n in loss): one-at-a-time measurements of 8-bit layers on a 128-image slice are pure noise
 * (OSI: half of them "improve" the loss), and planning on them chose 2–4 bits for layers whose
 * loss only looked flat, 70.5 % vs 78.3 % for uniform 8 bits at a lower score.
 */
import type { LayerSensitivity, SensitivityPoint } from '../sensitivity';

export interface Curve {
  /** Value (bits or extra sparsity) → predicted Δloss / Δtop-1; absent = not predictable. */
  loss: Map<number, number>;
  top1: Map<number, number>;
}

interface Anchor {
  x: number;
  dl: number;
  dt: number;
}

function anchors(points: readonly SensitivityPoint[], ref: { loss: number; top1: number }) {
  return points
    .map((p) => ({ x: p.value, dl: p.loss - ref.loss, dt: p.top1 - ref.top1 }))
    .sort((a, b) => a.x - b.x);
}

function between(a: Anchor, b: Anchor, x: number, logLoss: boolean): { dl: number; dt: number } {
  const f = (x - a.x) / (b.x - a.x);
  const lin = (u: number, v: number) => u + f * (v - u);
  const dl =
    logLoss && a.dl > 0 && b.dl > 0
      ? Math.exp(lin(Math.log(a.dl), Math.log(b.dl)))
      : lin(a.dl, b.dl);
  return { dl, dt: lin(a.dt, b.dt) };
}

/** Δtop-1 at a predicted Δloss, scaled from the nearest anchor (same ratio). */
function scaledTop1(anchor: Anchor, dl: number): number {
  return anchor.dl > 0 ? (anchor.dt * dl) / anchor.dl : anchor.dt;
}

function bitsAt(a: Anchor[], b: number, so: Map<number, number> | undefined) {
  const lo = a[0]!;
  const hi = a[a.length - 1]!;
  const exact = a.find((p) => p.x === b);
  if (exact) return { dl: exact.dl, dt: exact.dt };
  if (b > lo.x && b < hi.x) {
    const i = a.findIndex((p) => p.x > b);
    return between(a[i - 1]!, a[i]!, b, true);
  }
  const est = so?.get(b);
  if (b > hi.x) {
    const cap = Math.max(0, hi.dl);
    const dl = est !== undefined ? Math.min(cap, Math.max(0, est)) : cap * 4 ** (hi.x - b);
    return { dl, dt: scaledTop1(hi, dl) };
  }
  if (est === undefined) return undefined;
  const dl = Math.max(lo.dl, est);
  return { dl, dt: scaledTop1(lo, dl) };
}

/** Monotone envelope: walking from the harmless end, Δloss only grows and Δtop-1 only falls. */
function envelope(c: Curve, xs: number[], lossFalls: boolean): Curve {
  const order = lossFalls ? [...xs].sort((a, b) => b - a) : [...xs].sort((a, b) => a - b);
  let [dl, dt] = [-Infinity, Infinity];
  for (const x of order) {
    dl = Math.max(dl, c.loss.get(x)!);
    dt = Math.min(dt, c.top1.get(x)!);
    c.loss.set(x, dl);
    c.top1.set(x, dt);
  }
  return c;
}

/** Clamps a curve so nothing helps: Δloss ≥ 0, Δtop-1 ≤ 0. */
function harmOnly(c: Curve): Curve {
  for (const [x, v] of c.loss) c.loss.set(x, Math.max(0, v));
  for (const [x, v] of c.top1) c.top1.set(x, Math.min(0, v));
  return c;
}

/**
 * The second-order shape s(b) scaled to the widest measured width above the noise (see the
 * header); below that width the measurement (interpolated) wins when it is larger.
 */
function fittedBitsAt(a: Anchor[], b: number, so: Map<number, number>, noise: number) {
  const significant = a.filter((p) => p.dl > noise && (so.get(p.x) ?? 0) !== 0);
  const anchor = significant[significant.length - 1];
  const sb = so.get(b);
  if (!anchor || sb === undefined) return bitsAt(a, b, so);
  const s0 = so.get(anchor.x)!;
  const model = { dl: (anchor.dl * sb) / s0, dt: (anchor.dt * sb) / s0 };
  if (b >= anchor.x) return model;
  const measured = bitsAt(a, b, so);
  if (!measured) return model;
  return { dl: Math.max(model.dl, measured.dl), dt: Math.min(model.dt, measured.dt) };
}

/**
 * Predicted Δloss / Δtop-1 of the layer at each width of `choices` it can predict; `n` = slice
 * size of the report (sets the noise level of a measurement; default: no fitting).
 */
export function bitsCurve(
  l: LayerSensitivity,
  ref: { loss: number; top1: number },
  choices: readonly number[],
  n?: number,
): Curve {
  if (l.bits.length === 0) throw new Error(`plan: layer '${l.layer}' has no measured widths`);
  const a = anchors(l.bits, ref);
  const so = l.secondOrder ? new Map(l.secondOrder.map((p) => [p.bits, p.deltaLoss])) : undefined;
  const noise = n !== undefined ? 0.5 / Math.sqrt(n) : undefined;
  const c: Curve = { loss: new Map(), top1: new Map() };
  for (const b of choices) {
    const p = so && noise !== undefined ? fittedBitsAt(a, b, so, noise) : bitsAt(a, b, so);
    if (!p) continue;
    c.loss.set(b, p.dl);
    c.top1.set(b, p.dt);
  }
  return harmOnly(envelope(c, [...c.loss.keys()], true));
}

/**
 * Predicted Δloss / Δtop-1 of the layer at each extra sparsity of `choices` within range. With
 * the slice size `n`, every sparsity > 0 costs at least the measurement's noise (an upper
 * confidence bound): there is no second-order shape to lean on, and on OSI (64 % zeros, no
 * fine-tuning) sparsities that measured "free" on 128 images cost 17 points on 1,000 together.
 */
export function sparsityCurve(
  l: LayerSensitivity,
  ref: { loss: number; top1: number },
  choices: readonly number[],
  n?: number,
): Curve {
  const a = [{ x: 0, dl: 0, dt: 0 }, ...anchors(l.sparsity, ref).filter((p) => p.x > 0)];
  const c: Curve = { loss: new Map(), top1: new Map() };
  for (const s of choices) {
    const exact = a.find((p) => p.x === s);
    const i = a.findIndex((p) => p.x > s);
    const p = exact ?? (i > 0 ? between(a[i - 1]!, a[i]!, s, false) : undefined);
    if (!p) continue;
    const floor = n !== undefined && s > 0 ? 0.5 / Math.sqrt(n) : 0;
    c.loss.set(s, Math.max(0, p.dl) + floor);
    c.top1.set(s, p.dt);
  }
  return harmOnly(envelope(c, [...c.loss.keys()], false));
}
