// Per-layer predictions from a report entry: measured points as measured, log-linear between
// them, the second-order estimate outside (capped to stay monotone), monotone envelopes on noise.
import { describe, expect, it } from 'vitest';
import type { LayerSensitivity } from '../sensitivity';
import { bitsCurve, sparsityCurve } from './layer-predictions';

const REF = { loss: 1, top1: 0.5 };
const pt = (value: number, dl: number, dt = -dl / 10) => ({ value, loss: 1 + dl, top1: 0.5 + dt });

function entry(o: Partial<LayerSensitivity> = {}): LayerSensitivity {
  return {
    layer: 'L',
    op: 'conv2d',
    params: 10,
    bits: [pt(2, 1), pt(4, 0.25), pt(8, 0.01)],
    sparsity: [pt(0.2, 0.1), pt(0.6, 0.5)],
    ...o,
  };
}

describe('bitsCurve / sparsityCurve', () => {
  it('measured points, log-linear between, 4^−Δb decay above without a Hessian estimate', () => {
    const c = bitsCurve(entry(), REF, [16, 10, 8, 6, 4, 3, 2]);
    expect(c.loss.get(2)).toBeCloseTo(1, 12);
    expect(c.loss.get(4)).toBeCloseTo(0.25, 12);
    expect(c.loss.get(3)).toBeCloseTo(0.5, 12); // √(1 · 0.25)
    expect(c.loss.get(6)).toBeCloseTo(0.05, 12); // √(0.25 · 0.01)
    expect(c.loss.get(10)).toBeCloseTo(0.01 / 16, 12);
    expect(c.top1.get(10)).toBeCloseTo(-0.001 / 16, 12);
  });

  it('uses the second-order estimate outside the measured range, monotone', () => {
    const secondOrder = [
      { bits: 2, deltaLoss: 3 },
      { bits: 3, deltaLoss: 0.9 },
      { bits: 12, deltaLoss: 0.002 },
      { bits: 14, deltaLoss: 0.5 }, // off: capped at the widest measured
      { bits: 16, deltaLoss: 0.0001 },
    ];
    const c = bitsCurve(
      entry({ bits: [pt(3, 0.6), pt(8, 0.01)], secondOrder }),
      REF,
      [16, 12, 3, 2],
    );
    expect(c.loss.get(2)).toBeCloseTo(3, 12);
    expect(c.loss.get(3)).toBeCloseTo(0.6, 12);
    expect(c.loss.get(12)).toBeCloseTo(0.002, 12);
    expect(c.loss.get(16)).toBeCloseTo(0.0001, 12);
    const capped = bitsCurve(
      entry({ bits: [pt(3, 0.6), pt(8, 0.01)], secondOrder }),
      REF,
      [14, 12],
    );
    expect(capped.loss.get(14)).toBeCloseTo(0.01, 12);
    expect(capped.loss.get(12)).toBeCloseTo(0.01, 12); // envelope: never below a wider width
    expect(bitsCurve(entry({ bits: [pt(4, 0.2)] }), REF, [2, 4]).loss.has(2)).toBe(false);
  });

  it('noisy measurements become monotone; sparsity interpolates from 0 and stops at the last', () => {
    const c = bitsCurve(entry({ bits: [pt(2, 0.3), pt(4, 0.5), pt(8, -0.01)] }), REF, [8, 4, 2]);
    expect(c.loss.get(8)).toBe(0); // noise never predicts an improvement
    expect(c.loss.get(4)).toBeCloseTo(0.5, 12);
    expect(c.loss.get(2)).toBeCloseTo(0.5, 12); // 2 bits measured better than 4: raised
    const s = sparsityCurve(entry(), REF, [0, 0.1, 0.4, 0.6, 0.8]);
    expect(s.loss.get(0)).toBe(0);
    expect(s.loss.get(0.1)).toBeCloseTo(0.05, 12);
    expect(s.loss.get(0.4)).toBeCloseTo(0.3, 12);
    expect(s.loss.has(0.8)).toBe(false);
  });

  it('with the slice size: the second-order shape scaled to the widest width above the noise', () => {
    // n = 100 → noise 0.05; 6 bits (ΔL 0.02) is noise, 4 bits (0.4) is the anchor
    const so = [2, 4, 6, 8].map((b) => ({ bits: b, deltaLoss: 4 ** -b }));
    const l = entry({ bits: [pt(2, 3), pt(4, 0.4), pt(6, -0.02), pt(8, 0.03)], secondOrder: so });
    const c = bitsCurve(l, REF, [2, 4, 6, 8], 100);
    expect(c.loss.get(4)).toBeCloseTo(0.4, 12);
    expect(c.loss.get(6)).toBeCloseTo(0.4 / 16, 12); // the shape, not the noisy −0.02
    expect(c.loss.get(8)).toBeCloseTo(0.4 / 256, 12);
    expect(c.loss.get(2)).toBeCloseTo(6.4, 12); // model 0.4·16 beats the saturated 3
    // sparsity: no shape to lean on, so every share > 0 costs at least the noise (0.05)
    const sp = sparsityCurve(
      entry({ sparsity: [pt(0.2, -0.01), pt(0.6, 0.5)] }),
      REF,
      [0, 0.2],
      100,
    );
    expect([sp.loss.get(0), sp.loss.get(0.2)]).toEqual([0, 0.05]);
  });
});
