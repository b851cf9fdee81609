/**
 * Learning-rate schedules evaluated per optimizer step, with an optional linear warm-up:
 * - constant;
 * - cosine annealing (Loshchilov & Hutter, SGDR, 2017) from `lr` to `minLr` over the steps
 *   after warm-up, evaluated every step;
 * - step (PyTorch MultiStepLR): lr·gamma^(number of milestones ≤ current epoch), the epoch being
 *   floor(step / stepsPerEpoch) — identical to stepping MultiStepLR once per epoch.
 * Warm-up: for step < W = round(warmupEpochs · stepsPerEpoch), lr = base·(step + 1)/W, reaching
 * the base rate on step W − 1 (no wasted zero-lr step); the schedule proper starts at step W.
 */

export type LrSchedule =
  | { kind: 'constant'; lr: number; warmupEpochs?: number }
  | { kind: 'cosine'; lr: number; minLr?: number; warmupEpochs?: number }
  | { kind: 'step'; lr: number; milestones: number[]; gamma: number; warmupEpochs?: number };

export interface ScheduleClock {
  stepsPerEpoch: number;
  totalSteps: number;
}

function checkSchedule(s: LrSchedule, clock: ScheduleClock): void {
  if (!(s.lr >= 0) || !Number.isFinite(s.lr))
    throw new Error(`lr schedule: lr must be ≥ 0, got ${s.lr}`);
  if (!(clock.stepsPerEpoch > 0))
    throw new Error(`lr schedule: stepsPerEpoch must be > 0, got ${clock.stepsPerEpoch}`);
  if (!(clock.totalSteps > 0))
    throw new Error(`lr schedule: totalSteps must be > 0, got ${clock.totalSteps}`);
  const w = s.warmupEpochs ?? 0;
  if (!(w >= 0)) throw new Error(`lr schedule: warmupEpochs must be ≥ 0, got ${w}`);
  if (s.kind === 'step' && !(s.gamma > 0))
    throw new Error(`step schedule: gamma must be > 0, got ${s.gamma}`);
}

/** Number of warm-up steps W. */
export function warmupSteps(s: LrSchedule, clock: ScheduleClock): number {
  return Math.min(clock.totalSteps, Math.round((s.warmupEpochs ?? 0) * clock.stepsPerEpoch));
}

/** Learning rate for optimizer step `step` (0-based). */
export function lrAt(s: LrSchedule, step: number, clock: ScheduleClock): number {
  checkSchedule(s, clock);
  if (!Number.isInteger(step) || step < 0)
    throw new Error(`lrAt: step must be an integer ≥ 0, got ${step}`);
  const w = warmupSteps(s, clock);
  if (step < w) return (s.lr * (step + 1)) / w;
  switch (s.kind) {
    case 'constant':
      return s.lr;
    case 'cosine': {
      const minLr = s.minLr ?? 0;
      const span = Math.max(1, clock.totalSteps - w);
      const t = Math.min(1, (step - w) / span);
      return minLr + (s.lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
    case 'step': {
      const epoch = Math.floor(step / clock.stepsPerEpoch);
      const passed = s.milestones.filter((m) => m <= epoch).length;
      return s.lr * s.gamma ** passed;
    }
  }
}
