import { describe, expect, it } from 'vitest';
import { lrAt, warmupSteps, type LrSchedule } from './schedule';

const at = (s: LrSchedule, step: number, stepsPerEpoch: number, totalSteps: number) =>
  lrAt(s, step, { stepsPerEpoch, totalSteps });

describe('lrAt', () => {
  it('cosine with linear warm-up: hand-computed values', () => {
    const s: LrSchedule = { kind: 'cosine', lr: 0.1, warmupEpochs: 1 };
    // W = 4 warm-up steps of 12: 0.1·(step+1)/4, then 0.1·½(1 + cos(π·(step−4)/8)).
    [0.025, 0.05, 0.075, 0.1].forEach((v, i) => expect(at(s, i, 4, 12)).toBeCloseTo(v, 15));
    expect(at(s, 4, 4, 12)).toBeCloseTo(0.1, 12);
    expect(at(s, 6, 4, 12)).toBeCloseTo(0.0853553390593, 12); // ½(1 + cos π/4)·0.1
    expect(at(s, 8, 4, 12)).toBeCloseTo(0.05, 12);
    expect(at(s, 11, 4, 12)).toBeCloseTo(0.0038060233744, 12); // ½(1 + cos 7π/8)·0.1
    expect(warmupSteps(s, { stepsPerEpoch: 4, totalSteps: 12 })).toBe(4);
  });

  it('cosine to a floor', () => {
    const s: LrSchedule = { kind: 'cosine', lr: 0.1, minLr: 0.01 };
    expect(at(s, 0, 5, 10)).toBeCloseTo(0.1, 12);
    expect(at(s, 5, 5, 10)).toBeCloseTo(0.055, 12);
  });

  it('step schedule = MultiStepLR stepped per epoch', () => {
    const s: LrSchedule = { kind: 'step', lr: 0.1, milestones: [2, 3], gamma: 0.1 };
    const lrs = Array.from({ length: 20 }, (_, i) => at(s, i, 5, 20));
    expect(lrs.slice(0, 10).every((v) => v === 0.1)).toBe(true);
    lrs.slice(10, 15).forEach((v) => expect(v).toBeCloseTo(0.01, 15));
    lrs.slice(15).forEach((v) => expect(v).toBeCloseTo(0.001, 15));
  });

  it('step schedule with fractional warm-up', () => {
    const s: LrSchedule = { kind: 'step', lr: 0.1, milestones: [1], gamma: 0.5, warmupEpochs: 0.4 };
    expect([0, 1, 2, 5].map((i) => at(s, i, 5, 10))).toEqual([0.05, 0.1, 0.1, 0.05]);
  });

  it('constant', () => {
    expect(at({ kind: 'constant', lr: 0.3 }, 7, 3, 9)).toBe(0.3);
  });

  it('fails fast on bad input', () => {
    expect(() => at({ kind: 'constant', lr: -1 }, 0, 1, 1)).toThrow(/-1/);
    expect(() => at({ kind: 'constant', lr: 1 }, 1.5, 1, 1)).toThrow(/1\.5/);
    expect(() => at({ kind: 'step', lr: 1, milestones: [], gamma: 0 }, 0, 1, 1)).toThrow(/gamma/);
  });
});
