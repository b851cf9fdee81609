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
 * envelopes: ΔL never falls as b narrows or s grows, Δtop-1 never rises.
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

/** Predicted Δloss / Δtop-1 of the layer at each width of `choices` it can predict. */
export function bitsCurve(
  l: LayerSensitivity,
  ref: { loss: number; top1: number },
  choices: readonly number[],
): Curve {
  if (l.bits.length === 0) throw new Error(`plan: layer '${l.layer}' has no measured widths`);
  const a = anchors(l.bits, ref);
  const so = l.secondOrder ? new Map(l.secondOrder.map((p) => [p.bits, p.deltaLoss])) : undefined;
  const c: Curve = { loss: new Map(), top1: new Map() };
  for (const b of choices) {
    const p = bitsAt(a, b, so);
    if (!p) continue;
    c.loss.set(b, p.dl);
    c.top1.set(b, p.dt);
  }
  return envelope(c, [...c.loss.keys()], true);
}

/** Predicted Δloss / Δtop-1 of the layer at each extra sparsity of `choices` within range. */
export function sparsityCurve(
  l: LayerSensitivity,
  ref: { loss: number; top1: number },
  choices: readonly number[],
): Curve {
  const a = [{ x: 0, dl: 0, dt: 0 }, ...anchors(l.sparsity, ref).filter((p) => p.x > 0)];
  const c: Curve = { loss: new Map(), top1: new Map() };
  for (const s of choices) {
    const exact = a.find((p) => p.x === s);
    const i = a.findIndex((p) => p.x > s);
    const p = exact ?? (i > 0 ? between(a[i - 1]!, a[i]!, s, false) : undefined);
    if (!p) continue;
    c.loss.set(s, p.dl);
    c.top1.set(s, p.dt);
  }
  return envelope(c, [...c.loss.keys()], false);
}
